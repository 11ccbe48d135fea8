"""Solutions to the exercises of the cross-entropy lesson.

Lesson: cross_entropy.md, section "Exercises". Shows: a three-class example by hand,
the loss of a uniform guess is ln k, and for one-hot answers cross-entropy equals
the KL divergence, and Keras' KLDivergence differs from it only by clipping the
answer's zeros to 1e-7.
"""

# --8<-- [start:ex1]
import numpy as np

import lossbook.losses

ce_07 = -np.log(0.7)
print("by hand: ", ce_07)
print(
    "lossbook:",
    lossbook.losses.categorical_crossentropy([1, 0, 0], [0.7, 0.2, 0.1]),
)
# --8<-- [end:ex1]
assert np.isclose(
    lossbook.losses.categorical_crossentropy([1, 0, 0], [0.7, 0.2, 0.1]), ce_07
)

# --8<-- [start:ex2]
for k in (2, 10, 1000):
    uniform = np.full(k, 1 / k)
    one_hot = np.eye(k)[0]
    ce = lossbook.losses.categorical_crossentropy(one_hot, uniform).numpy()
    print(f"k = {k:4d}: cross-entropy {ce:.4f}, ln k = {np.log(k):.4f}")
    assert np.isclose(ce, np.log(k), rtol=1e-6)
# --8<-- [end:ex2]

# --8<-- [start:ex3]
import tensorflow as tf

one_hot = np.array([0.0, 1.0, 0.0])
q = np.array([0.2, 0.5, 0.3])
cross = lossbook.losses.categorical_crossentropy(one_hot, q).numpy()
kl_keras = tf.keras.losses.KLDivergence()(one_hot, q).numpy()
print("cross-entropy:", cross)
print("KL divergence:", kl_keras)
# Keras clips y_true to [1e-7, 1] as well: each 0 of the answer becomes 1e-7.
kl_clipped = np.log(2) + 1e-7 * np.sum(np.log(1e-7 / q[[0, 2]]))
print("ln 2 + 1e-7 * sum(ln(1e-7 / q_i)):", kl_clipped)
print("in float32:                       ", np.float32(kl_clipped))
# --8<-- [end:ex3]
assert np.isclose(cross, np.log(2), rtol=1e-12)
assert np.float32(kl_clipped) == kl_keras  # exactly the value Keras prints
assert np.float32(np.log(2)) != kl_keras  # float32 alone would give ln 2
float32_ln2 = float(np.float32(np.log(2)))
