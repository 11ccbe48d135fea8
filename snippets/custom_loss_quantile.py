"""The profit/cost loss is a scaled pinball loss, so its answer is a quantile.

Lesson: custom_loss.md. Shows: asymmetric_loss = (PROFIT + COST) x pinball loss at
tau = PROFIT / (PROFIT + COST); with a bias the model learns the tau-quantile of the
noise, and about 1 - tau of the days end up under-predicted.
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
print("largest difference:", np.max(np.abs(ours - scaled)))
# --8<-- [end:pinball]

# --8<-- [start:bias]
import keras

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss
from lossbook.train import exact_asymmetric_fit, fit_linear

x, y_ = yogurt_sales()
x_b = np.hstack(
    [x, np.ones((len(x), 1), np.float32)]
)  # a column of ones: w1[2] is a bias
decay = keras.optimizers.schedules.InverseTimeDecay(
    0.01, decay_steps=100, decay_rate=1.0
)

taus, biases, predicted_biases = [], [], []
for profit, cost in ((99, 1), (1, 99)):
    tau = profit / (profit + cost)
    loss_fn = AsymmetricLoss(profit, cost)
    w, _ = fit_linear(x_b, y_, loss_fn, steps=100_000, learning_rate=decay)
    w_exact = exact_asymmetric_fit(x_b, y_, profit=profit, cost=cost)
    residual = y_.ravel() - (x_b @ w).ravel()  # > 0: made too few (a short day)
    short, exact = np.sum(residual > 1e-4), np.sum(np.abs(residual) <= 1e-4)
    taus.append(tau)
    biases.append(float(w[2, 0]))
    predicted_biases.append(-0.05 + 0.1 * tau)
    print(f"PROFIT={profit}, COST={cost}: tau = {tau:.2f}")
    print(f"  w1 = {w.ravel()}")
    print(f"  exact minimiser {w_exact.ravel()}")
    print(f"  learned bias {w[2, 0]:+.4f}, predicted {predicted_biases[-1]:+.4f}")
    print(
        f"  short on {short}/32 = {short / 32:.3f} of days, 1 - tau = {1 - tau:.2f}"
    )
    print(f"  exactly enough on {exact}/32 days")

noise = y_.ravel().astype(np.float64) - x.sum(axis=1)  # the noise actually drawn
bias_gaps = np.abs(np.array(biases) - np.array(predicted_biases))
spacing = 0.1 / (len(x) + 1)  # typical gap between neighbouring noise values
print(f"the 32 noise values run from {noise.min():+.4f} to {noise.max():+.4f}")
print(f"|bias - prediction|: {bias_gaps.round(4)}")
print(f"neighbouring noise values lie about 0.1 / 33 = {spacing:.4f} apart")
# --8<-- [end:bias]
