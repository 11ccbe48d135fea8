"""MSE against the profit/cost loss both ways round, and why the note's w1 keeps
jumping.

Lesson: custom_loss.md. Shows: PROFIT=99 over-predicts, COST=99 under-predicts, MSE
sits in the middle (one figure); the jumps of reduce_sum x 99 x lr 0.002 and two
fixes that converge to the exact minimiser.
"""

# --8<-- [start:three_fits]
import numpy as np

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss, MeanSquaredError
from lossbook.train import fit_linear

x, y_ = yogurt_sales()
losses = {
    "MSE": MeanSquaredError(),
    "PROFIT=99, COST=1": AsymmetricLoss(profit=99, cost=1, reduction="sum"),
    "PROFIT=1, COST=99": AsymmetricLoss(profit=1, cost=99, reduction="sum"),
}
fits = {}
for label, loss_fn in losses.items():
    steps = 15000 if label == "MSE" else 10000  # as in the note
    fits[label], _ = fit_linear(x, y_, loss_fn, steps=steps, learning_rate=0.002)
    too_many = np.mean(x @ fits[label] > y_)
    print(f"{label:17s}  w1 = {fits[label].ravel()}  too many: {too_many:4.0%}")
# --8<-- [end:three_fits]

# --8<-- [start:three_fits_figure]
from lossbook.plotting import plot_predictions

fig = plot_predictions(y_, {label: x @ w for label, w in fits.items()})
# --8<-- [end:three_fits_figure]

# --8<-- [start:jumps]
import keras

from lossbook.train import exact_asymmetric_fit

w_exact = exact_asymmetric_fit(x, y_, profit=99, cost=1)
decay = keras.optimizers.schedules.InverseTimeDecay(
    0.002, decay_steps=100, decay_rate=1.0
)
runs = {
    "reduce_sum, lr=0.002": (AsymmetricLoss(99, 1, reduction="sum"), 0.002),
    "reduce_mean, lr=0.002": (AsymmetricLoss(99, 1), 0.002),
    "reduce_sum, lr=0.002/(1+step/100)": (
        AsymmetricLoss(99, 1, reduction="sum"),
        decay,
    ),
}
histories, finals = {}, {}
for label, (loss_fn, lr) in runs.items():
    finals[label], histories[label] = fit_linear(
        x, y_, loss_fn, steps=10000, learning_rate=lr
    )
    swing = np.ptp(histories[label].all_weights[-500:], axis=0).max()
    error = np.abs(finals[label] - w_exact).max()
    print(
        f"{label:34s} w1 = {finals[label].ravel()}  "
        f"swing in last 500 steps {swing:.4f}  off the exact answer by {error:.4f}"
    )
print(f"{'exact minimiser':34s} w1 = {w_exact.ravel()}")
one_day_step = 0.002 * 99 * x.max()
print(f"one short day moves w1 by up to 0.002 * 99 * max(x) = {one_day_step:.2f}")
swing_note = float(
    np.ptp(histories["reduce_sum, lr=0.002"].all_weights[-500:], axis=0).max()
)
error_decay = float(
    np.abs(finals["reduce_sum, lr=0.002/(1+step/100)"] - w_exact).max()
)
# --8<-- [end:jumps]

# --8<-- [start:jumps_figure]
from lossbook.plotting import plot_weight_paths

fig = plot_weight_paths(histories, exact=w_exact, last=300)
# --8<-- [end:jumps_figure]
