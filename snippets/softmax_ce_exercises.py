"""Solutions to the exercises of the softmax with cross-entropy lesson.

Lesson: softmax_cross_entropy.md, section "Exercises". Shows: softmax ignores a
constant added to every logit; log-sum-exp of [1000, 999] by hand; equal logits give
ln k.
"""

# --8<-- [start:ex1]
import numpy as np
import tensorflow as tf

z = tf.constant([2.0, 1.0, 0.1])
with np.printoptions(precision=8):  # every float32 digit, whatever was set before
    print("softmax(z):       ", tf.nn.softmax(z).numpy())
    print("softmax(z + 100): ", tf.nn.softmax(z + 100).numpy())
    print("softmax(z - max): ", tf.nn.softmax(z - tf.reduce_max(z)).numpy())
# --8<-- [end:ex1]
shifted_100 = tf.nn.softmax(z + 100).numpy()
# Adding 100 moves only the last digits: rounding error, nothing more.
assert np.allclose(shifted_100, tf.nn.softmax(z), rtol=0, atol=1e-6)
assert not np.array_equal(shifted_100, tf.nn.softmax(z))
assert np.allclose(tf.nn.softmax(z - tf.reduce_max(z)), tf.nn.softmax(z), atol=1e-7)

# --8<-- [start:ex2]
by_hand = 1000 + np.log(1 + np.exp(-1.0))
print(f"by hand:            {by_hand:.4f}")
print(f"tf.reduce_logsumexp: {tf.reduce_logsumexp([1000.0, 999.0]).numpy():.4f}")
with np.errstate(over="ignore"):
    naive = np.log(np.exp(1000.0) + np.exp(999.0))
    print("naive:              ", naive)
# --8<-- [end:ex2]
assert np.isinf(naive)
assert abs(tf.reduce_logsumexp([1000.0, 999.0]).numpy() - by_hand) < 1e-3

# --8<-- [start:ex3]
import lossbook.losses

for k in (2, 3, 10):
    equal_logits = tf.fill([1, k], 7.0)
    one_hot = tf.one_hot([0], k)
    loss = lossbook.losses.softmax_cross_entropy_with_logits(one_hot, equal_logits)
    print(f"k = {k:2d}: loss {loss.numpy()[0]:.4f}, ln k = {np.log(k):.4f}")
    assert np.isclose(loss.numpy()[0], np.log(k), rtol=1e-6)
# --8<-- [end:ex3]
