"""Multi-label classification: one sigmoid and one binary cross-entropy per tag.

Lesson: binary_cross_entropy.md. Shows: four yogurts, four tags that are not
mutually exclusive; the sigmoid probabilities of a row need not sum to 1 (asserted:
they sum to the expected number of tags); binary_crossentropy averages the per-tag
losses over the last axis (asserted against tf.nn and Keras); one softmax over the
tags cannot say "three tags" nor "no tag" (the best it can do, asserted).
"""

# --8<-- [start:tags]
import keras
import numpy as np
import tensorflow as tf

import lossbook.losses

tags = ["sweetened", "low-fat", "fruit", "Greek-style"]
yogurts = ["plain Greek", "strawberry light", "vanilla", "plain"]
labels = np.array(  # several tags may be 1, or none
    [[0, 0, 0, 1], [1, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]], np.float32
)
logits = np.array(  # a model's four outputs per yogurt, one per tag
    [
        [-3.1, -2.0, -4.2, 2.7],
        [2.2, 1.5, 3.0, -2.5],
        [1.8, -1.2, -0.6, -3.0],
        [-2.5, -1.8, -3.3, -2.2],
    ],
    np.float32,
)
probabilities = tf.sigmoid(logits).numpy()  # one independent sigmoid per tag
print(f"{'':17}" + "".join(f"{tag:>12}" for tag in tags) + "         sum")
for name, row in zip(yogurts, probabilities, strict=True):
    print(f"{name:17}" + "".join(f"{q:12.3f}" for q in row) + f"{row.sum():12.3f}")
# --8<-- [end:tags]

# A row's sum is the expected number of tags, anywhere in [0, 4].
row_sums = probabilities.sum(axis=1)
assert row_sums[1] > 2.5 and row_sums[3] < 0.5
assert np.all(np.abs(row_sums - 1) > 0.1)  # no row sums to 1
strawberry_sum, plain_sum = float(row_sums[1]), float(row_sums[3])
assert np.all(np.abs(row_sums - labels.sum(axis=1)) < 0.5)

# --8<-- [start:loss]
per_tag = tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)  # 4 x 4
per_yogurt = lossbook.losses.binary_crossentropy(labels, logits, from_logits=True)
with np.printoptions(precision=4, suppress=True):  # whatever was set before
    print("per tag (tf.nn):\n", per_tag.numpy())
    print("mean over the tags:", tf.reduce_mean(per_tag, axis=-1).numpy())
    print("lossbook:          ", per_yogurt.numpy())
    print(
        "keras:             ",
        keras.losses.binary_crossentropy(labels, logits, from_logits=True).numpy(),
    )
batch_loss = lossbook.losses.BinaryCrossentropy(from_logits=True)(labels, logits)
print(f"BinaryCrossentropy over the batch: {float(batch_loss):.4f}")
# --8<-- [end:loss]

assert np.allclose(per_yogurt, tf.reduce_mean(per_tag, axis=-1), rtol=1e-6)
assert np.allclose(
    keras.losses.binary_crossentropy(labels, logits, from_logits=True),
    per_yogurt,
    rtol=1e-6,
)
assert np.isclose(float(batch_loss), float(np.mean(per_yogurt)), rtol=1e-6)
assert np.isclose(
    float(keras.losses.BinaryCrossentropy(from_logits=True)(labels, logits)),
    float(batch_loss),
    rtol=1e-6,
)

# --8<-- [start:softmax]
softmax = tf.nn.softmax(logits).numpy()  # one softmax over the four tags
with np.printoptions(precision=3, suppress=True):
    print("softmax over the tags:\n", softmax)
print("row sums:", softmax.sum(axis=1).round(3))
# Cross-entropy with several 1s: -sum(y ln q), with q summing to 1, is smallest at
# q = y / sum(y): for three tags, q = 1/3 each, and the loss is 3 ln 3, not 0.
three_tags = labels[1]
best = three_tags / three_tags.sum()
least = float(
    lossbook.losses.categorical_crossentropy(three_tags[None], best[None])[0]
)
print(f"strawberry light, the best softmax q = {best.round(3)}: loss {least:.4f}")
no_tag = np.tile(labels[3], (4, 1))  # the plain yogurt, against all four rows of q
plain = lossbook.losses.categorical_crossentropy(no_tag, softmax)
print(
    "plain, no tag: softmax cross-entropy is 0 whatever q is:",
    bool(np.all(plain == 0)),
)
# --8<-- [end:softmax]

assert np.allclose(softmax.sum(axis=1), 1, atol=1e-6)
assert np.isclose(least, 3 * np.log(3), rtol=1e-6)  # not 0: the best is still wrong
assert np.all(plain == 0)  # a label of zeros: nothing to learn from
# The loss with three 1s is bounded below by 3 ln 3 over random predictions too.
random_q = (
    np.random.default_rng(0).dirichlet(np.ones(4), size=2000).astype(np.float32)
)
random_loss = lossbook.losses.categorical_crossentropy(
    np.tile(three_tags, (2000, 1)), random_q
)
assert float(tf.reduce_min(random_loss)) > least
