"""The profit/cost loss is a scaled pinball loss, so its answer is a quantile.

Lesson: custom_loss.md. Shows: asymmetric_loss = (PROFIT + COST) x pinball loss at
tau = PROFIT / (PROFIT + COST); with a bias the fit's short days obey
N_short <= n (1 - tau) <= N_short + N_exact (asserted), gradient descent beside the
exact minimiser.
"""

# --8<-- [start:pinball]
import numpy as np

from lossbook.losses import asymmetric_loss


def pinball(y_true, y_pred, tau):
    """Pinball loss: tau * u if u > 0, else (tau - 1) * u; u = y_true - y_pred."""
    u = y_true - y_pred
    return np.mean(np.maximum(tau * u, (tau - 1) * u), axis=-1)


rng = np.random.default_rng(0)
y_true, y_pred = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
profit, cost = 99.0, 1.0
tau = profit / (profit + cost)
ours = asymmetric_loss(y_true, y_pred, profit=profit, cost=cost).numpy()
scaled = (profit + cost) * pinball(y_true, y_pred, tau)
print("asymmetric_loss:          ", ours)
print("(PROFIT + COST) * pinball:", scaled)
pinball_gap = float(np.max(np.abs(ours - scaled)))
print("largest difference:", pinball_gap)
assert pinball_gap < 1e-9
# --8<-- [end:pinball]

# --8<-- [start:bias]
import keras

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss
from lossbook.train import count_residuals, exact_asymmetric_fit, fit_linear

x, y_ = yogurt_sales()
n = len(x)
x_b = np.hstack(
    [x, np.ones((n, 1), np.float32)]
)  # a column of ones: w1[2] is a bias
fits, gaps, shorts, exacts, limits = [], [], [], [], []
for profit, cost in ((99, 1), (1, 99)):
    # The loss is (PROFIT + COST) x pinball: scale the rate by 1 / (PROFIT + COST).
    decay = keras.optimizers.schedules.InverseTimeDecay(
        1 / (profit + cost), 100, 1.0
    )
    w, _ = fit_linear(
        x_b, y_, AsymmetricLoss(profit, cost), steps=100_000, learning_rate=decay
    )
    w_exact = exact_asymmetric_fit(x_b, y_, profit=profit, cost=cost)
    short, exact, over = count_residuals(x_b, y_, w_exact, tol=1e-9)
    limit = n * cost / (profit + cost)  # n (1 - tau)
    assert short <= limit <= short + exact  # the quantile property, for this run
    assert count_residuals(x_b, y_, w, tol=5e-4) == (short, exact, over)
    fits.append(w)
    gaps.append(float(np.abs(w - w_exact).max()))
    shorts, exacts, limits = shorts + [short], exacts + [exact], limits + [limit]
    print(f"PROFIT={profit}, COST={cost}: gradient descent {w.ravel()}")
    print(f"  exact minimiser {w_exact.ravel()}, gap {gaps[-1]:.1e}")
    print(
        f"  N_short = {short} <= n(1 - tau) = {limit:.2f} <= {short + exact}"
        f" = N_short + N_exact"
    )
# --8<-- [end:bias]

taus = [99 / 100, 1 / 100]
biases = [float(w[2, 0]) for w in fits]
predicted_biases = [-0.05 + 0.1 * tau for tau in taus]  # the noise's tau-quantile
bias_gaps = np.abs(np.array(biases) - np.array(predicted_biases))
spacing = 0.1 / (
    n + 1
)  # average gap between neighbouring values of n uniform draws

# The explorable figure under this section (custom_loss.md, build.insert_widgets):
# the data it starts from, and this run's exact minimisers at the page's PROFIT=99,
# COST=1, without and with the bias, which it must show at those settings
# (tests/test_widgets.py).
at_default = {}
for key, features in (("plain", x), ("bias", x_b)):
    w_default = exact_asymmetric_fit(features, y_, profit=99, cost=1)
    counted = count_residuals(features, y_, w_default, tol=1e-9)
    at_default[key] = {"w": w_default.ravel(), **counted._asdict()}
widget = {
    "x": x,
    "y": y_.ravel(),
    "profit": 99,
    "cost": 1,
    "at_default": at_default,
}
