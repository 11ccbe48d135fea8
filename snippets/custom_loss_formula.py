"""The study note's profit/cost formula as written, against the corrected one.

Lesson: custom_loss.md, section "The formula". Shows: the note's COST
branch, COST * (y_ - y) for y >= y_, is negative for an over-prediction and
keeps falling the more we over-predict, so minimising it has no bottom;
COST * (y - y_) is the fix.
"""

# --8<-- [start:as_written]
import tensorflow as tf

PROFIT, COST = 99.0, 1.0
y_ = tf.constant([5.0, 5.0, 5.0, 5.0])  # sales
y = tf.constant([4.0, 5.0, 6.0, 15.0])  # 1 too few, exact, 1 and 10 too many
as_written = tf.where(
    y < y_, PROFIT * (y_ - y), COST * (y_ - y)
)  # the note's formula
corrected = tf.where(y < y_, PROFIT * (y_ - y), COST * (y - y_))
print("as written:", as_written.numpy())
print("corrected: ", corrected.numpy())
# --8<-- [end:as_written]

# The claims the page makes about this output.
written_over = as_written.numpy()[2:]
assert (written_over < 0).all() and written_over[1] < written_over[
    0
]  # falls without end
assert (corrected.numpy() >= 0).all() and corrected.numpy()[1] == 0
