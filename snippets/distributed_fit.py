"""The loss in model.fit under MirroredStrategy, on two logical CPUs.

Lesson: distributed.md. Shows: model.fit with two replicas against one device, the
same global batch: a Keras loss object, lossbook's, and a function that returns one
loss per example (Keras wraps it in a loss object) give the one-device weights
(asserted to 1e-6); the note's function, which returns its own mean, doubles the
step: the same weights as one device with twice the learning rate (asserted).
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
x, y_ = yogurt_sales()
GLOBAL_BATCH = 32


def linear_model():
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, use_bias=False)]
    )
    model.layers[0].kernel.assign(seed_weights())
    return model


def note_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred))


# --8<-- [start:fit]
import lossbook.losses


def fit(loss, strategy, steps=50, lr=0.1):
    """model.fit on the yogurt data, all 32 days a step; returns w1."""
    with strategy.scope():  # the model and its compile inside the scope
        model = linear_model()
        model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss)
    data = tf.data.Dataset.from_tensor_slices((x, y_)).batch(GLOBAL_BATCH)
    model.fit(data.repeat(steps), epochs=1, shuffle=False, verbose=0)
    return model.layers[0].kernel.numpy()


fit_losses = {
    "keras.losses.MeanSquaredError()": keras.losses.MeanSquaredError(),
    "lossbook.losses.MeanSquaredError()": lossbook.losses.MeanSquaredError(),
    "lossbook.losses.mean_squared_error": lossbook.losses.mean_squared_error,
    "note: tf.reduce_mean": note_loss,
}
fit_dw = {}
for name, loss in fit_losses.items():
    w_2, w_1 = fit(loss, strategy), fit(loss, one_device)
    fit_dw[name] = np.max(np.abs(w_2 - w_1))
    print(f"{name:36} max |Δw1|, 2 replicas vs 1 device: {fit_dw[name]:.2e}")
# --8<-- [end:fit]

for name in list(fit_losses)[:3]:
    assert fit_dw[name] < 1e-6, (name, fit_dw[name])
assert fit_dw["note: tf.reduce_mean"] > 1e-3, fit_dw

# --8<-- [start:twice]
w_note_2 = fit(note_loss, strategy)
w_twice_1 = fit(note_loss, one_device, lr=0.2)  # twice the learning rate
print("note's loss, 2 replicas, lr 0.1:", w_note_2.ravel())
print("note's loss, 1 device,   lr 0.2:", w_twice_1.ravel())
# --8<-- [end:twice]

assert np.allclose(w_note_2, w_twice_1, rtol=1e-5), (w_note_2, w_twice_1)
