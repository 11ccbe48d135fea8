"""The yogurt data with three days recorded x5: MSE is dragged, MAE is not, Huber
with Keras' default delta and log-cosh go part of the way.

Lesson: robust_regression.md. Shows: the bad days; the exact fit of each loss on
the dirty and on the clean data, and how far the three days moved it (a table,
asserted in order: MAE moved least, MSE most, Huber and log-cosh between); one
figure.
"""

# --8<-- [start:typos]
import numpy as np

from lossbook.data import yogurt_sales, yogurt_sales_with_typos

x, y_, bad = yogurt_sales_with_typos()  # three days recorded five times over
_, y_clean = yogurt_sales()
for day in bad:
    print(
        f"day {day:2d}: x = {x[day]}, recorded {y_[day, 0]:.3f},"
        f" really sold {y_clean[day, 0]:.3f}"
    )
# --8<-- [end:typos]

# --8<-- [start:typos_figure]
from lossbook.plotting import plot_typos

fig = plot_typos(x, y_, bad)
# --8<-- [end:typos_figure]

# --8<-- [start:fits]
from lossbook.losses import huber, log_cosh, mean_squared_error
from lossbook.train import exact_asymmetric_fit, newton_fit


def fit(loss, y):
    """The exact minimiser of each loss on the sales y (float64)."""
    if loss == "MAE":  # corners: the exact vertex search (PROFIT = COST)
        return exact_asymmetric_fit(x, y, profit=1, cost=1)
    return newton_fit(x, y, LOSSES[loss])  # differentiable: Newton's method


LOSSES = {
    "MSE": mean_squared_error,
    "MAE": None,
    "Huber, delta=1": huber,  # Keras' default delta
    "log-cosh": log_cosh,
}
fits, moved = {}, {}
print(f"{'loss':15s} {'w (3 days wrong)':>22s} {'w (clean)':>20s}  moved by")
for loss in LOSSES:
    fits[loss], clean = fit(loss, y_), fit(loss, y_clean)
    moved[loss] = float(np.linalg.norm(fits[loss] - clean))
    print(
        f"{loss:15s} {np.array2string(fits[loss].ravel(), precision=4):>22s}"
        f" {np.array2string(clean.ravel(), precision=4):>20s}  {moved[loss]:.4f}"
    )
# --8<-- [end:fits]

# The claims the page makes about this table.
moved_mse, moved_mae = moved["MSE"], moved["MAE"]
moved_huber, moved_log_cosh = moved["Huber, delta=1"], moved["log-cosh"]
assert moved_mae < 0.02 < moved_huber < moved_mse and moved_log_cosh < moved_mse / 2
assert abs(moved_log_cosh - moved_huber) < 0.1 * moved_huber  # near each other
assert 0.3 < moved_huber / moved_mse < 0.4  # about a third of the way
w_mse = fits["MSE"].ravel()
assert w_mse[0] > 1.5 and w_mse[1] < 0.9  # one weight up, the other down

# --8<-- [start:capped]
_, y_50, _ = yogurt_sales_with_typos(factor=50)  # the same days, x50
moved_50 = {}
for loss in LOSSES:
    moved_50[loss] = float(np.linalg.norm(fit(loss, y_50) - fit(loss, y_clean)))
    print(
        f"{loss:15s} moved by the bad days: x5 {moved[loss]:.4f},"
        f" x50 {moved_50[loss]:.4f}"
    )
# --8<-- [end:capped]

# The capped pull: ten times farther, the same fit (Huber, MAE); MSE is dragged on.
assert abs(moved_50["Huber, delta=1"] - moved["Huber, delta=1"]) < 1e-9
assert abs(moved_50["MAE"] - moved["MAE"]) < 1e-9
assert abs(moved_50["log-cosh"] / moved["log-cosh"] - 1) < 0.01
assert moved_50["MSE"] > 5 * moved["MSE"]

# --8<-- [start:fits_figure]
from lossbook.plotting import plot_robust_fits

fig = plot_robust_fits(fits)
# --8<-- [end:fits_figure]

# The bad days' errors under the Huber (delta = 1) fit are "about 3".
bad_errors = (y_ - x @ fits["Huber, delta=1"])[bad].ravel()
assert np.all((2.5 < bad_errors) & (bad_errors < 4))

# The ordinary days' errors under the Huber (delta = 1) fit and the clean fit.
good = np.setdiff1d(np.arange(len(y_)), bad)
ordinary_huber = float(np.abs(y_ - x @ fits["Huber, delta=1"])[good].mean())
ordinary_clean = float(np.abs(y_clean - x @ fit("MSE", y_clean))[good].mean())
assert ordinary_huber > 2 * ordinary_clean

# The explorable figure under the first figure (build.insert_widgets): the days as
# that figure draws them, sales against s = x1 + x2, and this run's lines y = a + b
# s fitted by each loss (for the picture: one input and an intercept), which it must
# show before the reader moves a day; the day it starts with is the largest of the
# three typos.
s_widget = x[:, 0].astype(np.float64) + x[:, 1].astype(np.float64)
line_widget = np.column_stack([np.ones_like(s_widget), s_widget])
widget_day = int(bad[np.argmax(np.ravel(y_)[bad])])  # quoted by the page
widget = {
    "s": s_widget,
    "y": np.ravel(y_).astype(np.float64),
    "bad": np.asarray(bad),
    "delta": 1.0,
    "point": widget_day,
    "at_default": {
        "mse": newton_fit(line_widget, y_, mean_squared_error).ravel(),
        "mae": exact_asymmetric_fit(line_widget, y_, profit=1, cost=1).ravel(),
        "huber": newton_fit(line_widget, y_, huber).ravel(),
    },
}
