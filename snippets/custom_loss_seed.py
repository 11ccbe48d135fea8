"""The study note's profit/cost experiment: COST=1, PROFIT=99, 10000 eager steps.

Lesson: custom_loss.md. Shows: the note's loss with tf.where, trained by
GradientTape on the yogurt data from the same starting weights as the MSE lesson; w1
ends above [1, 1], away from the exact minimiser.
"""

# --8<-- [start:train]
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales

COST = 1  # a yogurt made but not sold loses its cost: 1 yuan
PROFIT = (
    99  # a yogurt we could have sold but did not make loses its profit: 99 yuan
)

x, y_ = yogurt_sales()  # the same 32 days as in the MSE lesson
w1 = tf.Variable(seed_weights())  # = tf.random.normal([2, 1], stddev=1, seed=1)

steps = 10000
lr = 0.002
for step in range(steps):
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w1)
        loss = tf.reduce_sum(
            tf.where(tf.greater(y, y_), COST * (y - y_), PROFIT * (y_ - y))
        )
    grads = tape.gradient(loss, w1)
    w1.assign_sub(lr * grads)
    if step % 500 == 0:
        w = w1.numpy().ravel()
        print(f"after step {step:5d}: w1 = {w}, loss = {loss.numpy():.4f}")

w_note = w1.numpy()
print("final w1:", w_note.ravel())
# --8<-- [end:train]

assert (
    w_note > 1
).all()  # the page: both components above 1, the model over-predicts

# --8<-- [start:same_loss]
import numpy as np

from lossbook.losses import AsymmetricLoss
from lossbook.train import exact_asymmetric_fit, fit_linear

summed = AsymmetricLoss(PROFIT, COST, reduction="sum")
y = tf.matmul(x, w1)
by_hand = tf.reduce_sum(tf.where(y > y_, COST * (y - y_), PROFIT * (y_ - y)))
print("by hand:", by_hand.numpy(), " lossbook, summed:", summed(y_, y).numpy())

w_fast, _ = fit_linear(x, y_, summed, steps=10000, learning_rate=0.002)
note_diff = float(np.max(np.abs(w_fast - w_note)))
print("fit_linear w1:", w_fast.ravel(), f" largest difference: {note_diff:.1e}")
w_exact = exact_asymmetric_fit(x, y_, profit=PROFIT, cost=COST)
exact_gap = float(np.max(np.abs(w_note - w_exact)))
print("exact minimiser:", w_exact.ravel(), f" off by {exact_gap:.4f}")
# --8<-- [end:same_loss]

assert by_hand.numpy() == summed(y_, y).numpy() and note_diff <= 1e-5
