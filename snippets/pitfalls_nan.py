"""A loss that turns NaN in model.fit: log 0 in a hand-written cross-entropy, and a
learning rate too large; keras.callbacks.TerminateOnNaN.

Lesson: keras_pitfalls.md. Shows: 0 x log 0 = NaN in a hand-written cross-entropy on
probabilities; a softmax model on inputs in the wrong units: with it, the first
epoch's loss is NaN, TerminateOnNaN stops training and the weights are already NaN
(asserted); with Keras' cross-entropy it trains (asserted); the yogurt regression
with a learning rate too large (the loss grows to inf, asserted, and
TerminateOnNaN stops it, the weights finite but huge, asserted) and one that
converges (asserted).
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


# --8<-- [start:log_zero]
import tensorflow as tf


def cross_entropy_by_hand(y_true, y_pred):  # y_pred: probabilities
    return -tf.reduce_sum(y_true * tf.math.log(y_pred), axis=-1)


print("one example:", cross_entropy_by_hand([[1.0, 0.0]], [[1.0, 0.0]]).numpy())
runs = {}
for loss in (cross_entropy_by_hand, keras.losses.CategoricalCrossentropy()):
    name = getattr(loss, "__name__", "keras.losses." + type(loss).__name__)
    print(name)
    model = classifier("softmax")
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    # The same data in units 1000 times smaller: logits in the thousands.
    history = model.fit(
        1000 * x,
        one_hot,
        batch_size=8,
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    )
    finite = all(np.isfinite(w).all() for w in model.get_weights())
    runs[name] = (history.history["loss"], model.get_weights())
    print(
        "  loss each epoch:", " ".join(f"{v:.3g}" for v in history.history["loss"])
    )
    print("  weights finite: ", finite)
# --8<-- [end:log_zero]

(by_hand_losses, by_hand_weights), (keras_losses, keras_weights) = runs.values()
# By hand: NaN in the first epoch, training stopped, every weight already NaN.
assert len(by_hand_losses) == 1 and np.isnan(by_hand_losses[0]), by_hand_losses
assert all(np.isnan(w).all() for w in by_hand_weights), by_hand_weights
# Keras' loss sees the softmax's logits: finite (tens of thousands), and it trains.
assert all(np.isfinite(w).all() for w in keras_weights), keras_weights
assert len(keras_losses) == 2 and np.all(np.isfinite(keras_losses)), keras_losses
assert keras_losses[0] > 1e4 and keras_losses[-1] < keras_losses[0], keras_losses

# --8<-- [start:learning_rate]
from lossbook.data import yogurt_sales
from lossbook.losses import MeanSquaredError

x_sales, y_sales = yogurt_sales()  # 32 days, 2 features, as in the MSE lesson
sales_runs = {}
for learning_rate in (5.0, 0.5):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, use_bias=False)]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate), loss=MeanSquaredError()
    )
    print(f"learning rate {learning_rate}:")
    history = model.fit(
        x_sales,
        y_sales,
        batch_size=4,
        epochs=5,
        verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    )
    sales_runs[learning_rate] = (history.history["loss"], model.get_weights())
    print(
        "  loss each epoch:", " ".join(f"{v:.2g}" for v in history.history["loss"])
    )
# --8<-- [end:learning_rate]

(too_large, diverged_weights), (small_enough, _) = sales_runs.values()
# Too large: each epoch multiplies the loss, until it overflows and training stops.
growth = np.array(too_large[1:-1]) / np.array(too_large[:-2])
assert len(growth) >= 2 and np.all(growth > 1e8), too_large  # "over 1e8 an epoch"
assert np.all(np.isfinite(too_large[:-1])) and not np.isfinite(too_large[-1])
overflow_epoch = len(too_large)
assert small_enough[-1] < 1e-3, small_enough
# Stopped on inf, the weights are finite, but far too large to be of any use.
diverged_weight = float(np.abs(diverged_weights[0]).max())
assert np.isfinite(diverged_weight) and diverged_weight > 1e15, diverged_weights
