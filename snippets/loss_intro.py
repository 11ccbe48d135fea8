"""What a loss measures: two guesses at the same answers, and the gap of each.

Lesson: index.md (home). Shows: a loss turns "how far off" into one number, and the
smaller number marks the better guess.
"""

# --8<-- [start:gap]
import tensorflow as tf

y_ = tf.constant([3.0, 5.0, 4.0])  # the known answers
guess_a = tf.constant([2.5, 5.5, 4.0])  # off by 0.5 twice
guess_b = tf.constant([3.0, 5.0, 1.0])  # exact twice, off by 3 once

for name, y in (("guess_a", guess_a), ("guess_b", guess_b)):
    loss = tf.reduce_mean(tf.square(y - y_))
    print(f"{name}: mean squared error = {loss.numpy():.4f}")
# --8<-- [end:gap]
