"""Solutions to the exercises of the custom-loss lesson.

Lesson: custom_loss.md, section "Exercises". Shows: PROFIT = COST predicts the
median, PROFIT/COST = 9 the 90% quantile (gradient descent with its rate
scaled to PROFIT + COST, beside the exact fit; the day counts asserted); the
gradient is -PROFIT or +COST.
"""

# --8<-- [start:ex1]
import keras
import numpy as np

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss
from lossbook.train import count_residuals, exact_asymmetric_fit, fit_linear

x, y_ = yogurt_sales()
x_b = np.hstack([x, np.ones((32, 1), np.float32)])


def fit_quantile(profit, cost):
    decay = keras.optimizers.schedules.InverseTimeDecay(
        1 / (profit + cost), 100, 1.0
    )
    w, _ = fit_linear(
        x_b, y_, AsymmetricLoss(profit, cost), steps=100_000, learning_rate=decay
    )
    w_exact = exact_asymmetric_fit(x_b, y_, profit=profit, cost=cost)
    short, exact, over = count_residuals(x_b, y_, w_exact, tol=1e-9)
    print(f"gradient descent {w.ravel()}\nexact minimiser  {w_exact.ravel()}")
    print(
        f"short {short}, exact {exact}, over {over}; n(1 - tau) = "
        f"{32 * cost / (profit + cost):.2f}"
    )
    assert short <= 32 * cost / (profit + cost) <= short + exact
    assert count_residuals(x_b, y_, w, tol=5e-4) == (short, exact, over)
    return float(np.abs(w - w_exact).max()), short, exact


gap_median, short_median, exact_median = fit_quantile(1, 1)
# --8<-- [end:ex1]

# --8<-- [start:ex2]
gap_90, short_90, exact_90 = fit_quantile(9, 1)
# --8<-- [end:ex2]
# n(1 - tau) = 3.2 only caps the short days; the fit passes through 3 points (as
# many as it has parameters), and those days have enough, so more than 90% do.
enough_90 = 1 - short_90 / 32
assert short_90 < 32 * 0.1 <= short_90 + exact_90 and exact_90 == 3
assert enough_90 > 0.9, enough_90

# --8<-- [start:ex3]
import tensorflow as tf

from lossbook.losses import asymmetric_loss

y_true = tf.constant([[1.0], [2.0], [3.0]])
y_pred = tf.Variable([[0.5], [2.5], [3.0]])  # too few, too many, exact
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(asymmetric_loss(y_true, y_pred, profit=99, cost=1))
gradient = tape.gradient(loss, y_pred).numpy().ravel()
print("gradient:", gradient)
# --8<-- [end:ex3]

assert list(gradient) == [
    -99.0,
    1.0,
    -99.0,
]  # -PROFIT, +COST, and -PROFIT at the kink
