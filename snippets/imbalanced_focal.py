"""Focal loss: binary cross-entropy times (1 - p_t)^gamma, which all but silences
the examples the model already gets right.

Lesson: imbalanced.md. Shows: four examples, easy and hard, negative and positive;
lossbook's binary_focal_crossentropy against the formula and Keras (asserted);
gamma = 0 is binary cross-entropy (asserted); at gamma = 2 an easy example's loss
shrinks ten thousand times, a badly wrong one's (p_t near 0) by about a tenth, and
the hard negative's (p_t = 0.4) to about a third (asserted).
"""

# --8<-- [start:formula]
import keras
import numpy as np

from lossbook.losses import binary_crossentropy, binary_focal_crossentropy

y_true = np.array([[0.0], [0.0], [1.0], [1.0]])
p = np.array(
    [[0.01], [0.6], [0.9], [0.05]]
)  # the model's probability of a positive
p_t = np.where(y_true == 1, p, 1 - p)  # the probability it gives the true label
bce = binary_crossentropy(y_true, p).numpy()
print("example        p_t     BCE    gamma=1    gamma=2")
focal = {}
for gamma in (0, 1, 2):
    focal[gamma] = binary_focal_crossentropy(y_true, p, gamma=gamma).numpy()
    by_formula = (1 - p_t.ravel()) ** gamma * bce
    np.testing.assert_allclose(focal[gamma], by_formula, rtol=1e-6)
    keras_focal = keras.losses.binary_focal_crossentropy(y_true, p, gamma=gamma)
    np.testing.assert_allclose(focal[gamma], keras_focal, rtol=1e-6)
names = ["easy negative", "hard negative", "easy positive", "hard positive"]
for i, name in enumerate(names):
    print(
        f"{name:13s} {p_t[i, 0]:5.2f} {bce[i]:8.2e} {focal[1][i]:10.2e}"
        f" {focal[2][i]:10.2e}"
    )
# --8<-- [end:formula]

# gamma = 0 is binary cross-entropy.
np.testing.assert_allclose(focal[0], bce, rtol=1e-7)
# gamma = 2: the easy negative's loss / 10^4, the hard positive's (p_t = 0.05) down
# by about a tenth, the hard negative's (p_t = 0.4) to about a third.
shrink_easy = float(bce[0] / focal[2][0])
kept_hard_positive = float(focal[2][3] / bce[3])
kept_hard_negative = float(focal[2][1] / bce[1])
assert abs(shrink_easy - 1e4) < 1 and 0.85 < kept_hard_positive < 0.95
assert 0.3 < kept_hard_negative < 0.4
