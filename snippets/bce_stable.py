"""Binary cross-entropy from logits: the naive formula against the stable one.

Lesson: binary_cross_entropy.md. Shows: at z = +-100 and +-1e4 in float32, the
naive -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) gives inf or nan, and so
does its gradient, while lossbook (max(z, 0) - z y + log(1 + exp(-|z|))), tf.nn and
Keras stay finite and match a float64 reference (asserted, losses and gradients);
where the naive formula breaks: TensorFlow's float32 sigmoid is exactly 1 from
z = 24 ln 2 = 16.64 and exactly 0 below -126 ln 2 = -87.34, where it flushes
subnormals to 0 (asserted); a figure of both against z.
"""

# --8<-- [start:naive]
import numpy as np
import tensorflow as tf

import lossbook.losses

z = tf.constant([-1e4, -100.0, 100.0, 1e4] * 2)  # float32 logits
y = tf.constant([1.0] * 4 + [0.0] * 4)  # labels: four 1s, then four 0s


def naive_bce(y, z):
    """The definition, through sigmoid: breaks once sigmoid(z) rounds to 0 or 1."""
    p = tf.sigmoid(z)
    return -(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))


def reference_bce(y, z):
    """float64: y softplus(-z) + (1 - y) softplus(z), softplus by np.logaddexp."""
    y, z = np.float64(y), np.float64(z)
    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


stable = lossbook.losses.binary_crossentropy(
    y[:, None], z[:, None], from_logits=True
)
print("    z      y   sigmoid(z)    naive     lossbook    float64")
for zi, yi, p, bad, good, exact in zip(
    z.numpy(),
    y.numpy(),
    tf.sigmoid(z).numpy(),
    naive_bce(y, z).numpy(),
    stable.numpy(),
    reference_bce(y, z),
    strict=True,
):
    print(f"{zi:7g}  {yi:3g}  {p:9.3g}  {bad:9.4g}  {good:9.4g}  {exact:9.4g}")
# --8<-- [end:naive]

naive = naive_bce(y, z).numpy()
reference = reference_bce(y.numpy(), z.numpy())
assert not np.any(np.isfinite(naive))  # every one of the eight is inf or nan
assert np.any(np.isinf(naive)) and np.any(np.isnan(naive))
# lossbook: finite and right, to float32 (e^-100 = 3.7e-44 is a float32 subnormal,
# which TensorFlow flushes to 0; NumPy's float32 keeps it).
assert tf.exp(-100.0) == 0 and np.exp(np.float32(-100)) > 0
assert np.allclose(stable, reference, rtol=1e-7, atol=1e-37)
assert np.allclose(
    tf.nn.sigmoid_cross_entropy_with_logits(y, z), reference, rtol=1e-7, atol=1e-37
)

# --8<-- [start:gradients]
import keras

z_var = tf.Variable(z)
with tf.GradientTape(persistent=True) as tape:
    naive_loss = tf.reduce_sum(naive_bce(y, z_var))
    ours_loss = tf.reduce_sum(
        lossbook.losses.binary_crossentropy(
            y[:, None], z_var[:, None], from_logits=True
        )
    )
    keras_loss = tf.reduce_sum(
        keras.losses.binary_crossentropy(
            y[:, None], z_var[:, None], from_logits=True
        )
    )
z64 = z.numpy().astype(np.float64)
sigmoid64 = np.exp(-np.logaddexp(0, -z64))  # sigmoid in float64, without overflow
with np.printoptions(precision=2):  # whatever was set before
    print("naive:    ", tape.gradient(naive_loss, z_var).numpy())
    print("lossbook: ", tape.gradient(ours_loss, z_var).numpy())
    print("keras:    ", tape.gradient(keras_loss, z_var).numpy())
    print("float64:  ", sigmoid64 - y.numpy(), "(sigmoid(z) - y)")
# --8<-- [end:gradients]

grad_naive = tape.gradient(naive_loss, z_var).numpy()
grad_ours = tape.gradient(ours_loss, z_var).numpy()
assert np.all(np.isnan(grad_naive))
assert np.allclose(grad_ours, sigmoid64 - y.numpy(), rtol=1e-7, atol=1e-37)
assert np.allclose(tape.gradient(keras_loss, z_var), grad_ours, rtol=0, atol=0)

# --8<-- [start:where]
grid = np.linspace(-100, 100, 20001).astype(np.float32)  # steps of 0.01
p_grid = tf.sigmoid(grid).numpy()
lowest_one, highest_zero = grid[p_grid == 1].min(), grid[p_grid == 0].max()
print(f"TensorFlow's float32 sigmoid(z) is exactly 1 from z = {lowest_one:.2f}")
print(f"TensorFlow's float32 sigmoid(z) is exactly 0 up to z = {highest_zero:.2f}")
print(f"24 ln 2 = {24 * np.log(2):.4f}, -126 ln 2 = {-126 * np.log(2):.4f}")
# Finite, but float32 keeps one digit of 1 - sigmoid(15) = 3.06e-7.
near = tf.constant([[15.0]])
one_minus_15 = float(1 - tf.sigmoid(near)[0, 0])
print(f"1 - sigmoid(15): float32 {one_minus_15:.4e},", end=" ")
print(f"float64 {1 / (1 + np.exp(15)):.4e}")
naive_15, exact_15 = {}, {}
for label in (1.0, 0.0):
    naive_15[label] = float(naive_bce(label, near)[0, 0])
    exact_15[label] = float(reference_bce(label, 15.0))
    print(f"z = 15, y = {label:g}: naive {naive_15[label]:.4e},", end=" ")
    print(f"float64 {exact_15[label]:.4e}")
# --8<-- [end:where]

# TensorFlow's sigmoid: 1 + e^-z rounds to 1 once e^-z < 2^-24 (z > 24 ln 2), and
# sigmoid(z) < 2^-126, float32's smallest normal number, is flushed to 0.
assert abs(lowest_one - 24 * np.log(2)) < 0.01, lowest_one
assert abs(highest_zero + 126 * np.log(2)) < 0.01, highest_zero
# It is TensorFlow's sigmoid, not float32: correctly rounded (in float64, then to
# float32, which keeps subnormals), sigmoid(17) < 1; it is 1 only from
# 25 ln 2 = 17.33 on, and 0 only below -150 ln 2 = -103.97.


def rounded_sigmoid(z):
    return np.float32(1 / (1 + np.exp(-z)))


ln2 = np.log(2)
assert rounded_sigmoid(17.0) < 1 <= tf.sigmoid(17.0)
assert rounded_sigmoid(25 * ln2 - 0.01) < 1 == rounded_sigmoid(25 * ln2 + 0.01)
assert rounded_sigmoid(-150 * ln2 + 0.01) > 0 == rounded_sigmoid(-150 * ln2 - 0.01)
naive_grid = {label: naive_bce(label, grid).numpy() for label in (0.0, 1.0)}
for label, values in naive_grid.items():
    finite = np.isfinite(values)
    # Always finite between the two; never at or below highest_zero, nor from
    # 25 ln 2 = 17.33 on, where even a correctly rounded sigmoid is 1 (TensorFlow
    # 2.16's sigmoid still dips below 1 now and then up to z = 17.32, 2.21's never).
    assert np.all(finite[(grid > highest_zero) & (grid < lowest_one)]), label
    assert not np.any(finite[grid <= highest_zero]), label
    assert not finite[grid == lowest_one].any()
    assert not np.any(finite[grid >= 25 * np.log(2)]), label
assert one_minus_15 == 5 * 2**-24  # 2.98e-7 for the true 3.06e-7: one digit
error_15 = {label: abs(naive_15[label] / exact_15[label] - 1) for label in naive_15}
naive_15_percent = 100 * error_15[1.0]  # y = 1: the loss is about 1 - sigmoid(15)
naive_15_percent_0 = 100 * error_15[0.0]  # y = 0: about 15, off by ln(3.06 / 2.98)
assert 0.02 < error_15[1.0] < 0.03 and 0.001 < error_15[0.0] < 0.002
ours_15 = lossbook.losses.binary_crossentropy(
    [[1.0], [0.0]], [[15.0], [15.0]], from_logits=True
)
assert np.allclose(ours_15, [exact_15[1.0], exact_15[0.0]], rtol=1e-6)

# --8<-- [start:figure]
from lossbook.plotting import plot_bce_logits

z_axis = np.linspace(-100, 100, 801, dtype=np.float32)
curves = {}
for label in (1.0, 0.0):
    labels = np.full_like(z_axis, label)
    curves[label] = (
        lossbook.losses.binary_crossentropy(
            labels[:, None], z_axis[:, None], from_logits=True
        ).numpy(),
        naive_bce(labels, z_axis).numpy(),
    )
fig = plot_bce_logits(z_axis, curves)
# --8<-- [end:figure]
