"""Mean squared error on the yogurt-sales data: the study note's experiment, and
more.

Lesson: mse.md. Shows: the note's GradientTape loop (15000 steps, lr 0.002), the
least-squares answer on the same data, why the gap is the slow eigen-direction's
(1 / (lr * lambda_min) steps per e-fold, asserted), the compiled loop of
``lossbook.train``, and a figure of the weights and the loss during training.
"""

# --8<-- [start:data]
import numpy as np
import tensorflow as tf

SEED = 23455
rdm = np.random.RandomState(seed=SEED)  # uniform numbers in [0, 1)
x = rdm.rand(32, 2)
# noise: rand() / 10 is in [0, 0.1); minus 0.05 gives [-0.05, 0.05)
y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x]
x = tf.cast(x, dtype=tf.float32)

print("x:", x.shape, " y_:", np.shape(y_))
print("first 3 rows of x:\n", x.numpy()[:3])
print("first 3 values of y_:", np.round(np.ravel(y_)[:3], 4))
# --8<-- [end:data]

n_days = len(y_)  # quoted by the page

# --8<-- [start:train]
w1 = tf.Variable(tf.random.normal([2, 1], stddev=1, seed=1))
w_init = w1.numpy()  # kept to compare with other ways of training below

steps = 15000
lr = 0.002
for step in range(steps):
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w1)
        loss_mse = tf.reduce_mean(tf.square(y_ - y))
    grads = tape.gradient(loss_mse, w1)
    w1.assign_sub(lr * grads)
    if step % 500 == 0:
        w = w1.numpy().ravel()
        print(f"after step {step:5d}: w1 = {w}, loss = {loss_mse.numpy():.6f}")

w_gd = w1.numpy()
print("final w1:", w_gd.ravel())
# --8<-- [end:train]

# The note under this section: the first call with seed=1 gives seed_weights(),
# and a second call in the same process gives other numbers.
from lossbook.data import seed_weights

assert np.array_equal(w_init, seed_weights())
assert not np.array_equal(
    tf.random.normal([2, 1], stddev=1, seed=1).numpy(), w_init
)

# --8<-- [start:lstsq]
x64 = x.numpy().astype(np.float64)
y64 = np.asarray(y_, dtype=np.float64)
w_lstsq, *_ = np.linalg.lstsq(x64, y64, rcond=None)

gap = float(np.max(np.abs(w_gd - w_lstsq)))
mse_gd = float(np.mean((x64 @ w_gd - y64) ** 2))
mse_lstsq = float(np.mean((x64 @ w_lstsq - y64) ** 2))
print("gradient descent w1:", w_gd.ravel())
print("least squares    w1:", w_lstsq.ravel())
print(f"largest difference: {gap:.2e}")
print(f"MSE: gradient descent {mse_gd:.8f}, least squares {mse_lstsq:.8f}")
# --8<-- [end:lstsq]

# --8<-- [start:slow]
# MSE's curvature (its Hessian) is the same everywhere for a linear model.
hessian = 2 / len(x64) * x64.T @ x64
eigenvalues, eigenvectors = np.linalg.eigh(hessian)  # in ascending order
lam_min, lam_max = eigenvalues
time_constant = 1 / (lr * lam_min)  # steps for the slow error to shrink by e
n_time_constants = steps / time_constant
# Each step multiplies the error w - w_lstsq by (I - lr * hessian), exactly.
shrink = np.linalg.matrix_power(np.eye(2) - lr * hessian, steps)
predicted = shrink @ (w_init.astype(np.float64) - w_lstsq)
slow = eigenvectors[:, 0]
slow_start = abs(slow @ (w_init.ravel() - w_lstsq.ravel()))
slow_end = abs(slow @ (w_gd.ravel() - w_lstsq.ravel()))
print(f"eigenvalues of the Hessian: {lam_min:.4f} and {lam_max:.4f}")
print(f"slow direction: 1 / (lr * lam_min) = {time_constant:.0f} steps per e-fold")
print(f"{steps} steps = {n_time_constants:.2f} time constants")
print(f"error along it: {slow_start:.4f} at the start, {slow_end:.4f} at the end")
print("predicted w1 - w_lstsq:", predicted.ravel())
print("measured  w1 - w_lstsq:", (w_gd - w_lstsq).ravel())
# --8<-- [end:slow]

predicted_gap = float(np.abs(predicted).max())
assert (
    abs(predicted_gap - gap) < 0.01 * gap
)  # the eigenvalue account of the gap holds
fast_end = abs(eigenvectors[:, 1] @ (w_gd.ravel() - w_lstsq.ravel()))
assert fast_end < 1e-3 * slow_end  # what is left lies along the slow direction
extra_loss = 0.5 * lam_min * slow_end**2  # the MSE above the least-squares value
assert abs((mse_gd - mse_lstsq) - extra_loss) < 0.05 * extra_loss

# --8<-- [start:fit]
from lossbook.losses import mean_squared_error
from lossbook.train import fit_linear

w_fast, history = fit_linear(
    x,
    y_,
    mean_squared_error,
    steps=15000,
    learning_rate=0.002,
    init=w_init,
    log_every=500,
)
fit_diff = float(np.max(np.abs(w_fast - w_gd)))
print("fit_linear w1:", w_fast.ravel())
print(f"largest difference from the loop above: {fit_diff:.1e}")
print("logged steps:", history.step[:4], "...", history.step[-2:])
# --8<-- [end:fit]

assert fit_diff <= 1e-5  # the page: the same answer as the loop

# --8<-- [start:figure]
from lossbook.plotting import plot_training

fig = plot_training(history, reference=w_lstsq)
# --8<-- [end:figure]

if __name__ == "__main__":
    import matplotlib.pyplot as plt

    plt.show()

# The explorable figure under the figure above (build.insert_widgets): the data, the
# start, the minimum and the curvature it draws from, and a first learning rate of
# 1 / lam_max rounded to the slider's grid of log10(lr) (0.01), with this run's
# weights after the first number of steps there, which it must show.
lr_widget = float(10 ** round(np.log10(1 / lam_max), 2))
steps_widget = 50
w_widget, _ = fit_linear(x, y_, mean_squared_error, steps=steps_widget,
                         learning_rate=lr_widget, init=w_init)
widget = {
    "x": x.numpy(),
    "y": np.ravel(y_),
    "w_init": w_init.ravel(),
    "w_star": w_lstsq.ravel(),
    "lam": [lam_min, lam_max],
    "lr": lr_widget,
    "steps": steps_widget,
    "at_default": {
        "w": w_widget.ravel(),
        "loss": float(np.mean((x64 @ w_widget.astype(np.float64) - y64) ** 2)),
    },
}
