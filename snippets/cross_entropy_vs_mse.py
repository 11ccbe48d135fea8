"""Why mean squared error is a poor loss for classification: its gradient vanishes.

Lesson: cross_entropy.md. Shows: for a softmax classifier, the gradient with respect
to the true class's logit as the predicted probability of that class goes to 0; the
MSE gradient is the cross-entropy gradient times 2p(1 - p).
"""

# --8<-- [start:gradients]
import numpy as np
import tensorflow as tf

import lossbook.losses

z = tf.Variable(np.linspace(-12, 4, 200)[:, None], dtype=tf.float32)  # true logit
label = tf.constant([[1.0, 0.0]] * 200)  # the true class is class 0, 200 times
p_true = tf.sigmoid(z).numpy().ravel()  # = softmax([z, 0])[0]
with tf.GradientTape(persistent=True) as tape:
    logits = tf.concat([z, tf.zeros_like(z)], axis=1)
    ce = lossbook.losses.categorical_crossentropy(label, logits, from_logits=True)
    mse = lossbook.losses.mean_squared_error(label, tf.nn.softmax(logits))
grad_ce = np.abs(tape.gradient(ce, z).numpy().ravel())
grad_mse = np.abs(tape.gradient(mse, z).numpy().ravel())
factor = 2 * p_true * (1 - p_true)  # MSE's gradient = cross-entropy's x 2p(1 - p)
print("p        |gradient| CE  |gradient| MSE  2p(1-p)   MSE / CE")
for target in (0.5, 0.1, 0.01, 0.001):
    i = np.argmin(np.abs(p_true - target))
    print(
        f"{p_true[i]:.4f}   {grad_ce[i]:.4f}         {grad_mse[i]:.6f}"
        f"        {factor[i]:.6f}  {grad_mse[i] / grad_ce[i]:.6f}"
    )
# --8<-- [end:gradients]
# The derivation in the prose: d CE/dz = p - 1; MSE = (1 - p)^2, so
# d MSE/dz = -2(1 - p) p(1 - p) = 2p(1 - p) (p - 1).
assert np.allclose(grad_ce, 1 - p_true, rtol=1e-5, atol=1e-7)
assert np.allclose(grad_mse, factor * grad_ce, rtol=1e-4, atol=1e-9)
assert grad_ce[0] > 0.9999 and grad_mse[0] < 1e-4  # p -> 0: 1 against 0

# --8<-- [start:figure]
from lossbook.plotting import plot_gradient_magnitudes

curves = {"cross-entropy": grad_ce, "MSE": grad_mse}
fig = plot_gradient_magnitudes(p_true, curves)
# --8<-- [end:figure]
