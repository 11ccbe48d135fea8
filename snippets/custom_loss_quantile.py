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

taus, biases, predicted_biases, gaps, shorts, exacts = [], [], [], [], [], []
for profit, cost in ((99, 1), (1, 99)):
    tau = profit / (profit + cost)
    # The loss is (PROFIT + COST) x pinball: scale the rate by 1 / (PROFIT + COST).
    decay = keras.optimizers.schedules.InverseTimeDecay(
        1.0 / (profit + cost), decay_steps=100, decay_rate=1.0
    )
    loss_fn = AsymmetricLoss(profit, cost)
    w, _ = fit_linear(x_b, y_, loss_fn, steps=100_000, learning_rate=decay)
    w_exact = exact_asymmetric_fit(x_b, y_, profit=profit, cost=cost)
    short, exact, over = count_residuals(x_b, y_, w_exact, tol=1e-9)
    limit = n * cost / (profit + cost)  # n (1 - tau)
    taus.append(tau)
    biases.append(float(w[2, 0]))
    predicted_biases.append(-0.05 + 0.1 * tau)
    gaps.append(float(np.abs(w - w_exact).max()))
    shorts.append(short)
    exacts.append(exact)
    print(f"PROFIT={profit}, COST={cost}: tau = {tau:.2f}")
    print(f"  gradient descent w1 = {w.ravel()}")
    print(f"  exact minimiser     {w_exact.ravel()}  gap {gaps[-1]:.1e}")
    print(f"  bias {w[2, 0]:+.4f}, -0.05 + 0.1 tau = {predicted_biases[-1]:+.4f}")
    print(f"  short {short}, exact {exact}, over {over} of {n} days")
    print(f"  N_short = {short} <= n(1 - tau) = {limit:.2f} <= {short + exact}")
    assert short <= limit <= short + exact  # the quantile property, for this run
    gd_counts = count_residuals(x_b, y_, w, tol=5e-4)
    assert gd_counts == (short, exact, over)  # gradient descent agrees

noise = y_.ravel().astype(np.float64) - x.sum(axis=1)  # the noise actually drawn
bias_gaps = np.abs(np.array(biases) - np.array(predicted_biases))
spacing = 0.1 / (
    n + 1
)  # average gap between neighbouring values of n uniform draws
print(f"the {n} noise values run from {noise.min():+.4f} to {noise.max():+.4f}")
print(f"|bias - noise quantile|: {bias_gaps.round(4)}")
print(
    f"neighbouring noise values lie 0.1 / {n + 1} = {spacing:.4f} apart on average"
)
# --8<-- [end:bias]

limits = [n * (1 - tau) for tau in taus]
