"""Exercises of the robust-regression lesson, with their solutions.

Lesson: robust_regression.md. Shows: (1) log-cosh on sales in a unit 20 times
smaller resists the bad days nearly like MAE (asserted); (2) how many bad days
MAE survives (asserted: 3 barely move it, 16 of 32 do); (3) huber / delta tends
to MAE as delta shrinks, off by at most delta / 2 (asserted).
"""

# --8<-- [start:ex1]
import numpy as np

from lossbook.data import yogurt_sales, yogurt_sales_with_typos
from lossbook.losses import log_cosh
from lossbook.train import newton_fit

x, y_, _ = yogurt_sales_with_typos()
_, y_clean = yogurt_sales()
smaller = 20  # the same sales in a unit 20 times smaller
for scale in (1, smaller):
    w = newton_fit(x, scale * y_, log_cosh) / scale  # back to the original unit
    w_clean = newton_fit(x, scale * y_clean, log_cosh) / scale
    moved = float(np.linalg.norm(w - w_clean))
    print(f"sales x {scale:2d}: w = {w.ravel()}, moved by the bad days {moved:.4f}")
# --8<-- [end:ex1]

moved_smaller = moved
assert moved_smaller < 0.05

# --8<-- [start:ex2]
from lossbook.train import exact_asymmetric_fit

w_clean_mae = exact_asymmetric_fit(x, y_clean, profit=1, cost=1)
w_clean_mse = np.linalg.lstsq(x, y_clean, rcond=None)[0]
mae_moved, mse_moved = [], []
for days in (1, 3, 8, 12, 16):
    _, y_bad, _ = yogurt_sales_with_typos(days=days)
    w_mae = exact_asymmetric_fit(x, y_bad, profit=1, cost=1)
    w_mse = np.linalg.lstsq(x, y_bad, rcond=None)[0]
    mae_moved.append(float(np.linalg.norm(w_mae - w_clean_mae)))
    mse_moved.append(float(np.linalg.norm(w_mse - w_clean_mse)))
    print(
        f"{days:2d} bad days: MAE moved {mae_moved[-1]:.4f},"
        f" MSE moved {mse_moved[-1]:.4f}"
    )
# --8<-- [end:ex2]

assert mae_moved[1] < 0.02 and mae_moved[3] < 0.2  # 3 days: barely; 12: held
assert mae_moved[4] > mse_moved[4]  # 16 of 32: broken, worse than MSE
assert mse_moved[0] > 10 * mae_moved[0]

# --8<-- [start:ex3]
from lossbook.losses import huber, mean_absolute_error

rng = np.random.default_rng(1)
y_true, y_pred = rng.normal(size=(2, 1000, 1))
mae = mean_absolute_error(y_true, y_pred).numpy()
for delta in (0.1, 0.01, 0.001):
    gap = np.abs(huber(y_true, y_pred, delta=delta).numpy() / delta - mae).max()
    print(
        f"delta = {delta}: largest |huber/delta - MAE| = {gap:.2e},"
        f" delta/2 = {delta / 2}"
    )
    assert gap <= delta / 2 + 1e-12
# --8<-- [end:ex3]
