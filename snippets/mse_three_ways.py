"""One mean squared error computed three ways, and the shape trap of the hand-
written one.

Lesson: mse.md. Shows: ``tf.reduce_mean(tf.square(...))``, ``lossbook`` and
``tf.keras.losses`` agree; ``(n,)`` against ``(n, 1)`` broadcasts to ``(n, n)`` by
hand; NaN and inf propagate the same way through Keras and lossbook (asserted).
"""

# --8<-- [start:inputs]
import numpy as np
import tensorflow as tf

import lossbook.losses

y_true = tf.constant([[3.0], [5.0], [2.5], [7.0]])  # known answers, shape (4, 1)
y_pred = tf.constant([[2.5], [5.0], [3.0], [8.0]])  # predictions, shape (4, 1)
# --8<-- [end:inputs]

# --8<-- [start:by_hand]
mse_by_hand = tf.reduce_mean(tf.square(y_true - y_pred))
print("by hand:", mse_by_hand.numpy())
# --8<-- [end:by_hand]

# --8<-- [start:with_lossbook]
per_sample = lossbook.losses.mean_squared_error(y_true, y_pred)  # one value per row
mse_lossbook = lossbook.losses.MeanSquaredError()(y_true, y_pred)  # batch average
print("per sample:", per_sample.numpy())
print("lossbook:", mse_lossbook.numpy())
# --8<-- [end:with_lossbook]

# --8<-- [start:with_keras]
mse_keras = tf.keras.losses.MeanSquaredError()(y_true, y_pred)
print("keras:", mse_keras.numpy())
# --8<-- [end:with_keras]

# --8<-- [start:compare]
values = [float(mse_by_hand), float(mse_lossbook), float(mse_keras)]
print("values:", values)
print("all equal:", values[0] == values[1] == values[2])
# --8<-- [end:compare]

assert values[0] == values[1] == values[2]

# --8<-- [start:trap]
y_flat = tf.reshape(y_true, [-1])  # shape (4,): a common way to hold labels
diff = y_flat - y_pred  # (4,) - (4, 1) broadcasts to (4, 4)!
print("shape of y_flat - y_pred:", diff.shape)
print("by hand, shapes (4,) and (4, 1):", tf.reduce_mean(tf.square(diff)).numpy())
print("keras:   ", tf.keras.losses.MeanSquaredError()(y_flat, y_pred).numpy())
print("lossbook:", lossbook.losses.MeanSquaredError()(y_flat, y_pred).numpy())
# --8<-- [end:trap]

# The page: the trap's value is the mean over all 4 x 4 "answer minus prediction".
all_pairs = np.subtract.outer(y_true.numpy().ravel(), y_pred.numpy().ravel())
assert np.isclose(tf.reduce_mean(tf.square(diff)).numpy(), np.mean(all_pairs**2))
assert lossbook.losses.MeanSquaredError()(y_flat, y_pred).numpy() == mse_lossbook

# --8<-- [start:strict]
y_row = tf.reshape(y_true, [1, 4])  # a row where a column was meant
mse_keras_row = tf.keras.losses.MeanSquaredError()(y_row, y_pred)
print("keras, shapes (1, 4) and (4, 1):", mse_keras_row.numpy())
try:
    lossbook.losses.MeanSquaredError()(y_row, y_pred)
except ValueError as err:
    print("lossbook: ValueError:", err)
else:
    raise AssertionError("lossbook should refuse shapes (1, 4) and (4, 1)")
# --8<-- [end:strict]

assert mse_keras_row.numpy() == tf.reduce_mean(tf.square(diff)).numpy()  # broadcast

# --8<-- [start:nan]
y_bad = tf.constant([[3.0], [np.nan], [np.inf], [np.inf]])  # NaN, inf, inf
y_hat = tf.constant([[2.5], [5.0], [3.0], [np.inf]])  # inf on the last
# tf.keras.losses calls it `mse`; only `keras.losses` has `mean_squared_error`.
print("keras:   ", tf.keras.losses.mse(y_bad, y_hat).numpy())
print("lossbook:", lossbook.losses.mean_squared_error(y_bad, y_hat).numpy())
inf_only = tf.constant([[3.0], [5.0], [np.inf], [7.0]])
print(
    "mean, one inf:      ",
    lossbook.losses.MeanSquaredError()(inf_only, y_pred).numpy(),
)
print(
    "mean, inf and NaN:  ", lossbook.losses.MeanSquaredError()(y_bad, y_hat).numpy()
)
# --8<-- [end:nan]

import keras

keras_nan = tf.keras.losses.mse(y_bad, y_hat).numpy()
ours_nan = lossbook.losses.mean_squared_error(y_bad, y_hat).numpy()
assert np.array_equal(keras_nan, ours_nan, equal_nan=True)
assert np.isnan(ours_nan[1]) and np.isinf(ours_nan[2]) and np.isnan(ours_nan[3])
assert ours_nan[0] == 0.25  # the other samples are unaffected
assert np.isinf(lossbook.losses.MeanSquaredError()(inf_only, y_pred).numpy())
assert np.isnan(lossbook.losses.MeanSquaredError()(y_bad, y_hat).numpy())
assert hasattr(tf.keras.losses, "mse") and hasattr(
    keras.losses, "mean_squared_error"
)
assert not hasattr(tf.keras.losses, "mean_squared_error")
