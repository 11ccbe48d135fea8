"""Each loss as the negative log-likelihood of a noise model, checked numerically.

Lesson: robust_regression.md. Shows: fitting w and the noise scale sigma together
by maximum likelihood under Gaussian noise gives MSE's w and sigma^2 = MSE
(asserted); under Laplace noise the MAE fit and under asymmetric Laplace noise
the pinball fit beat every one of 2000 nearby w (asserted); the categorical
likelihood of class counts is maximised by the class frequencies, where cross-
entropy is smallest (asserted).
"""

# --8<-- [start:gaussian]
import numpy as np
import tensorflow as tf

from lossbook.data import yogurt_sales_with_typos
from lossbook.losses import mean_squared_error

x, y_, _ = yogurt_sales_with_typos()
xt, yt = tf.constant(x, tf.float64), tf.constant(y_, tf.float64)
n = len(x)
w = tf.Variable(tf.zeros((2, 1), tf.float64))
log_sigma = tf.Variable(tf.zeros((), tf.float64))  # sigma = exp(log_sigma) > 0


def gaussian_nll():
    """-log p(y | x, w, sigma), independent normal noise, summed over days."""
    r = yt - xt @ w
    sigma2 = tf.exp(2 * log_sigma)
    return tf.reduce_sum(
        0.5 * tf.math.log(2 * np.pi * sigma2) + r**2 / (2 * sigma2)
    )


@tf.function
def maximise_likelihood(steps, lr):
    for _ in tf.range(steps):
        with tf.GradientTape() as tape:
            nll = gaussian_nll()
        grads = tape.gradient(nll, (w, log_sigma))
        for var, grad in zip((w, log_sigma), grads, strict=True):
            var.assign_sub(lr * grad / n)
    return nll


maximise_likelihood(tf.constant(20000), tf.constant(0.5, tf.float64))
w_mse = np.linalg.lstsq(x.astype(np.float64), y_.astype(np.float64), rcond=None)[0]
mse_at_w = float(tf.reduce_mean(mean_squared_error(yt, xt @ w)))
print("maximum likelihood w:", w.numpy().ravel(), " MSE's w:", w_mse.ravel())
print(
    f"sigma^2 = {np.exp(2 * log_sigma.numpy()):.6f},"
    f"  MSE at that w = {mse_at_w:.6f}"
)
# --8<-- [end:gaussian]

sigma_hat = float(np.exp(log_sigma.numpy()))
gauss_gap = float(np.abs(w.numpy() - w_mse).max())
sigma2_gap = abs(np.exp(2 * log_sigma.numpy()) / mse_at_w - 1)
assert gauss_gap < 1e-8 and sigma2_gap < 1e-8

# --8<-- [start:laplace]
from lossbook.train import exact_asymmetric_fit

rng = np.random.default_rng(0)
nearby = rng.normal(scale=0.05, size=(2000, 2, 1))  # 2000 small moves of w


def laplace_nll(w, tau):
    """-log-likelihood of asymmetric Laplace noise with its scale fitted; tau = 0.5
    is the ordinary Laplace. Density: tau (1 - tau) / s * exp(-pinball(u) / s)."""
    u = y_.astype(np.float64) - x @ w
    pinball = np.maximum(tau * u, (tau - 1) * u)
    s = pinball.mean()  # the scale that maximises the likelihood for this w
    return float(np.sum(-np.log(tau * (1 - tau) / s) + pinball / s))


for tau, name in ((0.5, "Laplace (MAE)"), (0.9, "asymmetric Laplace, tau=0.9")):
    w_fit = exact_asymmetric_fit(x, y_, profit=tau, cost=1 - tau)
    best = laplace_nll(w_fit, tau)
    others = min(laplace_nll(w_fit + d, tau) for d in nearby)
    print(
        f"{name:28s} -log L at the loss's fit {best:.4f},"
        f" lowest nearby {others:.4f}"
    )
    assert best < others
# --8<-- [end:laplace]

# --8<-- [start:categorical]
from lossbook.losses import softmax_cross_entropy_with_logits

labels = np.array([0, 0, 1, 2, 2, 2, 2, 1, 2, 0])  # ten observed classes
counts = np.bincount(labels, minlength=3)
one_hot = tf.one_hot(labels, 3, dtype=tf.float64)
logits = tf.Variable(
    tf.zeros((1, 3), tf.float64)
)  # one prediction for every example


@tf.function
def fit_logits(steps):
    for _ in tf.range(steps):
        with tf.GradientTape() as tape:
            predicted = tf.repeat(logits, len(labels), axis=0)
            ce = tf.reduce_mean(
                softmax_cross_entropy_with_logits(one_hot, predicted)
            )
        logits.assign_sub(2.0 * tape.gradient(ce, logits))
    return ce


ce = fit_logits(tf.constant(3000))
p = tf.nn.softmax(logits)[0].numpy()
print("class counts:", counts, " frequencies:", counts / counts.sum())
print("probabilities that minimise the cross-entropy:", p.round(6))
print(
    f"mean cross-entropy {float(ce):.6f} = -log-likelihood / n"
    f" = {-np.sum(counts * np.log(counts / counts.sum())) / len(labels):.6f}"
)
# --8<-- [end:categorical]

assert np.allclose(p, counts / counts.sum(), atol=1e-6)
