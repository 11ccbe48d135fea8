"""Each regression loss, and the pull each error exerts on the prediction.

Lesson: robust_regression.md. Shows: loss and -d loss / d y_pred against the
error u = y - y_pred for MSE, MAE, Huber (two deltas), log-cosh and pinball (tau
= 0.9), all computed with lossbook and tf.GradientTape (the pulls checked against
their formulas); MAE's gradient is a sign whatever the error; the naive
log(cosh(u)) overflows at u = 1e4 in float32, lossbook's log_cosh does not.
"""

# --8<-- [start:map]
import numpy as np
import tensorflow as tf

from lossbook.losses import (
    asymmetric_loss,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_squared_error,
)

u = np.linspace(-3, 3, 601)  # the error y - y_pred
y_true = tf.zeros((len(u), 1), tf.float64)
tau = 0.9
losses = {
    "MSE": mean_squared_error,
    "MAE": mean_absolute_error,
    "Huber, delta=0.5": lambda y, p: huber(y, p, delta=0.5),
    "Huber, delta=2": lambda y, p: huber(y, p, delta=2.0),
    "log-cosh": log_cosh,
    # pinball: the profit/cost loss with PROFIT = tau, COST = 1 - tau
    "pinball, tau=0.9": lambda y, p: asymmetric_loss(
        y, p, profit=tau, cost=1 - tau
    ),
}
values, pulls = {}, {}
for label, loss_fn in losses.items():
    y_pred = tf.Variable(-u.reshape(-1, 1))  # y = 0, so y - y_pred = u
    with tf.GradientTape() as tape:
        per_day = loss_fn(y_true, y_pred)
        total = tf.reduce_sum(per_day)
    values[label] = per_day.numpy()
    pulls[label] = (
        -tape.gradient(total, y_pred).numpy().ravel()
    )  # -d loss / d y_pred
for label in losses:
    at = {e: pulls[label][np.argmin(np.abs(u - e))] for e in (-3.0, -0.1, 0.1, 3.0)}
    print(
        f"{label:17s} pull at u = -3, -0.1, 0.1, 3:", np.round(list(at.values()), 3)
    )
# --8<-- [end:map]

# Each pull is what the page says it is.
np.testing.assert_allclose(pulls["MSE"], 2 * u, atol=1e-12)
np.testing.assert_allclose(pulls["MAE"][u != 0], np.sign(u[u != 0]), atol=1e-12)
np.testing.assert_allclose(
    pulls["Huber, delta=0.5"], np.clip(u, -0.5, 0.5), atol=1e-12
)
np.testing.assert_allclose(pulls["log-cosh"], np.tanh(u), atol=1e-12)
pin = pulls["pinball, tau=0.9"]
np.testing.assert_allclose(pin[u > 0], tau, atol=1e-12)
np.testing.assert_allclose(pin[u < 0], tau - 1, atol=1e-12)

# --8<-- [start:map_figure]
from lossbook.plotting import plot_loss_map

fig = plot_loss_map(u, values, pulls)
# --8<-- [end:map_figure]

# --8<-- [start:overflow]
import keras

big = tf.constant([[-1e4], [-100.0], [100.0], [1e4]], tf.float32)  # errors
zeros = tf.zeros_like(big)
print("log(cosh(u)), naive:", tf.math.log(tf.math.cosh(big)).numpy().ravel())
print("lossbook log_cosh:  ", log_cosh(zeros, big).numpy())
print("Keras log_cosh:     ", keras.losses.log_cosh(zeros, big).numpy())
small = tf.constant([[1e-4]], tf.float32)
print(f"u = 1e-4, log(cosh(u)) in float64: {np.log(np.cosh(1e-4)):.7e}")
print(f"  lossbook: {log_cosh(tf.zeros_like(small), small).numpy()[0]:.7e}")
print(f"  Keras:    {keras.losses.log_cosh(zeros[:1], small).numpy()[0]:.7e}")
# --8<-- [end:overflow]

naive_overflow = bool(np.all(np.isinf(tf.math.log(tf.math.cosh(big)).numpy())))
ours_big = log_cosh(zeros, big).numpy()
keras_small = float(keras.losses.log_cosh(tf.zeros_like(small), small).numpy()[0])
ours_small = float(log_cosh(tf.zeros_like(small), small).numpy()[0])
assert naive_overflow and np.allclose(
    ours_big, np.abs(big.numpy().ravel()) - np.log(2)
)
assert abs(ours_small / 5e-9 - 1) < 1e-6 and keras_small == 0.0  # all digits lost

# Where float32's cosh overflows, and Keras' formula, as the page states them.
assert np.isfinite(tf.math.cosh(tf.constant(89.4)).numpy())
assert np.isinf(tf.math.cosh(tf.constant(89.5)).numpy())
u32 = tf.constant(np.linspace(-20, 20, 81).reshape(-1, 1), tf.float32)
keras_formula = tf.reduce_mean(
    u32 + tf.nn.softplus(-2 * u32) - np.log(2.0), axis=-1
)
np.testing.assert_allclose(
    keras.losses.log_cosh(tf.zeros_like(u32), u32),
    keras_formula,
    rtol=1e-6,
    atol=1e-6,
)
