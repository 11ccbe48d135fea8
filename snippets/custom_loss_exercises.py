"""Solutions to the exercises of the custom-loss lesson.

Lesson: custom_loss.md, section "Exercises". Shows: PROFIT = COST predicts the
median; PROFIT/COST = 9 predicts the 90% quantile; the gradient is -PROFIT or +COST.
"""

# --8<-- [start:ex1]
import keras
import numpy as np

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss
from lossbook.train import fit_linear

x, y_ = yogurt_sales()
x_b = np.hstack([x, np.ones((len(x), 1), np.float32)])
decay = keras.optimizers.schedules.InverseTimeDecay(
    0.01, decay_steps=100, decay_rate=1.0
)


def fraction_under(profit, cost):
    w, _ = fit_linear(
        x_b, y_, AsymmetricLoss(profit, cost), steps=100_000, learning_rate=decay
    )
    residual = y_.ravel() - (x_b @ w).ravel()
    return np.mean(residual > 1e-4), np.mean(np.abs(residual) <= 1e-4)


under, on = fraction_under(1, 1)
print(
    f"PROFIT = COST: short on {under:.3f} of days, exact on {on:.3f} (median: 0.5)"
)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
under, on = fraction_under(9, 1)
print(
    f"PROFIT=9, COST=1 (tau = 0.9): short on {under:.3f} of days, exact on {on:.3f}"
)
# --8<-- [end:ex2]

# --8<-- [start:ex3]
import tensorflow as tf

from lossbook.losses import asymmetric_loss

y_true = tf.constant([[1.0], [2.0], [3.0]])
y_pred = tf.Variable([[0.5], [2.5], [3.0]])  # too few, too many, exact
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(asymmetric_loss(y_true, y_pred, profit=99, cost=1))
print("gradient:", tape.gradient(loss, y_pred).numpy().ravel())
# --8<-- [end:ex3]
