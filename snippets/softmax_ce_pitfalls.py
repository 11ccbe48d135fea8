"""The from_logits pitfalls, each with its wrong and right number; sparse labels.

Lesson: softmax_cross_entropy.md. Shows: probabilities passed as logits; softmax
applied twice; logits passed as probabilities; sparse labels equal one-hot labels.
"""

# --8<-- [start:setup]
import numpy as np
import tensorflow as tf

import lossbook.losses

np.set_printoptions(precision=4, suppress=True)
y_ = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]], np.float32)
logits = np.array(
    [[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]], np.float32
)
probs = tf.nn.softmax(logits).numpy()  # what a model ending in softmax outputs
cce = tf.keras.losses.categorical_crossentropy
right = cce(y_, logits, from_logits=True).numpy()
print("right:", right)
# --8<-- [end:setup]

# --8<-- [start:probs_as_logits]
wrong = cce(
    y_, probs, from_logits=True
).numpy()  # probabilities, told they are logits
print("wrong:", wrong)
print("right:", cce(y_, probs).numpy())
# --8<-- [end:probs_as_logits]

# --8<-- [start:softmax_twice]
wrong = tf.nn.softmax_cross_entropy_with_logits(y_, probs).numpy()  # softmax again
print("wrong:", wrong)
print("right:", tf.nn.softmax_cross_entropy_with_logits(y_, logits).numpy())
# --8<-- [end:softmax_twice]

# --8<-- [start:logits_as_probs]
shifted = logits - 6.0  # logits can be negative; their row sums can be anything
wrong = cce(y_, shifted).numpy()  # from_logits left at False
print("row sums:", shifted.sum(axis=1))
print("wrong:", wrong)
print("right:", cce(y_, shifted, from_logits=True).numpy())
# --8<-- [end:logits_as_probs]

# --8<-- [start:sparse]
class_ids = np.argmax(y_, axis=1)  # [0, 1, 2, 0, 1]: one integer per example
sparse = tf.keras.losses.sparse_categorical_crossentropy(
    class_ids, logits, from_logits=True
)
ours = lossbook.losses.sparse_categorical_crossentropy(
    class_ids, logits, from_logits=True
)
print("class ids:       ", class_ids)
print("one-hot labels:  ", right)
print("sparse, keras:   ", sparse.numpy())
print("sparse, lossbook:", ours.numpy())
# --8<-- [end:sparse]

# --8<-- [start:bad_ids]
bad_ids = np.array([0, 1, 3, 0, 1])  # class 3 does not exist: there are 3 classes
try:
    tf.keras.losses.sparse_categorical_crossentropy(
        bad_ids, logits, from_logits=True
    )
except Exception as err:  # noqa: BLE001 - we want to see what TensorFlow raises
    print("keras:   ", type(err).__name__, "-", str(err).splitlines()[0][:70])
try:
    lossbook.losses.sparse_categorical_crossentropy(
        bad_ids, logits, from_logits=True
    )
except ValueError as err:
    print("lossbook: ValueError -", err)
# --8<-- [end:bad_ids]
