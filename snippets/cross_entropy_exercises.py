"""Solutions to the exercises of the cross-entropy lesson.

Lesson: cross_entropy.md, section "Exercises". Shows: a three-class example by hand,
the loss of a uniform guess is ln k, and for one-hot answers cross-entropy equals
the KL divergence.
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

# --8<-- [start:ex2]
for k in (2, 10, 1000):
    uniform = np.full(k, 1 / k)
    one_hot = np.eye(k)[0]
    ce = lossbook.losses.categorical_crossentropy(one_hot, uniform).numpy()
    print(f"k = {k:4d}: cross-entropy {ce:.4f}, ln k = {np.log(k):.4f}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
import tensorflow as tf

one_hot = np.array([0.0, 1.0, 0.0])
q = np.array([0.2, 0.5, 0.3])
print(
    "cross-entropy:", lossbook.losses.categorical_crossentropy(one_hot, q).numpy()
)
print("KL divergence:", tf.keras.losses.KLDivergence()(one_hot, q).numpy())
# --8<-- [end:ex3]
