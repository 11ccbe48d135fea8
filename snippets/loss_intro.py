"""What a loss measures: two guesses at the same answers, judged by two losses.

Lesson: index.md (home). Shows: a loss turns "how far off" into one number, and the
smaller number marks the better guess; mean squared error and mean absolute error
pick different guesses here (asserted), so the loss decides what "better" means.
"""

# --8<-- [start:gap]
import tensorflow as tf

y_ = tf.constant([3.0, 5.0, 4.0])  # the known answers
guesses = {
    "A": tf.constant([2.5, 5.5, 4.5]),  # off by 0.5 every time
    "B": tf.constant([3.0, 5.0, 5.2]),  # exact twice, off by 1.2 once
}
losses = {
    "mean squared error": lambda y: tf.reduce_mean(tf.square(y - y_)),
    "mean absolute error": lambda y: tf.reduce_mean(tf.abs(y - y_)),
}
verdicts = []
for loss_name, loss in losses.items():
    values = {name: float(loss(y)) for name, y in guesses.items()}
    verdicts.append(min(values, key=values.get))  # the smaller loss wins
    a, b = values["A"], values["B"]
    print(f"{loss_name:19s}  A: {a:.4f}  B: {b:.4f}  prefers {verdicts[-1]}")
# --8<-- [end:gap]

mse_prefers, mae_prefers = verdicts
assert (
    mse_prefers == "A" and mae_prefers == "B"
)  # the page: the two losses disagree
