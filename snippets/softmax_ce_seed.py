"""Softmax then cross-entropy, step by step and fused, on the note's 5x3 example.

Lesson: softmax_cross_entropy.md. Shows: tf.nn.softmax + categorical_crossentropy
equals tf.nn.softmax_cross_entropy_with_logits and lossbook; naive code overflows on
logits like [1000, 0, -1000] while the fused op stays finite; the gradient is
softmax - y_.
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

# --8<-- [start:overflow]
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
print(
    "tf.nn fused op:     ",
    tf.nn.softmax_cross_entropy_with_logits(labels, logits).numpy(),
)
print(
    "lossbook:           ",
    lossbook.losses.softmax_cross_entropy_with_logits(labels, logits).numpy(),
)
# --8<-- [end:overflow]

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
