"""Mean squared error on the yogurt-sales data: the study note's experiment, and
more.

Lesson: mse.md. Shows: the note's GradientTape loop (15000 steps, lr 0.002), the
least-squares answer on the same data, the compiled loop of ``lossbook.train``, and
a figure of the weights and the loss during training.
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

# --8<-- [start:figure]
from lossbook.plotting import plot_training

fig = plot_training(history, reference=w_lstsq)
# --8<-- [end:figure]

if __name__ == "__main__":
    import matplotlib.pyplot as plt

    plt.show()
