"""Exercises of the tf.distribute lesson, with their solutions.

Lesson: distributed.md. Shows: (1) two repairs of the note's loss for two replicas,
each giving the one-device gradient (asserted); (2) a last batch smaller than the
global batch: tf.nn.compute_average_loss with global_batch_size=32 makes its step
too small; its default and a Keras loss object are right when the replicas get as
many examples each (8 = 4 + 4) and wrong when they do not (7 = 4 + 3) (asserted).
"""

# The lesson's set-up, as the page shows it (distributed_loop.py).
import keras
import numpy as np
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
one_device = tf.distribute.get_strategy()
GLOBAL_BATCH = 32

# --8<-- [start:gradient]
def batch_gradient(loss_fn, strategy, x_batch, y_batch):
    """The summed gradient of one batch at the note's w1."""
    with strategy.scope():
        w1 = tf.Variable(seed_weights())

    def replica_gradient(x_part, y_part):
        with tf.GradientTape() as tape:
            loss = loss_fn(y_part, tf.matmul(x_part, w1))
        return tape.gradient(loss, w1)

    data = tf.data.Dataset.from_tensor_slices((x_batch, y_batch))
    batch = next(iter(strategy.experimental_distribute_dataset(
        data.batch(len(x_batch)))))
    grads = strategy.run(tf.function(replica_gradient), args=batch)
    return strategy.reduce("SUM", grads, axis=None).numpy()
# --8<-- [end:gradient]


# --8<-- [start:exercise1]
x, y_ = yogurt_sales()


def divide_by_global_batch(y_true, y_pred):  # repair 1: the global batch by hand
    return tf.reduce_sum(tf.square(y_true - y_pred)) / GLOBAL_BATCH


def average_per_example(y_true, y_pred):  # repair 2: one loss per day, then TF
    per_example = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
    return tf.nn.compute_average_loss(per_example)


for repair in (divide_by_global_batch, average_per_example):
    ratio = (batch_gradient(repair, strategy, x, y_)
             / batch_gradient(repair, one_device, x, y_))
    print(f"{repair.__name__:22}: 2 replicas / 1 device =",
          np.round(ratio.ravel(), 6))
# --8<-- [end:exercise1]

for repair in (divide_by_global_batch, average_per_example):
    two = batch_gradient(repair, strategy, x, y_)
    ratio = two / batch_gradient(repair, one_device, x, y_)
    assert np.allclose(ratio, 1, rtol=1e-6, atol=0), (repair.__name__, ratio)

# --8<-- [start:exercise2]
def fixed_global_batch(y_true, y_pred):
    per_example = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
    return tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)


last_ratios = {}
for days in (40, 39):  # a batch of 32, then one of 8 (4 + 4) or 7 (4 + 3)
    x_days, y_days = yogurt_sales(n=days)
    last_x, last_y = x_days[32:], y_days[32:]
    true_gradient = batch_gradient(keras.losses.MeanSquaredError(), one_device,
                                   last_x, last_y)
    for loss_fn in (fixed_global_batch, average_per_example,
                    keras.losses.MeanSquaredError()):
        name = getattr(loss_fn, "__name__", "keras.losses.MeanSquaredError()")
        ratio = batch_gradient(loss_fn, strategy, last_x, last_y) / true_gradient
        last_ratios[days, name] = ratio
        print(f"last batch of {days - 32}, {name:31}: / the true gradient =",
              np.round(ratio.ravel(), 4))
# --8<-- [end:exercise2]

keras_name = "keras.losses.MeanSquaredError()"
assert np.allclose(last_ratios[40, "fixed_global_batch"], 8 / 32, rtol=1e-6, atol=0)
assert np.allclose(last_ratios[40, "average_per_example"], 1, rtol=1e-6, atol=0)
assert np.allclose(last_ratios[40, keras_name], 1, rtol=1e-6, atol=0)
# 7 days split 4 + 3: each replica divides by its own count times 2, not by 7.
assert np.allclose(last_ratios[39, "fixed_global_batch"], 7 / 32, rtol=1e-5, atol=0)
for name in ("average_per_example", keras_name):
    assert np.abs(last_ratios[39, name] - 1).max() > 1e-3, name
uneven = last_ratios[39, "average_per_example"], last_ratios[39, keras_name]
assert np.allclose(*uneven, rtol=1e-6)
