"""Exercises of the binary cross-entropy lesson, with their solutions.

Lesson: binary_cross_entropy.md. Shows: (1) the loss of p = 0.9 when the answer is
"yes" and when it is "no", by hand and with lossbook (asserted); (2) binary
cross-entropy from logits is softplus(-z) for y = 1 and softplus(z) for y = 0, for
z up to +-1e4 (asserted against tf.nn.softplus); (3) its gradient is sigmoid(z) - y,
also for soft labels (asserted with GradientTape); (4) with label smoothing 0.2, the
loss of a "yes" is smallest at z = ln 9, where it is the entropy of (0.9, 0.1)
(asserted, with Keras).
"""

# --8<-- [start:ex1]
import numpy as np

import lossbook.losses

p = np.array([[0.9], [0.9]])
y = np.array([[1.0], [0.0]])
print("by hand: ", -np.log(0.9).round(4), -np.log(0.1).round(4))
print("lossbook:", lossbook.losses.binary_crossentropy(y, p).numpy().round(4))
# --8<-- [end:ex1]

loss_yes, loss_no = (float(v) for v in lossbook.losses.binary_crossentropy(y, p))
assert np.isclose(loss_yes, -np.log(0.9)) and np.isclose(loss_no, -np.log(0.1))
assert 20 < loss_no / loss_yes < 30  # "more than 20 times"

# --8<-- [start:ex2]
import tensorflow as tf

z = tf.constant([[-1e4], [-30.0], [-1.0], [0.0], [1.0], [30.0], [1e4]])
for label, softplus in ((1.0, tf.nn.softplus(-z)), (0.0, tf.nn.softplus(z))):
    loss = lossbook.losses.binary_crossentropy(
        tf.fill(z.shape, label), z, from_logits=True
    )
    with np.printoptions(precision=4):  # whatever was set before
        print(f"y = {label:g}, loss:    ", loss.numpy())
        print(
            f"      softplus({'-z' if label else 'z'}):", softplus.numpy().ravel()
        )
    # equal to float32 rounding
    assert np.allclose(loss, softplus[:, 0], rtol=3e-7, atol=0)
# --8<-- [end:ex2]

# --8<-- [start:ex3]
z = tf.Variable(np.linspace(-6, 6, 7), dtype=tf.float64)
y = tf.constant([1.0, 0.0, 0.3, 0.5, 1.0, 0.0, 0.7], tf.float64)  # soft labels too
with tf.GradientTape() as tape:
    loss = lossbook.losses.binary_crossentropy(
        y[:, None], z[:, None], from_logits=True
    )
gradient = tape.gradient(loss, z)  # of the sum of the per-example losses
with np.printoptions(precision=4, suppress=True):  # whatever was set before
    print("gradient:       ", gradient.numpy())
    print("sigmoid(z) - y: ", (tf.sigmoid(z) - y).numpy())
# --8<-- [end:ex3]

assert np.allclose(gradient, tf.sigmoid(z) - y, rtol=0, atol=1e-14)

# --8<-- [start:ex4]
eps = 0.2
q = 1 - eps / 2  # a "yes" smoothed: 0.9
best_logit = float(np.log(q / (1 - q)))  # sigmoid(z) = q
z = tf.Variable(
    [[best_logit - 0.1], [best_logit], [best_logit + 0.1]], dtype=tf.float64
)
with tf.GradientTape() as tape:
    loss = lossbook.losses.binary_crossentropy(
        tf.ones_like(z), z, from_logits=True, label_smoothing=eps
    )
gradient = tape.gradient(loss, z)
least_loss = float(-(q * np.log(q) + (1 - q) * np.log(1 - q)))  # entropy of q
print(f"ln 9 = {best_logit:.4f}, entropy of (0.9, 0.1) = {least_loss:.4f}")
with np.printoptions(precision=4, suppress=True):  # whatever was set before
    print("z:        ", z.numpy().ravel())
    print("loss:     ", loss.numpy())
    print("gradient: ", gradient.numpy().ravel())
# --8<-- [end:ex4]

assert round(best_logit, 3) == 2.197 and round(least_loss, 3) == 0.325
assert np.isclose(best_logit, np.log(9), rtol=1e-15)
assert np.isclose(loss[1], least_loss, rtol=1e-12)
assert loss[1] < loss[0] and loss[1] < loss[2]  # the smallest of the three
assert abs(float(gradient[1, 0])) < 1e-12
import keras

keras_loss = keras.losses.binary_crossentropy(
    tf.ones_like(z), z, from_logits=True, label_smoothing=eps
)
assert np.allclose(keras_loss, loss, rtol=1e-12)
