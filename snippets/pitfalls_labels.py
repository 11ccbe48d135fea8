"""Integer class ids given to categorical cross-entropy: the error Keras raises in
model.fit, and lossbook's; one output unit, where categorical cross-entropy is 0 and
nothing trains.

Lesson: keras_pitfalls.md. Shows: Keras' and lossbook's ValueError for ids of shape
(96,) against predictions (96, 3) (Keras' names the rank); a one-unit model with
categorical cross-entropy: the loss is 0 (asserted); Keras' weights move all the
same, until almost every example is called "not class 0" (over 95 %, asserted; its
accuracy near the share of the examples not in class 0, asserted; the gradient of
TensorFlow's fused op, asserted), lossbook's do not move (asserted); a sigmoid Keras
cannot see: divided by its sum and clipped, a loss near 1e-7 and no gradient
(asserted); Keras' warning, captured.
"""

# The lesson's data and model, as the page shows them (pitfalls_from_logits.py).
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


# --8<-- [start:categorical_ids]
import textwrap

import tensorflow as tf

import lossbook.losses

errors = {}
for loss in (
    keras.losses.CategoricalCrossentropy(from_logits=True),
    lossbook.losses.CategoricalCrossentropy(from_logits=True),
):
    model = classifier()
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    try:
        model.fit(x, ids, batch_size=8, epochs=2, verbose=0)  # ids, not one-hot
    except ValueError as err:
        errors[type(loss).__module__.split(".")[0]] = str(err)
for name, message in errors.items():
    print(name + ":")
    print(textwrap.fill(message, 80, initial_indent="  ", subsequent_indent="  "))
# --8<-- [end:categorical_ids]

assert list(errors) == ["keras", "lossbook"], errors
assert "must have the same rank" in errors["keras"], errors
assert "use sparse_categorical_crossentropy" in errors["lossbook"], errors

# --8<-- [start:one_output]
import warnings

is_class_0 = (ids == 0).astype(np.float32).reshape(-1, 1)  # two classes: 1 or 0
print(f"{'':9}loss, epoch by epoch  accuracy  weights moved by  'not class 0'")
runs, warning_text = {}, ""
for loss in (
    keras.losses.CategoricalCrossentropy(),
    lossbook.losses.CategoricalCrossentropy(),
):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.5), loss=loss, metrics=["accuracy"]
    )
    start = model.get_weights()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, is_class_0, batch_size=8, epochs=2, verbose=0)
    moved = max(
        np.abs(a - b).max() for a, b in zip(model.get_weights(), start, strict=True)
    )
    kernel, bias = model.get_weights()
    not_class_0 = np.mean(x @ kernel + bias < 0)  # logit < 0: "not class 0"
    warning_text = warning_text or str(caught[0].message)  # Keras' own
    warned = any("num_classes > 1" in str(w.message) for w in caught)
    name = type(loss).__module__.split(".")[0]
    runs[name] = (
        history.history["loss"],
        history.history["accuracy"][-1],
        moved,
        warned,
        not_class_0,
    )
    losses = str(np.array(history.history["loss"]))
    print(
        f"{name:9}{losses:22}{history.history['accuracy'][-1]:.4f}{moved:18.4f}"
        f"{not_class_0:15.4f}"
    )
print(f"share of the examples not in class 0: {1 - is_class_0.mean():.4f}")
print("Keras' warning:", textwrap.fill(warning_text, 66, subsequent_indent="  "))
# --8<-- [end:one_output]

# Keras: loss 0, yet its weights moved; lossbook: loss 0, and nothing moved.
(keras_losses, keras_accuracy, keras_moved, keras_warned, keras_not_0) = runs[
    "keras"
]
(ours_losses, _, ours_moved, ours_warned, _) = runs["lossbook"]
assert keras_warned and ours_warned, runs
assert max(keras_losses) == 0.0 and max(ours_losses) == 0.0, runs
assert keras_moved > 1.0 and ours_moved == 0.0, runs
assert "num_classes > 1" in warning_text, warning_text
# Keras' "learning": almost always "not class 0", so an accuracy near the share of
# the examples not in class 0.
majority_share = float(1 - is_class_0.mean())
not_class_0_share = float(keras_not_0)
assert 0.95 < not_class_0_share < 1, keras_not_0  # almost all, not all
assert abs(keras_accuracy - majority_share) < 0.05, (keras_accuracy, majority_share)
# Why it moves: TensorFlow's fused op takes its gradient to be softmax - labels,
# which assumes labels that sum to 1; with one class, softmax is 1 and the loss 0.
z = tf.Variable([[0.3]])
with tf.GradientTape() as tape:
    fused = tf.nn.softmax_cross_entropy_with_logits([[0.0]], z)
assert float(fused[0]) == 0.0 and float(tape.gradient(fused, z)[0, 0]) == 1.0
# Keras' sigmoid leaves its logits on its output, as its softmax does: Keras'
# cross-entropy takes them, and the fused op above.
assert hasattr(keras.activations.sigmoid(tf.constant([[0.3]])), "_keras_logits")
# A sigmoid Keras cannot see (tf.sigmoid, as in a Lambda layer): each row is divided
# by its sum (itself) and clipped to 1 - 1e-7: a loss of about 1e-7 for label 1, 0
# for label 0, and no gradient at all.
z = tf.Variable(np.linspace(-2.0, 2.0, len(ids), dtype=np.float32).reshape(-1, 1))
with tf.GradientTape() as tape, warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the num_classes warning, shown above
    unseen = keras.losses.CategoricalCrossentropy()(is_class_0, tf.sigmoid(z))
assert 0 < float(unseen) < 1e-7, float(unseen)
assert not np.any(tape.gradient(unseen, z)), (
    "a sigmoid Keras cannot see: no gradient"
)
