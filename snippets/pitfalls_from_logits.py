"""from_logits in a real model.fit: a softmax output told from_logits=True (Keras
rescues it, with a warning) and logits left at the default from_logits=False
(nothing rescues them: training goes nowhere).

Lesson: keras_pitfalls.md. Shows: the lesson's data and model (96 examples, 4
features, 3 classes, a linear classifier); three compile/fit runs from the same
weights: the right setup; a softmax with from_logits=True (Keras' warning, captured
from the run; the same weights as the right setup to the last bit, asserted);
logits with from_logits=False (divided by the row sums and clipped: the real
cross-entropy and the accuracy stay far from the right run's, asserted; the shares
of rows clipped at 1e-7 and at 1 - 1e-7, where there is no gradient); 50 passes
over the data in batches of 16 (Keras' loss falls, the real one rises and the
accuracy drops below chance, asserted; the rows whose right logit and other logits
both sum to a negative number, asserted to be many).
"""

# --8<-- [start:data]
import keras
import numpy as np

from lossbook.losses import categorical_crossentropy

rng = np.random.default_rng(0)
x = rng.normal(size=(96, 4)).astype(np.float32)  # 96 examples, 4 features
ids = np.argmax(x[:, :3] + rng.normal(scale=0.5, size=(96, 3)), axis=1)  # 3 classes
one_hot = np.eye(3, dtype=np.float32)[ids]


def classifier(activation=None):
    # A linear classifier, 4 features -> 3 classes, always from the same weights.
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation=activation)]
    )


def real_loss_and_accuracy(model):
    # The real cross-entropy and accuracy, from the logits x @ kernel + bias.
    kernel, bias = model.layers[-1].get_weights()
    logits = x @ kernel + bias
    loss = categorical_crossentropy(one_hot, logits, from_logits=True)
    return float(np.mean(loss)), float(np.mean(np.argmax(logits, axis=1) == ids))


print("x:", x.shape, " ids:", ids[:8], "...  examples per class:", np.bincount(ids))
start_loss, start_accuracy = real_loss_and_accuracy(classifier())
print(
    f"at the start: cross-entropy {start_loss:.4f}, accuracy {start_accuracy:.4f}"
)
# --8<-- [end:data]

# --8<-- [start:mismatch]
import textwrap
import warnings

setups = {  # name: the model's last activation, and from_logits
    "logits, from_logits=True (right)": (None, True),
    "softmax, from_logits=True": ("softmax", True),
    "logits, from_logits=False": (None, False),
}
print(f"{'':34}warned  Keras' loss  real loss  accuracy")
results, weights, warning_text = {}, {}, ""
for name, (activation, from_logits) in setups.items():
    model = classifier(activation)
    model.compile(
        optimizer=keras.optimizers.SGD(0.5),
        loss=keras.losses.CategoricalCrossentropy(from_logits=from_logits),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, one_hot, batch_size=8, epochs=2, verbose=0)
    warned = [str(w.message) for w in caught if "from_logits" in str(w.message)]
    warning_text = warning_text or (warned[0] if warned else "")
    keras_loss = history.history["loss"][-1]  # what Keras minimised, last epoch
    results[name] = (bool(warned), keras_loss, *real_loss_and_accuracy(model))
    weights[name] = model.get_weights()
    print(
        f"{name:34}{'yes' if warned else 'no':8}{keras_loss:11.4f}"
        f"{results[name][2]:11.4f}{results[name][3]:10.4f}"
    )
print("\nThe warning:\n" + textwrap.fill(warning_text, 72))
# --8<-- [end:mismatch]

right, rescued, unrescued = results.values()
right_loss, right_accuracy = right[2], right[3]
assert not right[0] and rescued[0] and not unrescued[0], results
assert "received `from_logits=True`" in warning_text, warning_text
# Rescued: the same training as the right setup, to the last bit.
right_weights, rescued_weights, wrong_weights = weights.values()
assert rescued[1:] == right[1:], (rescued, right)
assert all(
    np.array_equal(a, b)
    for a, b in zip(rescued_weights, right_weights, strict=True)
)
# Not rescued: far from it.
assert unrescued[2] > right_loss + 0.5 and unrescued[3] < right_accuracy - 0.1, (
    results
)
wrong_loss, wrong_accuracy = unrescued[2], unrescued[3]
# The right class's "probability" z_y / sum(z), clipped: rows clipped at either end
# have no gradient at all.
wrong_logits = x @ wrong_weights[0] + wrong_weights[1]
wrong_p = wrong_logits[np.arange(len(ids)), ids] / wrong_logits.sum(axis=1)
clipped_high = float(np.mean(wrong_p >= 1 - 1e-7))
clipped_low = float(np.mean(wrong_p <= 1e-7))
assert clipped_high > 0.2 and clipped_low > 0.2, (clipped_high, clipped_low)

# --8<-- [start:longer]
model = classifier()
model.compile(
    optimizer=keras.optimizers.SGD(0.5),
    loss=keras.losses.CategoricalCrossentropy(),  # from_logits=False: wrong here
    steps_per_execution=60,  # 60 batches per call: faster
)
passes = []
record = keras.callbacks.LambdaCallback(
    on_epoch_end=lambda epoch, logs: passes.append(
        (logs["loss"], *real_loss_and_accuracy(model))
    )
)
# Each epoch goes through the data 10 times over: 5 epochs are 50 passes.
model.fit(
    np.tile(x, (10, 1)),
    np.tile(one_hot, (10, 1)),
    batch_size=16,
    epochs=5,
    verbose=0,
    callbacks=[record],
)
for n, (keras_loss, loss, accuracy) in zip(range(10, 51, 10), passes, strict=True):
    print(
        f"after {n} passes: Keras' loss {keras_loss:.4f}, real loss {loss:7.4f},"
        f" accuracy {accuracy:.4f}"
    )
# --8<-- [end:longer]

longer_keras_loss, longer_loss, longer_accuracy = passes[-1]
# In this run (batches of 16), Keras' loss went down; the real one went up, and the
# accuracy below chance.
assert longer_keras_loss < passes[0][0], passes
assert longer_loss > wrong_loss and longer_accuracy < 1 / 3, passes
# Below chance: when the right class's logit z_y and the other logits' sum are both
# negative, the more negative z_y, the larger z_y / sum(z) (clipped at 1 - 1e-7).
kernel, bias = model.layers[-1].get_weights()
final_logits = x @ kernel + bias
right_logit = final_logits[np.arange(len(ids)), ids]
others_sum = final_logits.sum(axis=1) - right_logit
both_negative = float(np.mean((right_logit < 0) & (others_sum < 0)))
assert both_negative > 0.3, (right_logit, others_sum)
