"""Label smoothing, binary and categorical, checked against Keras.

Lesson: binary_cross_entropy.md. Shows: binary_crossentropy with label_smoothing=eps
equals the plain loss on labels y (1 - eps) + eps / 2, categorical_crossentropy on
y (1 - eps) + eps / K (asserted, lossbook and Keras); for two classes the two agree;
with smoothing the loss of a "yes" is smallest at p = 1 - eps / 2, not at p = 1, so
the logits stop growing (asserted).
"""

# --8<-- [start:binary]
import keras
import numpy as np
import tensorflow as tf

import lossbook.losses

eps = 0.1
y = np.array([[1.0], [0.0], [1.0], [0.0]], np.float32)
z = np.array([[4.0], [-4.0], [-1.0], [10.0]], np.float32)  # logits
smoothed = lossbook.losses.binary_crossentropy(
    y, z, from_logits=True, label_smoothing=eps
)
by_hand = lossbook.losses.binary_crossentropy(
    y * (1 - eps) + eps / 2, z, from_logits=True
)
with np.printoptions(precision=4):  # whatever was set before
    print("labels y (1 - eps) + eps / 2:", (y * (1 - eps) + eps / 2).ravel())
    print("label_smoothing=0.1: ", smoothed.numpy())
    print("smoothed by hand:    ", by_hand.numpy())
    print(
        "keras:               ",
        keras.losses.binary_crossentropy(
            y, z, from_logits=True, label_smoothing=eps
        ).numpy(),
    )
    print(
        "no smoothing:        ",
        lossbook.losses.binary_crossentropy(y, z, from_logits=True).numpy(),
    )
# --8<-- [end:binary]

assert np.allclose(smoothed, by_hand, rtol=1e-6)
assert np.allclose(
    keras.losses.binary_crossentropy(y, z, from_logits=True, label_smoothing=eps),
    smoothed,
    rtol=1e-6,
)
keras_class = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=eps)
ours_class = lossbook.losses.BinaryCrossentropy(
    from_logits=True, label_smoothing=eps
)
assert np.isclose(float(keras_class(y, z)), float(ours_class(y, z)), rtol=1e-6)

# --8<-- [start:categorical]
one_hot = np.eye(3, dtype=np.float32)[[0, 2]]  # K = 3 classes
logits = np.array([[3.0, 0.5, -1.0], [0.2, 0.1, 2.5]], np.float32)
ours = lossbook.losses.categorical_crossentropy(
    one_hot, logits, from_logits=True, label_smoothing=eps
)
by_hand = lossbook.losses.categorical_crossentropy(
    one_hot * (1 - eps) + eps / 3, logits, from_logits=True
)
with np.printoptions(precision=4):
    print("labels y (1 - eps) + eps / 3:\n", one_hot * (1 - eps) + eps / 3)
    print("label_smoothing=0.1: ", ours.numpy())
    print("smoothed by hand:    ", by_hand.numpy())
    print(
        "keras:               ",
        keras.losses.categorical_crossentropy(
            one_hot, logits, from_logits=True, label_smoothing=eps
        ).numpy(),
    )
# --8<-- [end:categorical]

assert np.allclose(ours, by_hand, rtol=1e-6)
assert np.allclose(
    keras.losses.categorical_crossentropy(
        one_hot, logits, from_logits=True, label_smoothing=eps
    ),
    ours,
    rtol=1e-6,
)
# Two classes: binary smoothing eps / 2 is categorical smoothing eps / K with K = 2.
two = lossbook.losses.categorical_crossentropy(
    np.hstack([1 - y, y]),
    np.hstack([np.zeros_like(z), z]),
    from_logits=True,
    label_smoothing=eps,
)
assert np.allclose(two, smoothed, rtol=1e-6)

# --8<-- [start:best]
z_grid = np.linspace(-2, 12, 1401, dtype=np.float64)[:, None]  # logits of a "yes"
for s in (0.0, eps):
    loss = lossbook.losses.binary_crossentropy(
        np.ones_like(z_grid), z_grid, from_logits=True, label_smoothing=s
    ).numpy()
    best = float(z_grid[np.argmin(loss), 0])
    print(
        f"label_smoothing={s}: loss smallest at z = {best:.2f}"
        f" (p = {1 / (1 + np.exp(-best)):.4f}), loss there {loss.min():.4f}"
    )
print(
    f"1 - eps / 2 = {1 - eps / 2}, ln((1 - eps / 2) / (eps / 2)) = "
    f"{np.log((1 - eps / 2) / (eps / 2)):.4f}"
)
# --8<-- [end:best]

best_logit = float(np.log((1 - eps / 2) / (eps / 2)))
# Without smoothing the loss only decreases with z: its smallest value on the grid
# is at the grid's right end.
unsmoothed = lossbook.losses.binary_crossentropy(
    np.ones_like(z_grid), z_grid, from_logits=True
).numpy()
assert np.all(np.diff(unsmoothed) <= 0) and np.argmin(unsmoothed) == len(z_grid) - 1
assert abs(best - best_logit) < 0.01  # the grid's step
q = 1 - eps / 2
smoothed_floor = float(-(q * np.log(q) + (1 - q) * np.log(1 - q)))  # entropy of q
assert np.isclose(loss.min(), smoothed_floor, rtol=1e-5)
# The gradient sigmoid(z) - (1 - eps / 2) is 0 at best_logit: lossbook's, by tape.
z_var = tf.Variable([[best_logit]], dtype=tf.float64)
with tf.GradientTape() as tape:
    at_best = lossbook.losses.binary_crossentropy(
        [[1.0]], z_var, from_logits=True, label_smoothing=eps
    )
assert abs(float(tape.gradient(at_best, z_var)[0, 0])) < 1e-12
