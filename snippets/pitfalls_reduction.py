"""reduction="sum" against Keras' default, "sum_over_batch_size", in model.fit: the
gradient, and so the step, is batch-size times larger.

Lesson: keras_pitfalls.md. Shows: one SGD step from the same weights (kernel 0)
with each reduction, for batches of 8 and 32: every entry of the step with "sum" is
the batch size times the default's (asserted to 1e-5). Not shown: two steps of SGD
with momentum: "sum" is the mean with the learning rate times 8 (asserted); two
steps of Adam: "sum" is the mean with the same learning rate (asserted to 1 %).
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


# --8<-- [start:one_step]
import lossbook.losses


def first_step(reduction, batch_size):
    """The kernel after one SGD step from 0 on the first batch_size examples."""
    model = classifier()
    # The kernel starts at 0: the new kernel is the step.
    model.layers[-1].kernel.assign(np.zeros((4, 3)))
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=lossbook.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=reduction
        ),
    )
    model.fit(x[:batch_size], ids[:batch_size], batch_size=batch_size, verbose=0)
    return model.layers[-1].kernel.numpy()


ratios = {}
for batch_size in (8, 32):
    step_mean = first_step("sum_over_batch_size", batch_size)  # the default
    step_sum = first_step("sum", batch_size)
    ratios[batch_size] = step_sum / step_mean
    print(
        f"batch size {batch_size:2}: step with 'sum' / step with the default"
        f" = {ratios[batch_size].min():.5f} to {ratios[batch_size].max():.5f}"
    )
# --8<-- [end:one_step]

for batch_size, ratio in ratios.items():
    assert np.allclose(ratio, batch_size, rtol=1e-5), (batch_size, ratio)

# With momentum too, "sum" trains as the mean with the learning rate times the batch
# size. Adam divides each step by the size of the recent gradients: the factor
# cancels, and "sum" trains almost as the mean with the same learning rate.
import tensorflow as tf


def two_steps(optimizer, reduce, batch_size=8):
    """The kernel after two steps from 0 on the first batch_size examples."""
    kernel = tf.Variable(tf.zeros((4, 3)))
    for _ in range(2):
        with tf.GradientTape() as tape:
            value = reduce(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    ids[:batch_size], tf.matmul(x[:batch_size], kernel)
                )
            )
        optimizer.apply_gradients([(tape.gradient(value, kernel), kernel)])
    return kernel.numpy()


# SGD with momentum: "sum" with 0.1 is the mean with 0.8 (batches of 8).
momentum = [
    two_steps(keras.optimizers.SGD(rate, momentum=0.9), reduce)
    for rate, reduce in ((0.1, tf.reduce_sum), (0.8, tf.reduce_mean))
]
assert np.allclose(*momentum, rtol=1e-5), momentum
# Adam: "sum" is the mean, with the same learning rate.
adam = [
    two_steps(keras.optimizers.Adam(0.1), r)
    for r in (tf.reduce_sum, tf.reduce_mean)
]
assert np.allclose(*adam, rtol=1e-2), adam
