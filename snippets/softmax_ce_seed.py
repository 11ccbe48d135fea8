"""Softmax then cross-entropy, step by step and fused, on the note's 5x3 example.

Lesson: softmax_cross_entropy.md. Shows: tf.nn.softmax + categorical_crossentropy
equals tf.nn.softmax_cross_entropy_with_logits and lossbook; naive code overflows on
logits like [1000, 0, -1000] while the fused op stays finite; the gradient is
softmax - y_; Keras' own two steps stay finite but clip (unless it sees the Softmax
op); log1p keeps the digits of a tiny loss.
"""

# --8<-- [start:stepwise]
import numpy as np
import tensorflow as tf

import lossbook.losses

y_ = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])
y = np.array([[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]])

y_pro = tf.nn.softmax(y)  # step 1: logits -> probabilities
loss_ce1 = tf.losses.categorical_crossentropy(y_, y_pro)  # step 2: cross-entropy
loss_ce2 = tf.nn.softmax_cross_entropy_with_logits(y_, y)  # both steps in one op
loss_ours = lossbook.losses.softmax_cross_entropy_with_logits(y_, y)
print("step by step:", loss_ce1.numpy())
print("fused op:    ", loss_ce2.numpy())
print("lossbook:    ", loss_ours.numpy())
stepwise_gap = float(np.max(np.abs(loss_ce1 - loss_ce2)))
print(f"largest difference, step by step vs fused: {stepwise_gap:.1e}")
# --8<-- [end:stepwise]
assert stepwise_gap < 1e-12  # float64: equal to the last digits
assert np.allclose(loss_ours, loss_ce2, rtol=1e-12, atol=0)
# The 4th example: the largest loss; its answer is the first class, its highest
# logit the second.
assert np.argmax(loss_ce2) == 3 and np.argmax(y_[3]) == 0 and np.argmax(y[3]) == 1

# --8<-- [start:overflow]
print("float32 exp(88), exp(89):", tf.exp([88.0, 89.0]).numpy())
logits = tf.constant([[1000.0, 0.0, -1000.0]] * 3)
labels = tf.constant([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])

naive_softmax = tf.exp(logits) / tf.reduce_sum(
    tf.exp(logits), axis=-1, keepdims=True
)
print("exp(logits):        ", tf.exp(logits)[0].numpy())
print("naive softmax:      ", naive_softmax[0].numpy())
log_of_softmax = tf.math.log(tf.nn.softmax(logits))
print("log(tf.nn.softmax): ", log_of_softmax[0].numpy())
print(
    "-sum(y_ * log p):   ", -tf.reduce_sum(labels * log_of_softmax, axis=-1).numpy()
)
keras_two_steps = tf.keras.losses.categorical_crossentropy(
    labels, tf.nn.softmax(logits)
)
print("Keras, two steps:   ", keras_two_steps.numpy())
fused = tf.nn.softmax_cross_entropy_with_logits(labels, logits)
print("tf.nn fused op:     ", fused.numpy())
ours = lossbook.losses.softmax_cross_entropy_with_logits(labels, logits)
print("lossbook:           ", ours.numpy())
# --8<-- [end:overflow]
exp_88, exp_89 = tf.exp([88.0, 89.0]).numpy()
assert np.isfinite(exp_88) and np.isinf(exp_89)
assert np.all(np.isnan(naive_softmax[:, 0])) and np.all(
    np.isnan(-tf.reduce_sum(labels * log_of_softmax, axis=-1))
)
# Keras clips to [1e-7, 1 - 1e-7]: finite, but capped at -ln(1e-7), so wrong.
clip_loss = float(-np.log(np.float32(1e-7)))
perfect_loss = float(-np.log(np.float32(1 - 1e-7)))
assert np.allclose(keras_two_steps, [perfect_loss, clip_loss, clip_loss], rtol=1e-6)
assert np.array_equal(fused, [0.0, 1000.0, 2000.0])
assert np.array_equal(ours, [0.0, 1000.0, 2000.0])


# --8<-- [start:in_graph]
@tf.function
def keras_two_steps_in_a_graph(labels, logits):
    return tf.keras.losses.categorical_crossentropy(labels, tf.nn.softmax(logits))


print(
    "Keras, two steps, in tf.function:",
    keras_two_steps_in_a_graph(labels, logits).numpy(),
)
# --8<-- [end:in_graph]
assert np.array_equal(
    keras_two_steps_in_a_graph(labels, logits), [0.0, 1000.0, 2000.0]
)

# --8<-- [start:tiny]
z32 = tf.constant(y[:1], tf.float32)  # the first example: a loss of about 1.7e-4
exact = tf.nn.softmax_cross_entropy_with_logits(y_[:1], y[:1])[0]  # float64
tf_nn = tf.nn.softmax_cross_entropy_with_logits(y_[:1].astype(np.float32), z32)[0]
ours32 = lossbook.losses.softmax_cross_entropy_with_logits(y_[:1], z32)[0]
for name, value in [
    ("float64", exact),
    ("tf.nn, float32", tf_nn),
    ("lossbook, float32", ours32),
]:
    error = abs(float(value) - float(exact)) / float(exact)
    print(f"{name:18} {float(value):.7e}   relative error {error:.1e}")
# --8<-- [end:tiny]
tf_nn_error = abs(float(tf_nn) - float(exact)) / float(exact)
ours_error = abs(float(ours32) - float(exact)) / float(exact)
assert ours_error < 1e-6 < 1e-5 < tf_nn_error, (ours_error, tf_nn_error)

# --8<-- [start:gradient]
y_logits = tf.Variable(y)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(
        lossbook.losses.softmax_cross_entropy_with_logits(y_, y_logits)
    )
grad = tape.gradient(loss, y_logits).numpy()
expected = tf.nn.softmax(y).numpy() - y_
print("gradient, first 2 rows:\n", grad[:2].round(6))
print("softmax(y) - y_, first 2 rows:\n", expected[:2].round(6))
grad_gap = float(np.max(np.abs(grad - expected)))
print(f"largest difference: {grad_gap:.1e}")
# --8<-- [end:gradient]
assert grad_gap < 1e-12

# --8<-- [start:gradient_figure]
from lossbook.plotting import plot_softmax_gradient

z_example = [2.0, 1.0, 0.1]  # three logits; class 0 is the answer
fig = plot_softmax_gradient(z_example, label=0)
# --8<-- [end:gradient_figure]

# The explorable figure of softmax_cross_entropy.md (build.insert_widgets): three
# logits to move, starting from [2.0, 1.0, 0.1] with class 0 the answer (the note's
# examples are a batch), and this run's probabilities, loss and gradient there,
# which it must show.
z_widget = tf.Variable([z_example])
with tf.GradientTape() as tape:
    loss_widget = lossbook.losses.softmax_cross_entropy_with_logits(
        tf.one_hot([0], 3), z_widget
    )[0]
widget = {
    "logits": z_example,
    "label": 0,
    "min": -120,
    "max": 120,
    "step": 0.1,
    "at_default": {
        "p": tf.nn.softmax(z_widget)[0].numpy(),
        "loss": float(loss_widget),
        "grad": tape.gradient(loss_widget, z_widget)[0].numpy(),
    },
}
