"""Exercises of the imbalanced-classes lesson, with their solutions.

Lesson: imbalanced.md. Shows: (1) for one x whose true probability of a positive is
p, the output q that minimises the expected focal loss lies between p and 0.5, and
is 0.5 exactly when p is (asserted): focal loss pulls probabilities towards 0.5
without moving the p = 0.5 boundary; (2) "balanced" class weights decide at 0.5 as
the plain model does at the positive rate (exact fits by Newton's method; asserted),
for all but a few percent of the samples either calls positive (asserted); (3) focal
loss with apply_class_balancing and gamma = 0 is cross-entropy with class weights
(1 - alpha, alpha) (asserted): Keras' default alpha = 0.25 weighs a positive a third
of a negative.
"""

# --8<-- [start:ex1]
import numpy as np

from lossbook.losses import binary_focal_crossentropy

q = np.linspace(0.0005, 0.9995, 1999)[:, None]  # the outputs to try, 0.0005 apart
positive, negative = np.ones_like(q), np.zeros_like(q)
print("p      q (gamma=1)  q (gamma=2)")
best = {}
for p in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9):
    best[p] = []
    for gamma in (1.0, 2.0):
        expected = p * binary_focal_crossentropy(positive, q, gamma=gamma) + (
            1 - p
        ) * binary_focal_crossentropy(negative, q, gamma=gamma)
        best[p].append(float(q[np.argmin(expected), 0]))
    print(f"{p:4.2f} {best[p][0]:12.4f} {best[p][1]:12.4f}")
# --8<-- [end:ex1]

for p, (q1, q2) in best.items():
    assert (q1 - p) * (0.5 - q1) >= 0 and (q2 - q1) * (0.5 - q2) >= 0  # towards 0.5
    assert (q1 > 0.5) == (p > 0.5) and (q2 > 0.5) == (p > 0.5)  # the same side
assert best[0.5] == [0.5, 0.5]
focal_q_at_002 = best[0.02]

# --8<-- [start:ex2]
import tensorflow as tf

from lossbook.data import rare_positives
from lossbook.losses import binary_crossentropy
from lossbook.train import newton_fit

x, y = rare_positives(n=20_000, positive_rate=0.02, seed=0)
x_train, y_train = x[:10_000], y[:10_000]
n1, n0 = int(y_train.sum()), int((1 - y_train).sum())


def fit(x, class_weight):
    """The exact weighted logistic regression (Newton's method, float64)."""
    w = tf.constant(
        np.where(y_train == 1, class_weight[1], class_weight[0]).ravel()
    )
    x = np.hstack([x, np.ones((len(x), 1))])  # a column of ones: the bias

    def weighted(y, z):
        return w * binary_crossentropy(y, z, from_logits=True)

    return newton_fit(x, y_train, weighted).ravel()


def probability(w, x):
    return 1 / (1 + np.exp(-(x @ w[:2] + w[2])))


w_plain = fit(x_train, {0: 1.0, 1: 1.0})
w_balanced = fit(x_train, {0: 1.0, 1: n0 / n1})
x_test = x[10_000:]
rate = n1 / (n0 + n1)
yes_balanced = probability(w_balanced, x_test) > 0.5
yes_plain = probability(w_plain, x_test) > rate
same = np.mean(yes_balanced == yes_plain)
print(f"positive rate {rate:.4f}; same decision for {same:.2%} of the test samples")
print(
    f"called positive: {yes_plain.sum()} (plain), {yes_balanced.sum()} (balanced);"
    f" they differ on {np.sum(yes_balanced != yes_plain)}"
)
# --8<-- [end:ex2]

balanced_same = float(same)
balanced_differ = int(np.sum(yes_balanced != yes_plain))
plain_yes, balanced_yes = int(yes_plain.sum()), int(yes_balanced.sum())
assert balanced_same > 0.99
assert balanced_differ < 0.03 * min(plain_yes, balanced_yes)

# --8<-- [start:ex3]
rng = np.random.default_rng(0)
labels = rng.integers(0, 2, size=(1000, 1)).astype(np.float64)
p = rng.uniform(0.01, 0.99, size=(1000, 1))
for alpha in (0.25, n0 / (n0 + n1)):
    focal = binary_focal_crossentropy(
        labels, p, apply_class_balancing=True, alpha=alpha, gamma=0.0
    ).numpy()
    weights = np.where(labels == 1, alpha, 1 - alpha).ravel()
    gap = np.abs(focal - weights * binary_crossentropy(labels, p).numpy()).max()
    print(
        f"alpha = {alpha:.4f}: a positive weighs {alpha / (1 - alpha):.2f}"
        f" negatives; largest gap to weighted BCE {gap:.1e}"
    )
    assert gap < 1e-12
# --8<-- [end:ex3]
