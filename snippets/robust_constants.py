"""The best constant prediction under each loss: mean, median, quantile; Huber's
goes from the median to the mean as delta grows, not always between them.

Lesson: robust_regression.md. Shows: on the 32 recorded sales (three of them x5),
the constant c minimising each loss, found as a model y = c (a column of ones) by
the same exact fits as the lines; each asserted against NumPy (mean, median,
quantile, the root of Huber's estimating equation by bisection).
"""

# --8<-- [start:constants]
import numpy as np

from lossbook.data import yogurt_sales, yogurt_sales_with_typos
from lossbook.losses import mean_squared_error
from lossbook.train import exact_asymmetric_fit, newton_fit

_, y_, _ = yogurt_sales_with_typos()
ones = np.ones((len(y_), 1))  # the model y = c: one weight, a column of ones
tau = 0.9
best = {
    "MSE": newton_fit(ones, y_, mean_squared_error)[0, 0],
    "MAE": exact_asymmetric_fit(ones, y_, profit=1, cost=1)[0, 0],
    "pinball, tau=0.9": exact_asymmetric_fit(ones, y_, profit=tau, cost=1 - tau)[
        0, 0
    ],
}
for label, c in best.items():
    print(f"{label:17s} best constant c = {c:.4f}")
y = np.sort(y_.ravel().astype(np.float64))
print(
    f"NumPy: mean {y.mean():.4f}, median {np.median(y):.4f}"
    f" (any c from {y[15]:.4f} to {y[16]:.4f}),"
    f" 0.9-quantile {np.quantile(y, tau, method='inverted_cdf'):.4f}"
)
clean = yogurt_sales()[1].ravel().astype(np.float64)
print(f"clean data: mean {clean.mean():.4f}, median {np.median(clean):.4f}")
# --8<-- [end:constants]

mean_shift = y.mean() - clean.mean()
median_shift = np.median(y) - np.median(clean)
assert 0 < median_shift < mean_shift / 2

assert abs(best["MSE"] - y.mean()) < 1e-9
# 32 values: every c between the 16th and the 17th smallest is a median.
assert y[15] - 1e-9 <= best["MAE"] <= y[16] + 1e-9
# n tau = 28.8 is not whole: the unique minimiser is the 29th smallest value.
assert (
    abs(best["pinball, tau=0.9"] - np.quantile(y, tau, method="inverted_cdf"))
    < 1e-9
)

# --8<-- [start:huber]
from lossbook.losses import huber

deltas = [0.001, 0.1, 0.3, 1.0, 2.0, 5.0]
huber_c = []
for delta in deltas:
    w = newton_fit(ones, y_, lambda t, p, d=delta: huber(t, p, delta=d))
    huber_c.append(w[0, 0])
    print(f"Huber, delta={delta:<5g}  best constant c = {huber_c[-1]:.4f}")
# --8<-- [end:huber]


def huber_root(delta):
    """The root of sum(clip(y - c, -delta, delta)) = 0, by bisection."""
    low, high = y.min(), y.max()
    for _ in range(200):  # the sum decreases in c
        mid = (low + high) / 2
        if np.clip(y - mid, -delta, delta).sum() > 0:
            low = mid
        else:
            high = mid
    return low


for delta, c in zip(deltas, huber_c, strict=True):
    assert abs(c - huber_root(delta)) < 1e-8
median, mean = np.median(y), y.mean()
farthest = float(np.abs(y - mean).max())
assert abs(huber_c[0] - median) < deltas[0]  # delta -> 0: the median
assert (
    deltas[-1] > farthest and abs(huber_c[-1] - mean) < 1e-9
)  # all quadratic: the mean
below_median = huber_c[deltas.index(0.3)]
assert below_median < median  # not always between the median and the mean
