"""The from_logits pitfalls, each with its wrong and right number; sparse labels.

Lesson: softmax_cross_entropy.md. Shows: probabilities passed as logits; softmax
applied twice; when Keras sees the softmax behind its input and uses the logits
instead (compile/fit with a warning) and when it cannot; logits passed as
probabilities; sparse labels equal one-hot labels; what Keras says about a class id
out of range.
"""

# --8<-- [start:setup]
import numpy as np
import tensorflow as tf

import lossbook.losses

np.set_printoptions(precision=4, suppress=True)
y_ = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]], np.float32)
logits = np.array(
    [[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]], np.float32
)
probs = tf.nn.softmax(logits).numpy()  # what a model ending in softmax outputs
cce = tf.keras.losses.categorical_crossentropy
right = cce(y_, logits, from_logits=True).numpy()
print("right:", right)
# --8<-- [end:setup]

# --8<-- [start:probs_as_logits]
wrong = cce(
    y_, probs, from_logits=True
).numpy()  # NumPy probabilities, told they are logits
print("wrong:", wrong)
print("right:", cce(y_, probs).numpy())
# --8<-- [end:probs_as_logits]
probs_as_logits = wrong
assert np.all(np.abs(probs_as_logits - right) > 0.3), (
    "probabilities as logits: not wrong"
)

# --8<-- [start:softmax_twice]
wrong = tf.nn.softmax_cross_entropy_with_logits(y_, probs).numpy()  # softmax again
print("wrong:", wrong)
print("right:", tf.nn.softmax_cross_entropy_with_logits(y_, logits).numpy())
# Probabilities sum to 1, so a second softmax gives the right class of 3 between
# 1 / (2 + e) and e / (e + 2) of the total.
twice_floor, twice_ceiling = np.log(1 + 2 / np.e), np.log(2 + np.e)
print(f"lowest possible loss:  ln(1 + 2/e) = {twice_floor:.4f}")
print(f"highest possible loss: ln(2 + e)   = {twice_ceiling:.4f}")
# --8<-- [end:softmax_twice]
# The two mistakes are one: equal to float32 rounding.
assert np.allclose(wrong, probs_as_logits, rtol=1e-6, atol=0), probs_as_logits
# The bounds are tight: the loss is convex in the probabilities, so over the
# simplex it is largest at a vertex where the right class gets 0, and smallest at
# the right class's vertex.
vertices = np.eye(3)
twice = tf.nn.softmax_cross_entropy_with_logits
assert np.isclose(twice(vertices[[0, 0, 0]], vertices).numpy().max(), twice_ceiling)
assert np.isclose(twice(vertices, vertices).numpy().min(), twice_floor)
samples = np.random.default_rng(0).dirichlet(np.ones(3), size=100_000)
sampled = twice(np.tile(vertices[0], (len(samples), 1)), samples).numpy()
assert twice_floor <= sampled.min() and sampled.max() <= twice_ceiling, sampled
assert np.all(wrong >= twice_floor - 1e-6) and np.all(wrong <= twice_ceiling + 1e-6)
# A confident right answer sits almost on the floor.
twice_first = float(wrong[0])
assert 0 < twice_first - twice_floor < 1e-3, twice_first

# --8<-- [start:rescue]
import textwrap
import warnings

import keras

rng = np.random.default_rng(0)
x = rng.normal(size=(60, 4)).astype(np.float32)
labels = np.eye(3, dtype=np.float32)[
    np.argmax(x[:, :3] + rng.normal(size=(60, 3)), 1)
]


class TfNnSoftmax(keras.layers.Layer):  # softmax inside a layer of our own
    def call(self, z):
        return tf.nn.softmax(z)


class SoftmaxByHand(keras.layers.Layer):  # softmax written out
    def call(self, z):
        e = tf.exp(z)
        return e / tf.reduce_sum(e, axis=-1, keepdims=True)


def classifier(ending):
    """4 inputs -> 3 classes; every model starts from the same weights."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((4,))
    if ending == "Dense(softmax)":
        return keras.Model(
            inputs, keras.layers.Dense(3, activation="softmax")(inputs)
        )
    last = {
        "Activation(softmax)": keras.layers.Activation("softmax"),
        "tf.nn.softmax layer": TfNnSoftmax(),
        "softmax by hand": SoftmaxByHand(),
    }[ending]
    return keras.Model(inputs, last(keras.layers.Dense(3)(inputs)))


def true_cross_entropy(model):  # computed from the model's own logits
    kernel, bias = model.layers[1].get_weights()
    return float(np.mean(cce(labels, x @ kernel + bias, from_logits=True)))


runs = {  # from_logits -> the models' last layers, and whether fit runs eagerly
    False: [("Dense(softmax)", False)],  # the correct setup
    True: [
        ("Dense(softmax)", False),
        ("Activation(softmax)", False),
        ("tf.nn.softmax layer", False),
        ("tf.nn.softmax layer", True),
        ("softmax by hand", False),
    ],
}
print(" " * 35 + "warned Keras  true CE  true CE after")
print(" " * 35 + "       loss   (start)  40 SGD steps")
results, warning_text = [], ""
for from_logits, models in runs.items():
    print(f"from_logits={from_logits}" + (" (correct)" if not from_logits else ""))
    for ending, eager in models:
        model = classifier(ending)
        start = true_cross_entropy(model)
        model.compile(
            optimizer=keras.optimizers.SGD(0.5),
            loss=keras.losses.CategoricalCrossentropy(from_logits=from_logits),
            run_eagerly=eager,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = model.fit(x, labels, epochs=40, batch_size=60, verbose=0)
        warned = [str(w.message) for w in caught if "from_logits" in str(w.message)]
        warning_text = warning_text or (warned[0] if warned else "")
        # One batch per epoch, so the first epoch's loss is the loss at the start.
        keras_loss = history.history["loss"][0]
        end = true_cross_entropy(model)
        name = ending + (", run_eagerly" if eager else "")
        results.append((name, from_logits, bool(warned), keras_loss, start, end))
        print(
            f"  {name:33}{'yes' if warned else 'no':6}{keras_loss:7.4f}"
            f"{start:9.4f}{end:10.4f}"
        )
print("\nThe warning:\n" + textwrap.fill(warning_text, 70))
# --8<-- [end:rescue]
# What the prose says about the table, checked on every build.
kernel0, bias0 = classifier("softmax by hand").layers[1].get_weights()
start_logits = x @ kernel0 + bias0  # the same starting weights for every model
twice_start = float(
    np.mean(
        tf.nn.softmax_cross_entropy_with_logits(labels, tf.nn.softmax(start_logits))
    )
)
names = [r[0] for r in results]
warned_rows = {r[0]: r for r in results[1:] if r[2]}
silent_rows = {r[0]: r for r in results[1:] if not r[2]}
assert list(warned_rows) == names[1:4], results  # Keras saw these softmaxes
assert list(silent_rows) == names[4:], results  # and not these
assert names[4:] == ["tf.nn.softmax layer, run_eagerly", "softmax by hand"]
_, _, warned0, loss0, start0, correct_end = results[0]
assert not warned0 and np.isclose(loss0, start0, rtol=1e-5)
# Rescued: the right loss, and the same training as the correct setup.
for name, _, _, loss, start, end in warned_rows.values():
    assert np.isclose(loss, start, rtol=1e-5), (name, loss, start)
    assert np.isclose(end, correct_end, rtol=1e-5), (name, end, correct_end)
# Not rescued: softmax applied twice, and worse training.
for name, _, _, loss, _start, end in silent_rows.values():
    assert np.isclose(loss, twice_start, rtol=1e-5), (name, loss, twice_start)
    assert end > correct_end + 0.05, (name, end, correct_end)
rescued_start = results[1][4]
not_rescued_loss, not_rescued_end = results[-1][3], results[-1][5]
assert "received `from_logits=True`" in warning_text, warning_text

# --8<-- [start:logits_as_probs]
shifted = logits - 6.0  # logits can be negative; their row sums can be anything
wrong = cce(y_, shifted).numpy()  # from_logits left at False
print("row sums:", shifted.sum(axis=1))
print("wrong:", wrong)
print("right:", cce(y_, shifted, from_logits=True).numpy())
# --8<-- [end:logits_as_probs]
clip_loss = float(-np.log(np.float32(1e-7)))
meaningless = ~np.isclose(wrong, clip_loss, rtol=1e-6)
assert np.any(~meaningless) and np.any(meaningless)  # both kinds appear
assert np.all(np.abs(wrong - right) > 0.5)

# --8<-- [start:sparse]
class_ids = np.argmax(y_, axis=1)  # [0, 1, 2, 0, 1]: one integer per example
sparse = tf.keras.losses.sparse_categorical_crossentropy(
    class_ids, logits, from_logits=True
)
ours = lossbook.losses.sparse_categorical_crossentropy(
    class_ids, logits, from_logits=True
)
print("class ids:       ", class_ids)
print("one-hot labels:  ", right)
print("sparse, keras:   ", sparse.numpy())
print("sparse, lossbook:", ours.numpy())
# --8<-- [end:sparse]
assert np.array_equal(sparse, right)  # Keras: the same op, the same numbers
ours_one_hot = lossbook.losses.categorical_crossentropy(
    y_, logits, from_logits=True
)
assert np.allclose(ours, ours_one_hot, rtol=1e-6, atol=0)
assert np.allclose(ours, right, rtol=1e-4, atol=0)  # equal to the digits shown

# --8<-- [start:bad_ids]
import re

bad_ids = np.array([0, 1, 3, 0, 1])  # class 3 does not exist: there are 3 classes
try:
    tf.keras.losses.sparse_categorical_crossentropy(
        bad_ids, logits, from_logits=True
    )
except tf.errors.InvalidArgumentError as err:
    # The message starts with TensorFlow's internal function names; this is the
    # line that says what was wrong:
    keras_says = re.search(r"Received a label value of .*?\)", str(err))
    print("keras:    InvalidArgumentError -", keras_says.group())
try:
    lossbook.losses.sparse_categorical_crossentropy(
        bad_ids, logits, from_logits=True
    )
except ValueError as err:
    print("lossbook: ValueError -", err)
# --8<-- [end:bad_ids]
assert keras_says.group() == (
    "Received a label value of 3 which is outside the valid range of [0, 3)"
), keras_says.group()
