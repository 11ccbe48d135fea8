"""Imbalanced classes: plain binary cross-entropy learns to say "no"; class (or
sample) weights, focal loss and a moved threshold compared on the same data; the
threshold that minimises a cost, COST / (COST + PROFIT).

Lesson: imbalanced.md. Shows: 2 % positives; logistic regression with lossbook's
BinaryCrossentropy in model.compile (bias started at the prior log-odds: from 0 the
same steps end far off, asserted): accuracy as high as always saying "no", recall
near 0, the exact minimiser reached and its mean probability = the positive rate
(asserted); class_weight and the same sample_weight train the same model, bit for
bit (asserted); focal loss, gamma = 1, 2, raises the probabilities but puts fewer
rows above 0.5 (asserted); every Keras fit within 1e-4 of the exact minimiser of its
loss (Newton's method, float64; asserted); precision, recall and F1 of every model
on the test set at 0.5 and at a threshold chosen on the training set: with its own
threshold every model scores about the same F1 (asserted; a table and a figure);
every model learns nearly the same direction of w, focal loss keeps the p = 0.5
boundary where plain cross-entropy has it, class weights move it (asserted); the
cost-optimal threshold COST / (COST + PROFIT) near the test set's best, and class
weights (COST, PROFIT) at 0.5 making the plain model's decisions at that threshold
for > 99 % of the rows, their bias shifted by about ln(PROFIT / COST) (asserted).
"""

# --8<-- [start:data]
import numpy as np

from lossbook.data import rare_positives

x, y = rare_positives(n=20_000, positive_rate=0.02, seed=0)
x_train, y_train = x[:10_000], y[:10_000]  # the first half to train on
x_test, y_test = x[10_000:], y[10_000:]  # the second half to test on
for name, labels in (("train", y_train), ("test", y_test)):
    print(
        f"{name}: {len(labels)} samples, {int(labels.sum())} positive"
        f" ({labels.mean():.2%})"
    )
# --8<-- [end:data]

n_positive_train = int(y_train.sum())
n_positive_test = int(y_test.sum())

# --8<-- [start:plain]
import keras
import tensorflow as tf

from lossbook.losses import BinaryCrossentropy

prior_log_odds = float(np.log(y_train.mean() / (1 - y_train.mean())))


def train(loss, class_weight=None, sample_weight=None):
    """Logistic regression p = sigmoid(x @ w + b): 300 full-batch Adam steps."""
    keras.utils.set_random_seed(0)
    start = keras.initializers.Constant(
        prior_log_odds
    )  # sigmoid(b) = the positive rate
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(1, activation="sigmoid", bias_initializer=start),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.1), loss=loss, steps_per_execution=10
    )
    rows = (x_train, y_train) + (() if sample_weight is None else (sample_weight,))
    batches = tf.data.Dataset.from_tensors(rows).repeat()  # every step: all samples
    history = model.fit(
        batches,
        steps_per_epoch=10,
        epochs=30,
        class_weight=class_weight,
        shuffle=False,
        verbose=0,
    )
    return model, history.history["loss"]


def probabilities(model, x):
    """The model's probability of a positive for each sample (row) of x."""
    return model(x).numpy().ravel()


plain, plain_losses = train(BinaryCrossentropy())
p_plain = probabilities(plain, x_test)
print(f"mean predicted probability (test): {p_plain.mean():.4f}")
print(f"samples with a probability above 0.5: {int((p_plain > 0.5).sum())}")
# --8<-- [end:plain]


# --8<-- [start:scores]
def scores(y, p, threshold=0.5):
    """Accuracy, precision, recall and F1 of 'positive when p > threshold'."""
    positive, said_yes = y.ravel() == 1, p > threshold
    tp = int(np.sum(said_yes & positive))  # true positives
    fp = int(np.sum(said_yes & ~positive))  # false positives: false alarms
    fn = int(np.sum(~said_yes & positive))  # false negatives: missed positives
    accuracy = float(np.mean(said_yes == positive))
    precision = tp / (tp + fp) if tp + fp else 0.0  # no "yes" at all: 0
    recall = tp / (tp + fn)
    f1 = 2 * tp / (2 * tp + fp + fn)
    return accuracy, precision, recall, f1


always_no = scores(y_test, np.zeros(len(y_test)))
plain_scores = scores(y_test, p_plain)
print("                accuracy  precision  recall     F1")
for name, s in (("always 'no'", always_no), ("plain BCE", plain_scores)):
    print(f"{name:15s} {s[0]:8.2%} {s[1]:10.2%} {s[2]:7.2%} {s[3]:6.3f}")
# --8<-- [end:scores]

# Training reached the exact minimiser (Newton's method in float64, bias as a column
# of ones), where the mean probability equals the positive rate.
from lossbook.losses import binary_crossentropy
from lossbook.train import newton_fit

ones = np.ones((len(x_train), 1), np.float32)
fitted = np.concatenate([v.numpy().ravel() for v in plain.layers[0].weights])
exact = newton_fit(  # from the Keras fit: Newton's steps go the rest of the way
    np.hstack([x_train, ones]),
    y_train,
    lambda t, z: binary_crossentropy(t, z, from_logits=True),
    init=fitted.astype(np.float64),
).ravel()
plain_exact_gap = float(np.abs(fitted - exact).max())
assert plain_exact_gap < 1e-6

# From b = 0 (p = 0.5) instead, the same 300 steps end far from the minimum.
prior_log_odds, kept = 0.0, prior_log_odds
from_zero, _ = train(BinaryCrossentropy())
prior_log_odds = kept
fitted = np.concatenate([v.numpy().ravel() for v in from_zero.layers[0].weights])
zero_gap = float(np.abs(fitted - exact).max())
assert zero_gap > 1000 * plain_exact_gap and zero_gap > 0.1

# Our scores are Keras' metrics (they count p > threshold too).
for metric, ours in ((keras.metrics.Precision(), 1), (keras.metrics.Recall(), 2)):
    metric.update_state(y_test, p_plain)
    assert abs(float(metric.result()) - plain_scores[ours]) < 1e-6

# The claims of the page: as accurate as always saying no, recall near 0, and the
# probabilities calibrated on average (at the minimum, mean p = positive rate).
plain_accuracy, plain_recall = plain_scores[0], plain_scores[2]
always_no_accuracy = always_no[0]
assert abs(plain_accuracy - always_no_accuracy) < 0.005 and plain_recall < 0.1
mean_p_train = float(probabilities(plain, x_train).mean())
positive_rate_train = float(y_train.mean())
assert abs(mean_p_train - positive_rate_train) < 1e-5
mean_p_test = float(p_plain.mean())
positive_rate_test = float(y_test.mean())
above_half = int((p_plain > 0.5).sum())

# --8<-- [start:weights]
n_negative, n_positive = int((y_train == 0).sum()), int((y_train == 1).sum())
balanced = {
    0: 1.0,
    1: n_negative / n_positive,
}  # both classes weigh the same in total
print(f"class weights: 0 -> {balanced[0]}, 1 -> {balanced[1]:.2f}")
by_class, by_class_losses = train(BinaryCrossentropy(), class_weight=balanced)
weights = np.where(y_train == 1, balanced[1], balanced[0]).astype(np.float32)
by_sample, _ = train(BinaryCrossentropy(), sample_weight=weights)
for name, model in (("class_weight", by_class), ("sample_weight", by_sample)):
    w, b = (v.numpy().ravel() for v in model.layers[0].weights)
    print(f"{name:13s} w = {w}, b = {b}")
# --8<-- [end:weights]

balanced_ratio = balanced[1]
same_gap = max(
    float(np.abs(a.numpy() - b.numpy()).max())
    for a, b in zip(
        by_class.layers[0].weights, by_sample.layers[0].weights, strict=True
    )
)
assert same_gap == 0.0  # bit for bit
p_class = probabilities(by_class, x_test)
mean_p_class = float(p_class.mean())
assert mean_p_class > 10 * mean_p_test  # no longer calibrated

# --8<-- [start:focal_fits]
from lossbook.losses import BinaryFocalCrossentropy

focal, focal_losses = {}, {}
for gamma in (1, 2):
    focal[gamma], focal_losses[gamma] = train(BinaryFocalCrossentropy(gamma=gamma))
for name, model in (
    ("plain BCE", plain),
    ("focal, gamma=1", focal[1]),
    ("focal, gamma=2", focal[2]),
):
    p = probabilities(model, x_test)
    print(
        f"{name:15s} mean probability {p.mean():.4f},"
        f" above 0.5: {int((p > 0.5).sum())} samples"
    )
# --8<-- [end:focal_fits]

focal_mean_p = [mean_p_test] + [
    float(probabilities(focal[g], x_test).mean()) for g in (1, 2)
]
assert focal_mean_p[0] < focal_mean_p[1] < focal_mean_p[2]  # less sure of "no"
# ... yet fewer samples above 0.5 than plain cross-entropy.
focal_above_half = [
    int((probabilities(focal[g], x_test) > 0.5).sum()) for g in (1, 2)
]
assert max(focal_above_half) < above_half

from lossbook.losses import binary_focal_crossentropy

# Every Keras fit is within 1e-4 of the exact minimiser of its own loss (Newton's
# method in float64, started from the Keras fit); the class weights as per-sample
# factors.
balanced_factors = tf.constant(
    np.where(y_train == 1, balanced[1], balanced[0]).ravel().astype(np.float64)
)
exact_losses = {
    "class_weight": (
        by_class,
        lambda t, z: balanced_factors * binary_crossentropy(t, z, from_logits=True),
    ),
    "focal, gamma=1": (
        focal[1],
        lambda t, z: binary_focal_crossentropy(t, z, gamma=1.0, from_logits=True),
    ),
    "focal, gamma=2": (
        focal[2],
        lambda t, z: binary_focal_crossentropy(t, z, gamma=2.0, from_logits=True),
    ),
}
exact_gaps = {"plain BCE": plain_exact_gap}
for name, (model, loss_fn) in exact_losses.items():
    fitted = np.concatenate([v.numpy().ravel() for v in model.layers[0].weights])
    exact_fit = newton_fit(
        np.hstack([x_train, ones]), y_train, loss_fn, init=fitted.astype(np.float64)
    ).ravel()
    exact_gaps[name] = float(np.abs(fitted - exact_fit).max())
largest_exact_gap = max(exact_gaps.values())
assert largest_exact_gap < 1e-4, exact_gaps

# --8<-- [start:threshold]
candidates = np.linspace(0.01, 0.99, 99)


def best_threshold(model):
    """The threshold with the best F1 on the training set (never the test set)."""
    p = probabilities(model, x_train)
    f1 = [scores(y_train, p, t)[3] for t in candidates]
    return float(candidates[np.argmax(f1)])


threshold = best_threshold(plain)
print(f"the plain model's best threshold on the training set: {threshold:.2f}")
# --8<-- [end:threshold]

# --8<-- [start:compare]
models = {
    "plain BCE": plain,
    "class_weight": by_class,
    "focal, gamma=1": focal[1],
    "focal, gamma=2": focal[2],
}
table, tuned = {}, {}  # name: (accuracy, precision, recall, F1); name: threshold
print(f"{'':15s} {'at 0.5':>22s} {'threshold from the training set':>38s}")
print(f"{'test set':15s} precision recall    F1 threshold precision recall    F1")
for name, model in models.items():
    p, tuned[name] = probabilities(model, x_test), best_threshold(model)
    table[name] = scores(y_test, p, 0.5)
    table[f"{name}, tuned threshold"] = scores(y_test, p, tuned[name])
    _, pr, r, f1 = table[name]
    _, pr_t, r_t, f1_t = table[f"{name}, tuned threshold"]
    print(
        f"{name:15s} {pr:9.2%} {r:6.2%} {f1:5.3f} {tuned[name]:9.2f}"
        f" {pr_t:9.2%} {r_t:6.2%} {f1_t:5.3f}"
    )
# --8<-- [end:compare]

f1s = {name: s[3] for name, s in table.items()}
recalls = {name: s[2] for name, s in table.items()}
precisions = {name: s[1] for name, s in table.items()}
assert recalls["class_weight"] > 0.7 > 0.1 > precisions["class_weight"]
for gamma in (1, 2):  # focal loss at 0.5: no better than plain cross-entropy
    assert recalls[f"focal, gamma={gamma}"] <= recalls["plain BCE"] + 0.01
# Each with its own threshold, every model does far better than at 0.5, and they
# end up close together: no loss wins by much.
tuned_f1 = [f1s[f"{name}, tuned threshold"] for name in models]
for name in models:
    assert f1s[f"{name}, tuned threshold"] > 2 * f1s[name]
tuned_f1_low, tuned_f1_high = min(tuned_f1), max(tuned_f1)
assert tuned_f1_high - tuned_f1_low < 0.05
tuned_thresholds = [tuned[name] for name in models]
f1_table = [f1s[name] for name in models]
recall_table = [recalls[name] for name in models]
precision_table = [precisions[name] for name in models]
moved_threshold = threshold
# For illustration only: the threshold the test set itself would pick, and how much
# better it looks there than the one chosen on the training set.
p_plain_f1 = [scores(y_test, p_plain, t)[3] for t in candidates]
test_best_threshold = float(candidates[np.argmax(p_plain_f1)])
test_best_f1 = float(max(p_plain_f1))
assert test_best_f1 > f1s["plain BCE, tuned threshold"]
# The loss curves: flat within about ten epochs (100 steps).
for curve in (plain_losses, by_class_losses, focal_losses[1], focal_losses[2]):
    assert abs(curve[-1] / curve[9] - 1) < 1e-2

# --8<-- [start:compare_figure]
from lossbook.plotting import plot_imbalance_comparison

curves = {
    "plain BCE": plain_losses,
    "class_weight": by_class_losses,
    "focal, gamma=1": focal_losses[1],
    "focal, gamma=2": focal_losses[2],
}
fig = plot_imbalance_comparison(curves, table)  # every row of the table
# --8<-- [end:compare_figure]

# --8<-- [start:direction]
for name, model in (
    ("plain BCE", plain),
    ("class_weight", by_class),
    ("focal, gamma=1", focal[1]),
    ("focal, gamma=2", focal[2]),
):
    w, b = (v.numpy().ravel() for v in model.layers[0].weights)
    u, length = w / np.linalg.norm(w), np.linalg.norm(w)  # direction and length
    print(
        f"{name:15s} w/|w| = ({u[0]:.3f}, {u[1]:.3f})  |w| = {length:.3f}"
        f"  b = {b[0]:+.3f}  -b/|w| = {-b[0] / length:.3f}"
    )
# --8<-- [end:direction]


def angle(a, b):
    """The angle between the w of two models, in degrees."""
    a, b = (m.layers[0].kernel.numpy().ravel().astype(np.float64) for m in (a, b))
    cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    return float(np.degrees(np.arccos(min(cosine, 1.0))))


angles = [angle(plain, m) for m in (by_class, focal[1], focal[2])]
largest_angle = max(angles)
assert largest_angle < 5


def boundary(model):
    """How far from the origin the model's p = 0.5 line lies: -b / |w|."""
    w, b = (v.numpy().ravel().astype(np.float64) for v in model.layers[0].weights)
    return float(-b[0] / np.linalg.norm(w))


boundaries = [boundary(m) for m in (plain, by_class, focal[1], focal[2])]
# Focal loss keeps the p = 0.5 line (nearly) where plain cross-entropy puts it;
# class weights move it.
assert max(abs(d - boundaries[0]) for d in boundaries[2:]) < 0.1
assert boundaries[0] - boundaries[1] > 1

# --8<-- [start:cost]
from lossbook.losses import asymmetric_loss

PROFIT, COST = 19.0, 1.0  # a missed positive loses PROFIT, a false alarm costs COST
formula = COST / (COST + PROFIT)  # say "yes" when p PROFIT > (1 - p) COST


def mean_cost(y, p, threshold):
    """The custom lesson's loss of the decisions: 1 (yes) or 0 (no) per row."""
    said_yes = (p > threshold).astype(np.float32).reshape(y.shape)
    return float(np.mean(asymmetric_loss(y, said_yes, profit=PROFIT, cost=COST)))


sweep = np.linspace(0.005, 0.5, 100)
costs = np.array([mean_cost(y_test, p_plain, t) for t in sweep])
print(f"COST / (COST + PROFIT) = {formula:.3f}")
print(f"mean cost at 0.5: {mean_cost(y_test, p_plain, 0.5):.4f}")
print(f"mean cost at {formula:.3f}: {mean_cost(y_test, p_plain, formula):.4f}")
print(f"best on the test set: {costs.min():.4f} at {sweep[np.argmin(costs)]:.3f}")

weighted, _ = train(BinaryCrossentropy(), class_weight={0: COST, 1: PROFIT})
p_weighted = probabilities(weighted, x_test)
said_yes_weighted, said_yes_plain = p_weighted > 0.5, p_plain > formula
same = np.mean(said_yes_weighted == said_yes_plain)
print(
    f"class weights (COST, PROFIT) at 0.5: mean cost"
    f" {mean_cost(y_test, p_weighted, 0.5):.4f}, the same decision as the plain"
    f" model at {formula:.3f} for {same:.2%} of the samples"
)
print(
    f"called positive: {said_yes_plain.sum()} (plain), {said_yes_weighted.sum()}"
    f" (weighted); they differ on {np.sum(said_yes_weighted != said_yes_plain)}"
)
# --8<-- [end:cost]

cost_half = mean_cost(y_test, p_plain, 0.5)
cost_formula = mean_cost(y_test, p_plain, formula)
cost_best = float(costs.min())
cost_best_at = float(sweep[np.argmin(costs)])
cost_weighted = mean_cost(y_test, p_weighted, 0.5)
same_decisions = float(same)
assert cost_formula < 0.7 * cost_half
assert cost_formula < 1.1 * cost_best  # the formula is near the test set's best
assert abs(cost_weighted / cost_formula - 1) < 0.1
assert same_decisions > 0.99
assert abs(cost_best_at - formula) < 0.02
# The share of equal decisions is mostly the easy negatives: among the samples
# called positive the two differ far more often.
n_yes_plain, n_yes_weighted = (
    int(said_yes_plain.sum()),
    int(said_yes_weighted.sum()),
)
n_differ = int(np.sum(said_yes_weighted != said_yes_plain))
differ_share = n_differ / max(n_yes_plain, n_yes_weighted)
assert differ_share > 5 * (1 - same_decisions)

# The weighted model's probabilities: the plain ones, odds x PROFIT / COST.
shifted = PROFIT * p_plain / (PROFIT * p_plain + COST * (1 - p_plain))
shift_gap = float(np.abs(p_weighted - shifted).max())
b_plain = float(plain.layers[0].bias.numpy()[0])
b_weighted = float(weighted.layers[0].bias.numpy()[0])
bias_shift = b_weighted - b_plain
w_norm_plain = float(np.linalg.norm(plain.layers[0].kernel.numpy()))
w_norm_weighted = float(np.linalg.norm(weighted.layers[0].kernel.numpy()))
log_ratio = float(np.log(PROFIT / COST))
assert abs(bias_shift - log_ratio) < 0.3 and shift_gap < 0.05
# The gap is the data's, not the training's: Keras reached the exact weighted fit.
row_weights = tf.constant(
    np.where(y_train == 1, PROFIT, COST).ravel().astype(np.float64)
)
fitted = np.concatenate([v.numpy().ravel() for v in weighted.layers[0].weights])
exact_weighted = newton_fit(
    np.hstack([x_train, ones]),
    y_train,
    lambda t, z: row_weights * binary_crossentropy(t, z, from_logits=True),
    init=fitted.astype(np.float64),
).ravel()
exact_gaps["weighted (COST, PROFIT)"] = float(np.abs(fitted - exact_weighted).max())
largest_exact_gap = max(exact_gaps.values())
assert largest_exact_gap < 1e-4, exact_gaps

# --8<-- [start:cost_figure]
from lossbook.plotting import plot_threshold_sweep

fig = plot_threshold_sweep(  # on the test set: to look at, not to choose by
    sweep,
    {
        "precision": [scores(y_test, p_plain, t)[1] for t in sweep],
        "recall": [scores(y_test, p_plain, t)[2] for t in sweep],
        "F1": [scores(y_test, p_plain, t)[3] for t in sweep],
    },
    costs,
    marks={"0.5": 0.5, f"COST / (COST + PROFIT) = {formula:.2f}": formula},
)
# --8<-- [end:cost_figure]
