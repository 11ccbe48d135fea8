"""Cross-entropy on the study note's two-class example, and what Keras adds to it.

Lesson: cross_entropy.md. Shows: 0.511 against 0.223 by hand, with tf.keras and with
lossbook; cross-entropy = entropy + KL divergence, and why it is not a distance;
clipping of 0 and rescaling of rows that do not sum to 1, and what clipping costs;
-ln p with the two predictions marked.
"""

# --8<-- [start:by_hand]
import numpy as np

y_ = np.array([1.0, 0.0])  # the answer: class 1
y1 = np.array([0.6, 0.4])  # prediction 1
y2 = np.array([0.8, 0.2])  # prediction 2
h1 = -np.sum(y_ * np.log(y1))
h2 = -np.sum(y_ * np.log(y2))
print(f"H1 = -(1*ln0.6 + 0*ln0.4) = {h1:.4f}")
print(f"H2 = -(1*ln0.8 + 0*ln0.2) = {h2:.4f}")
# --8<-- [end:by_hand]
assert h1 > h2  # y2 is the better prediction

# --8<-- [start:with_tf]
import tensorflow as tf

import lossbook.losses

# The note's spelling, tf.losses, still works: which function is it today?
seed_fn = tf.losses.categorical_crossentropy
print(
    "same as tf.keras.losses':", seed_fn is tf.keras.losses.categorical_crossentropy
)
print("defined in:", seed_fn.__module__)
loss_ce1 = tf.losses.categorical_crossentropy([1, 0], [0.6, 0.4])
loss_ce2 = tf.losses.categorical_crossentropy([1, 0], [0.8, 0.2])
print("tf.losses:", loss_ce1.numpy(), loss_ce2.numpy())
ours1 = lossbook.losses.categorical_crossentropy([1, 0], [0.6, 0.4])
ours2 = lossbook.losses.categorical_crossentropy([1, 0], [0.8, 0.2])
print("lossbook: ", ours1.numpy(), ours2.numpy())
ce_all_equal = bool(
    np.allclose([loss_ce1, ours1], h1, atol=1e-6)
    and np.allclose([loss_ce2, ours2], h2, atol=1e-6)
)
print("equal to the NumPy values (to 1e-6):", ce_all_equal)
# --8<-- [end:with_tf]
assert ce_all_equal and seed_fn is tf.keras.losses.categorical_crossentropy

# --8<-- [start:entropy_kl]
p = np.array([0.7, 0.2, 0.1])  # a soft answer: a distribution, not one-hot
q = np.array([0.5, 0.3, 0.2])  # a prediction
entropy = -np.sum(p * np.log(p))
kl = np.sum(p * np.log(p / q))
cross = lossbook.losses.categorical_crossentropy(p, q).numpy()
kl_keras = tf.keras.losses.KLDivergence()(p, q).numpy()
print(f"entropy H(p)        = {entropy:.6f}")
print(f"KL(p || q)          = {kl:.6f}   (Keras KLDivergence: {kl_keras:.6f})")
print(f"H(p) + KL(p || q)   = {entropy + kl:.6f}")
print(f"cross-entropy H(p,q) = {cross:.6f}")
# --8<-- [end:entropy_kl]
assert np.isclose(entropy + kl, cross, rtol=1e-6) and np.isclose(
    kl_keras, kl, rtol=1e-5
)


# --8<-- [start:not_a_distance]
def ce(a, b):  # cross-entropy H(a, b), in float64
    return -np.sum(a * np.log(b))


print(f"H(p, q) = {ce(p, q):.6f}   H(q, p) = {ce(q, p):.6f}")
print(f"KL(p || q) = {kl:.6f}   KL(q || p) = {np.sum(q * np.log(q / p)):.6f}")
print(f"H(p, p) = {ce(p, p):.6f} = H(p)   KL(p || p) = {np.sum(p * np.log(p / p))}")
# --8<-- [end:not_a_distance]
h_pq, h_qp, h_pp = ce(p, q), ce(q, p), ce(p, p)
kl_qp = np.sum(q * np.log(q / p))
assert abs(h_pq - h_qp) > 0.01 and abs(kl - kl_qp) > 0.001  # not symmetric
assert np.isclose(h_pp, entropy) and h_pp > 0.5  # its minimum is H(p), not 0
assert np.sum(p * np.log(p / p)) == 0

# --8<-- [start:figure]
from lossbook.plotting import plot_neg_log

fig = plot_neg_log({"y1": 0.6, "y2": 0.8})
# --8<-- [end:figure]

# --8<-- [start:clipping]
label = [1.0, 0.0]
certain_and_wrong = [0.0, 1.0]  # probability 0 for the true class
with np.errstate(divide="ignore"):
    print("by hand: ", -np.sum(np.array(label) * np.log(certain_and_wrong)))
print(
    "keras:   ",
    tf.keras.losses.categorical_crossentropy(label, certain_and_wrong).numpy(),
)
print(
    "lossbook:",
    lossbook.losses.categorical_crossentropy(label, certain_and_wrong).numpy(),
)
clip_loss = -np.log(1e-7)  # the clipped loss of a probability of 0
print(f"-ln(1e-7) = {clip_loss:.4f}")

not_normalised = [0.3, 0.1]  # sums to 0.4: Keras divides by the sum first
print(
    "keras:   ",
    tf.keras.losses.categorical_crossentropy(label, not_normalised).numpy(),
)
print(
    "lossbook:",
    lossbook.losses.categorical_crossentropy(label, not_normalised).numpy(),
)
print(f"-ln(0.3 / 0.4) = {-np.log(0.75):.4f}")
# --8<-- [end:clipping]
clip_loss_keras = tf.keras.losses.categorical_crossentropy(label, certain_and_wrong)
assert np.isclose(clip_loss_keras, clip_loss, rtol=1e-6)
assert np.isclose(
    lossbook.losses.categorical_crossentropy(label, certain_and_wrong),
    clip_loss_keras,
)
assert np.isclose(
    tf.keras.losses.categorical_crossentropy(label, not_normalised), -np.log(0.75)
)

# --8<-- [start:clip_costs]
cce = tf.keras.losses.categorical_crossentropy
perfect_loss = cce([1.0, 0.0], [1.0, 0.0]).numpy()  # clipped to 1 - 1e-7
print("a perfect prediction:         ", perfect_loss)
multi_hot_loss = cce([1.0, 1.0, 0.0], [0.0, 0.0, 1.0]).numpy()  # label sums to 2
print("label [1, 1, 0], both given 0:", multi_hot_loss)
prediction = tf.Variable([0.0, 1.0])
with tf.GradientTape() as tape:
    loss = cce(label, prediction)
clip_gradient = tape.gradient(loss, prediction).numpy()
print("gradient where the clip holds:", clip_gradient)
# --8<-- [end:clip_costs]
assert np.isclose(perfect_loss, -np.log(np.float32(1 - 1e-7)), rtol=1e-6)
assert np.float32(1 - 1e-7) == 1 - 2**-23  # float32 rounds 1 - 1e-7 to 1 - 2^-23
assert np.isclose(perfect_loss, 2**-23, rtol=1e-6)  # -ln(1 - x) = x for a tiny x
assert (
    np.isclose(multi_hot_loss, 2 * clip_loss, rtol=1e-6)
    and multi_hot_loss > clip_loss
)
assert np.all(clip_gradient == 0)
# Labels that sum to 1 can never cost more than -ln(1e-7): a mix of clipped terms.
soft_labels = np.random.default_rng(0).dirichlet(np.ones(4), size=1000)
worst = cce(soft_labels, np.tile([0.0, 0.0, 0.0, 1.0], (1000, 1))).numpy()
assert worst.max() <= clip_loss * (1 + 1e-6)
# Summing to 1 is not enough: a negative entry lifts the cap.
negative_label_loss = float(cce([2.0, -1.0], [0.0, 1.0]))
assert np.isclose(negative_label_loss, 2 * clip_loss, rtol=1e-6)
# The cap holds only where Keras sees nothing but probabilities: behind a Softmax op
# in a graph it uses the logits, so the loss and its gradient are not clipped.
behind_softmax = tf.Variable([[0.0, 40.0]])
with tf.GradientTape() as tape:
    loss = tf.function(lambda z: cce([label], tf.nn.softmax(z)))(behind_softmax)
assert float(loss[0]) > 2 * clip_loss, loss  # about 40, not capped
assert np.all(tape.gradient(loss, behind_softmax).numpy() != 0)
