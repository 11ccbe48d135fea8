"""Binary cross-entropy: the note's two-class example, and sigmoid against a
two-class softmax.

Lesson: binary_cross_entropy.md. Shows: the note's answer (1, 0) against (0.6, 0.4)
and (0.8, 0.2), each written as one probability, by the formula, with lossbook and
Keras (asserted equal to categorical cross-entropy on the two-class vectors);
sigmoid(z) = softmax([0, z])[1], and binary cross-entropy from the logit z equals
softmax cross-entropy from the logits [0, z] (asserted to float32 rounding), for
hard and soft labels.
"""

# --8<-- [start:note]
import keras
import numpy as np

import lossbook.losses

y_true = np.array([[1.0], [1.0]])  # the answer (1, 0): "the first class, yes"
p = np.array([[0.6], [0.8]])  # the predictions (0.6, 0.4) and (0.8, 0.2)
by_formula = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
print("by the formula:  ", by_formula.ravel().round(4))
ours = lossbook.losses.binary_crossentropy(y_true, p)
print("lossbook:        ", ours.numpy().round(4))
print(
    "keras:           ",
    keras.losses.binary_crossentropy(y_true, p).numpy().round(4),
)
two_classes = lossbook.losses.categorical_crossentropy(
    np.hstack([y_true, 1 - y_true]), np.hstack([p, 1 - p])
)
print("categorical, two classes:", two_classes.numpy().round(4))
# --8<-- [end:note]

h1, h2 = (float(v) for v in ours.numpy())
assert np.allclose(ours, by_formula.ravel(), rtol=1e-12, atol=0)
assert np.allclose(ours, two_classes, rtol=1e-12, atol=0)
assert np.allclose(keras.losses.binary_crossentropy(y_true, p), ours, rtol=1e-12)
assert round(h1, 3) == 0.511 and round(h2, 3) == 0.223  # the note's numbers

# --8<-- [start:sigmoid_softmax]
import tensorflow as tf

z = np.linspace(-8, 8, 9, dtype=np.float32)  # logits of "yes", one per example
zeros = np.zeros_like(z)
two_logits = np.stack([zeros, z], axis=-1)  # the logits [0, z] of (no, yes)
y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0.3], np.float32)  # the last label is soft
two_labels = np.stack([1 - y, y], axis=-1)
binary = lossbook.losses.binary_crossentropy(
    y[:, None], z[:, None], from_logits=True
)
softmax_ce = lossbook.losses.categorical_crossentropy(
    two_labels, two_logits, from_logits=True
)
with np.printoptions(precision=5, suppress=True):  # whatever was set before
    print("sigmoid(z):                ", tf.sigmoid(z).numpy())
    print("softmax([0, z])[1]:        ", tf.nn.softmax(two_logits)[:, 1].numpy())
    print("binary CE, logit z:        ", binary.numpy())
    print("softmax CE, logits [0, z]: ", softmax_ce.numpy())
relative_gap = float(np.max(np.abs(binary - softmax_ce) / softmax_ce))
print(f"largest relative difference: {relative_gap:.1e}")
# --8<-- [end:sigmoid_softmax]

# Equal to float32 rounding (a few units of its 1.2e-7 relative precision).
assert relative_gap < 3e-7, relative_gap
assert np.allclose(
    tf.sigmoid(z), tf.nn.softmax(two_logits)[:, 1], rtol=1e-6, atol=1e-7
)
# Against a float64 reference, and TensorFlow's fused op (which loses some digits of
# small losses, as the softmax lesson shows).
reference = tf.nn.softmax_cross_entropy_with_logits(
    two_labels.astype(np.float64), two_logits.astype(np.float64)
).numpy()
assert np.allclose(binary, reference, rtol=3e-7, atol=0)
fused = tf.nn.softmax_cross_entropy_with_logits(two_labels, two_logits)
assert np.allclose(fused, binary, rtol=1e-4, atol=0)
keras_binary = keras.losses.binary_crossentropy(
    y[:, None], z[:, None], from_logits=True
)
assert np.allclose(keras_binary, binary, rtol=1e-6, atol=0)
