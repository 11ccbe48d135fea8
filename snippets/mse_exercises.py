"""Solutions to the exercises of the mean squared error lesson.

Lesson: mse.md, section "Exercises". Shows: MSE by hand, the gradient formula
checked against GradientTape, and the limit 2/lambda_max below which the learning
rate converges, which with the mean (not the sum) barely moves between 32 and 3200
samples.
"""

# --8<-- [start:ex1]
import lossbook.losses

y_ = [[1.0], [2.0], [3.0]]
y = [[1.0], [2.0], [5.0]]
# by hand: ((1-1)^2 + (2-2)^2 + (5-3)^2) / 3 = 4 / 3
print("by hand: ", 4 / 3)
print("lossbook:", lossbook.losses.MeanSquaredError()(y_, y).numpy())
# --8<-- [end:ex1]

assert abs(lossbook.losses.MeanSquaredError()(y_, y).numpy() - 4 / 3) < 1e-6

# --8<-- [start:ex2]
import numpy as np
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales

x, y_ = yogurt_sales()
w = tf.Variable(seed_weights((2, 1)))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y_))
grad_tape = tape.gradient(loss, w).numpy()
grad_formula = 2 / len(x) * x.T @ (x @ w.numpy() - y_)
print("GradientTape:", grad_tape.ravel())
print("formula:     ", grad_formula.ravel())
print("equal to 1e-6:", np.allclose(grad_tape, grad_formula, atol=1e-6))
# --8<-- [end:ex2]

assert np.allclose(grad_tape, grad_formula, atol=1e-6)

# --8<-- [start:ex3]
from lossbook.losses import mean_squared_error
from lossbook.train import fit_linear

hessian = 2 / len(x) * x.T.astype(np.float64) @ x
lr_max = 2 / np.linalg.eigvalsh(hessian).max()
lr_ratio = lr_max / 0.002
print(f"converges for learning rates below {lr_max:.3f}")
print(f"that is {lr_ratio:.0f} times the note's 0.002")

w_ok, _ = fit_linear(
    x, y_, mean_squared_error, steps=2000, learning_rate=0.9 * lr_max
)
w_lstsq, *_ = np.linalg.lstsq(
    x.astype(np.float64), y_.astype(np.float64), rcond=None
)
ok_gap = float(np.max(np.abs(w_ok - w_lstsq)))
print("0.9 x lr_max, final w1:", w_ok.ravel())
print(f"difference from least squares: {ok_gap:.1e}")
try:
    fit_linear(x, y_, mean_squared_error, steps=2000, learning_rate=1.1 * lr_max)
except FloatingPointError as err:
    print("1.1 x lr_max: FloatingPointError:", err)
else:
    raise AssertionError("1.1 x lr_max should diverge")
# --8<-- [end:ex3]

assert ok_gap < 1e-5

# --8<-- [start:batch]
# 3200 days drawn like the 32: a full batch of 100 times more samples
x_3200 = np.random.RandomState(1).rand(3200, 2)
lr_mean, lr_sum = [], []
for label, data in (("32 days", x.astype(np.float64)), ("3200 days", x_3200)):
    top = np.linalg.eigvalsh(data.T @ data).max()  # the sum's curvature / 2
    lr_mean.append(float(2 / (2 / len(data) * top)))
    lr_sum.append(float(2 / (2 * top)))
    print(f"{label:9s}  lr_max, mean: {lr_mean[-1]:.3f}  sum: {lr_sum[-1]:.6f}")
# --8<-- [end:batch]

assert abs(lr_mean[1] - lr_mean[0]) < 0.2 * lr_mean[0]  # the mean keeps the limit
assert (
    lr_sum[1] < lr_sum[0] / 50
)  # the sum's limit falls with the number of samples
