"""Choosing Huber's delta: a sweep, and delta from the data's own noise (MAD).

Lesson: robust_regression.md. Shows: how far the three bad days move the Huber
fit for delta from 0.01 to 10 (small delta behaves like MAE, large like MSE;
asserted); the noise scale estimated robustly from the MAE fit's residuals, delta
= 1.345 sigma, and its fit as close as MAE's.
"""

# --8<-- [start:sweep]
import numpy as np

from lossbook.data import yogurt_sales, yogurt_sales_with_typos
from lossbook.losses import huber, mean_squared_error
from lossbook.train import exact_asymmetric_fit, newton_fit

x, y_, bad = yogurt_sales_with_typos()
_, y_clean = yogurt_sales()
w_mse = newton_fit(x, y_, mean_squared_error)
w_mae = exact_asymmetric_fit(x, y_, profit=1, cost=1)


def huber_fit(delta, y):
    return newton_fit(
        x, y, lambda y_true, y_pred: huber(y_true, y_pred, delta=delta)
    )


deltas = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
moved = []
for delta in deltas:
    w = huber_fit(delta, y_)
    moved.append(float(np.linalg.norm(w - huber_fit(delta, y_clean))))
    print(f"delta = {delta:5.2f}: w = {w.ravel()}, moved by {moved[-1]:.4f}")
print(f"MAE:           w = {w_mae.ravel()}")
print(f"MSE:           w = {w_mse.ravel()}")
# --8<-- [end:sweep]

# The claims the page makes about the sweep.
assert all(
    a < b for a, b in zip(moved, moved[1:], strict=False)
)  # grows with delta
assert moved[0] < 0.03 and moved[-1] > 0.7
assert np.allclose(
    huber_fit(deltas[-1], y_), w_mse, atol=1e-9
)  # delta 10: exactly MSE
largest_error = float(np.abs(y_ - x @ w_mse).max())
assert largest_error < deltas[-1]

# --8<-- [start:mad]
residual = (y_ - x @ w_mae).ravel()  # the MAE fit: barely moved by the bad days
mad = np.median(np.abs(residual - np.median(residual)))
sigma = 1.4826 * mad  # the MAD of normal noise is 0.6745 sigma
delta_rule = 1.345 * sigma  # Huber's 95 % efficiency rule
w_rule = huber_fit(delta_rule, y_)
moved_rule = float(np.linalg.norm(w_rule - huber_fit(delta_rule, y_clean)))
print(
    f"robust noise scale sigma = {sigma:.4f}"
    f"  (the noise's true sd: {0.1 / 12**0.5:.4f})"
)
print(
    f"delta = 1.345 sigma = {delta_rule:.4f}: w = {w_rule.ravel()},"
    f" moved by {moved_rule:.4f}"
)
print(f"ordinary sd of the residuals:    {residual.std():.4f}")
# --8<-- [end:mad]

true_sd = 0.1 / 12**0.5
residual_sd = float(residual.std())
assert (
    abs(sigma - true_sd) < 0.5 * true_sd < residual.std()
)  # MAD ignores the bad days
assert moved_rule < 0.03

# The rule's two constants, for normal noise: MAD = 0.6745 sigma, and Huber's
# estimate with delta = 1.345 sigma keeps 95 % of least squares' efficiency.
from statistics import NormalDist

normal = NormalDist()
assert abs(1 / normal.inv_cdf(0.75) - 1.4826) < 1e-4
k = 1.345
inside = 2 * normal.cdf(k) - 1  # E[psi'], psi = clip(u, -k, k)
psi2 = inside - 2 * k * normal.pdf(k) + 2 * k**2 * (1 - normal.cdf(k))  # E[psi^2]
assert abs(inside**2 / psi2 - 0.95) < 1e-3
