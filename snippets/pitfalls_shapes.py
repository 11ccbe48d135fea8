"""Sparse labels shaped (n, 1) or (n,) in model.fit: Keras' losses and metrics take
both; a loss or a metric written by hand broadcasts (n, 1) against (n,) into (n, n)
and quietly computes something else; lossbook's sparse loss aligns the two.

Lesson: keras_pitfalls.md. Shows: the shapes a hand-written sparse cross-entropy and
accuracy return for labels (96,) and (96, 1) (asserted: (96,) and (96, 96)); three
fits: by hand with (96,), by hand with (96, 1) (the model learns only how common
each class is in the batch: the loss equals the cross-entropy of every prediction
against the class shares, asserted; it trains far worse, asserted) and lossbook's
SparseCategoricalCrossentropy with (96, 1) (the same training as the right run,
asserted); Keras' "accuracy" against the hand-written metric (asserted).
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


# --8<-- [start:by_hand]
import tensorflow as tf


def sparse_cross_entropy_by_hand(y_true, y_pred):  # y_pred: logits
    labels = tf.one_hot(tf.cast(y_true, tf.int32), depth=3)
    return -tf.reduce_sum(labels * tf.nn.log_softmax(y_pred), axis=-1)


def accuracy_by_hand(y_true, y_pred):
    hits = tf.equal(tf.cast(y_true, tf.int64), tf.argmax(y_pred, axis=-1))
    return tf.cast(hits, tf.float32)


logits = classifier()(x)
for labels in (ids, ids.reshape(-1, 1)):
    loss = sparse_cross_entropy_by_hand(labels, logits)
    hits = accuracy_by_hand(labels, logits)
    print(
        f"labels {str(labels.shape):8}-> loss {loss.shape}, accuracy {hits.shape}"
    )
# --8<-- [end:by_hand]

by_hand_shapes = [
    sparse_cross_entropy_by_hand(labels, logits).shape.as_list()
    for labels in (ids, ids.reshape(-1, 1))
]
assert by_hand_shapes == [[96], [96, 96]], by_hand_shapes

# --8<-- [start:fit]
import lossbook.losses

runs = {  # labels, loss
    "(96,), by hand": (ids, sparse_cross_entropy_by_hand),
    "(96, 1), by hand": (ids.reshape(-1, 1), sparse_cross_entropy_by_hand),
    "(96, 1), lossbook": (
        ids.reshape(-1, 1),
        lossbook.losses.SparseCategoricalCrossentropy(from_logits=True),
    ),
}
print(f"{'labels, loss':19}  real loss  accuracy  'accuracy'  accuracy_by_hand")
results = {}
for name, (labels, loss) in runs.items():
    model = classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(0.5),
        loss=loss,
        metrics=["accuracy", accuracy_by_hand],
    )
    history = model.fit(x, labels, batch_size=8, epochs=2, verbose=0)
    reported = (
        history.history["accuracy"][-1],
        history.history["accuracy_by_hand"][-1],
    )
    results[name] = (*real_loss_and_accuracy(model), *reported)
    print(
        f"{name:19}{results[name][0]:11.4f}{results[name][1]:10.4f}"
        f"{reported[0]:12.4f}{reported[1]:18.4f}"
    )
# --8<-- [end:fit]

right, broadcast, ours = results.values()
# With (96, 1) labels the hand-written loss trains far worse.
assert broadcast[0] > right[0] + 0.3 and broadcast[1] < right[1] - 0.2, results
# It is the cross-entropy of every prediction against the batch's class shares: it
# does not know which example is of which class.
shares = np.bincount(ids, minlength=3) / len(ids)
against_shares = categorical_crossentropy(
    np.tile(shares, (len(ids), 1)), logits, from_logits=True
)
assert np.isclose(
    float(tf.reduce_mean(sparse_cross_entropy_by_hand(ids.reshape(-1, 1), logits))),
    float(np.mean(against_shares)),
    rtol=1e-5,
)
# lossbook's loss takes (96, 1) as (96,): the right training, to float32 rounding.
assert np.allclose(ours[:2], right[:2], rtol=1e-5), results
# Keras' "accuracy" is right for both shapes; the metric by hand only for (96,).
assert abs(right[2] - right[3]) < 1e-6 and abs(ours[2] - ours[3]) > 0.2, results
broadcast_loss, broadcast_accuracy = broadcast[0], broadcast[1]
by_hand_metric = ours[3]
# Keras' own sparse cross-entropy takes both shapes too.
keras_sce = keras.losses.sparse_categorical_crossentropy
assert np.array_equal(
    keras_sce(ids, logits, from_logits=True),
    keras_sce(ids.reshape(-1, 1), logits, from_logits=True),
)
