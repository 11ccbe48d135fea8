"""Exercises of the Keras-pitfalls lesson, with their solutions.

Lesson: keras_pitfalls.md. Shows: (1) reduction="sum" with the learning rate divided
by the batch size trains as the default does (96 examples, batches of 16: asserted
to the last bit); (2) the learning
rate above which gradient descent on the yogurt data diverges, 2 / the largest
eigenvalue of the MSE's Hessian (asserted: between 1.5 and 2; 5 % above it, the
MSE grows); (3) a hand-written sparse cross-entropy that takes labels (n, 1) and
(n,) alike (asserted equal to Keras') and raises an error on one-hot labels
(asserted).
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


# --8<-- [start:ex1]
import lossbook.losses

kernels = {}
for reduction, learning_rate in (("sum_over_batch_size", 0.5), ("sum", 0.5 / 16)):
    model = classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate),
        loss=lossbook.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=reduction
        ),
    )
    model.fit(x, ids, batch_size=16, epochs=2, verbose=0)
    kernels[reduction] = model.layers[-1].kernel.numpy()
gap = np.abs(kernels["sum"] - kernels["sum_over_batch_size"]).max()
print(f"largest difference between the kernels: {gap:.1e}")
# --8<-- [end:ex1]

assert gap == 0.0, gap  # 16 is a power of 2, and divides 96: no smaller last batch
ex1_gap = float(gap)

# --8<-- [start:ex2]
from lossbook.data import yogurt_sales

x_sales, y_sales = yogurt_sales()
x64, y64 = x_sales.astype(np.float64), y_sales.astype(np.float64)
hessian = 2 * x64.T @ x64 / len(x64)  # of the MSE, with respect to w
largest = np.linalg.eigvalsh(hessian).max()
threshold = 2 / largest
print(
    f"largest eigenvalue {largest:.4f}: gradient descent diverges above"
    f" a learning rate of {threshold:.4f}"
)
final_mse = []
for learning_rate in (0.95 * threshold, 1.05 * threshold):
    w = np.zeros((2, 1))
    for _ in range(500):  # full-batch gradient descent
        w -= learning_rate * 2 * x64.T @ (x64 @ w - y64) / len(x64)
    mse = float(np.mean((x64 @ w - y64) ** 2))
    final_mse.append(mse)
    print(f"learning rate {learning_rate:.4f}: MSE after 500 steps {mse:.3g}")
# --8<-- [end:ex2]

assert 1.5 < threshold < 2.0, threshold
assert final_mse[0] < 0.01 and final_mse[1] > 1e6, final_mse  # 5 % below, above

# --8<-- [start:ex3]
import tensorflow as tf


def sparse_cross_entropy_by_hand(y_true, y_pred):  # y_pred: logits
    y_true = tf.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape):  # (n, 1): drop the last axis
        y_true = tf.squeeze(y_true, axis=-1)  # an error unless its length is 1
    labels = tf.one_hot(tf.cast(y_true, tf.int32), depth=tf.shape(y_pred)[-1])
    return -tf.reduce_sum(labels * tf.nn.log_softmax(y_pred), axis=-1)


logits = classifier()(x)
keras_loss = keras.losses.sparse_categorical_crossentropy(ids, logits, True)
for labels in (ids, ids.reshape(-1, 1)):
    ours = sparse_cross_entropy_by_hand(labels, logits)
    print(
        f"labels {str(labels.shape):8}-> loss {ours.shape}, largest difference"
        f" from Keras {np.abs(ours - keras_loss).max():.1e}"
    )
# --8<-- [end:ex3]

for labels in (ids, ids.reshape(-1, 1)):
    ours = sparse_cross_entropy_by_hand(labels, logits)
    assert ours.shape == (96,) and np.allclose(
        ours, keras_loss, rtol=1e-5, atol=1e-6
    )
# Any other shape is an error, not a silent reshape: one-hot labels (96, 3), say.
try:
    sparse_cross_entropy_by_hand(one_hot, logits)
    raise AssertionError("one-hot labels were accepted")
except (ValueError, tf.errors.InvalidArgumentError) as err:
    assert "squeeze" in str(err).lower(), err
