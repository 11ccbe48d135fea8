"""The loss in a custom training loop under MirroredStrategy, on two logical CPUs.

Lesson: distributed.md. Shows: two logical devices on one CPU and a MirroredStrategy
over them; the yogurt data and the note's linear model; one training loop run with
five losses, on two replicas and on one device with the same global batch. A Keras
loss object, lossbook's and tf.nn.compute_average_loss give the one-device gradients
and weights (asserted to 1e-6); the note's tf.reduce_mean doubles every gradient and
a Keras loss divided by num_replicas_in_sync halves it (asserted: ratio 2 and 1/2 to
1e-6). Then what that does to training: the doubled gradient is the one-device run
with twice the learning rate (asserted), and a learning rate that trains on one
device makes two replicas diverge; the halved one trains as half the learning rate.
"""

# --8<-- [start:devices]
import tensorflow as tf

# Two logical devices on the one CPU. This must run before TensorFlow
# runs anything: afterwards its devices can no longer be changed.
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
one_device = tf.distribute.get_strategy()  # the default: no distribution
print("replicas in sync:", strategy.num_replicas_in_sync)
print("one device:      ", one_device.num_replicas_in_sync)
# --8<-- [end:devices]

replicas = strategy.num_replicas_in_sync  # quoted by the page

# --8<-- [start:model]
import keras
import numpy as np

from lossbook.data import seed_weights, yogurt_sales

x, y_ = yogurt_sales()  # the note's 32 days: x (32, 2), y_ (32, 1)
GLOBAL_BATCH = 32  # each step sees all 32 days: 16 on each replica


def linear_model():
    """The note's model y = x @ w1, starting from its w1."""
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, use_bias=False)]
    )
    model.layers[0].kernel.assign(seed_weights())
    return model
# --8<-- [end:model]


# --8<-- [start:loop]
def train(loss_fn, strategy, steps=100, lr=0.1):
    """SGD on the yogurt data with a custom loop; returns (first gradient, w1)."""
    with strategy.scope():  # variables made here are mirrored on each replica
        model = linear_model()
        optimizer = keras.optimizers.SGD(lr)
    data = tf.data.Dataset.from_tensor_slices((x, y_)).batch(GLOBAL_BATCH)
    batches = strategy.experimental_distribute_dataset(data.repeat(steps))

    def replica_step(x_batch, y_batch):  # runs on each replica, on its 16 days
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, model(x_batch))
        grads = tape.gradient(loss, model.trainable_variables)
        # apply_gradients sums the replicas' gradients before the update
        optimizer.apply_gradients(
            zip(grads, model.trainable_variables, strict=True))
        return grads[0]

    @tf.function
    def train_step(x_batch, y_batch):
        grad = strategy.run(replica_step, args=(x_batch, y_batch))
        return strategy.reduce("SUM", grad, axis=None)  # what the update used

    first_grad = None
    for x_batch, y_batch in batches:
        grad = train_step(x_batch, y_batch)
        first_grad = grad.numpy() if first_grad is None else first_grad
    return first_grad, model.layers[0].kernel.numpy()
# --8<-- [end:loop]


# --8<-- [start:five_losses]
import lossbook.losses


def note_loss(y_true, y_pred):  # the note's MSE: a mean over what it is given
    return tf.reduce_mean(tf.square(y_true - y_pred))


def per_example_mse(y_true, y_pred):  # one loss per day, averaged by hand below
    per_example = lossbook.losses.mean_squared_error(y_true, y_pred)
    return tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)


class MeanInCall(keras.losses.Loss):  # a Keras loss whose call() returns a mean
    def call(self, y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred))


keras_mse = keras.losses.MeanSquaredError()
losses = {
    "keras.losses.MeanSquaredError()": keras_mse,
    "lossbook.losses.MeanSquaredError()": lossbook.losses.MeanSquaredError(),
    "tf.nn.compute_average_loss": per_example_mse,
    "note: tf.reduce_mean": note_loss,
    "keras.losses.Loss, mean in call()": MeanInCall(),
    "Keras loss / num_replicas_in_sync": (
        lambda y_true, y_pred: keras_mse(y_true, y_pred)
        / tf.distribute.get_strategy().num_replicas_in_sync
    ),
}
results = {}
print(f"{'loss':36} {'gradient: 2 replicas / 1 device':>33} {'max |Δw1|':>10}")
for name, loss_fn in losses.items():
    grad_2, w_2 = train(loss_fn, strategy)
    grad_1, w_1 = train(loss_fn, one_device)
    ratio = grad_2 / grad_1
    results[name] = ratio, np.max(np.abs(w_2 - w_1))
    print(f"{name:36} {ratio.min():>16.6f} to {ratio.max():.6f}"
          f" {results[name][1]:>10.2e}")
# --8<-- [end:five_losses]

for name in list(losses)[:3]:
    ratio, dw = results[name]
    assert np.allclose(ratio, 1, rtol=1e-6, atol=0), (name, ratio)
    assert dw < 1e-6, (name, dw)
for name in ("note: tf.reduce_mean", "keras.losses.Loss, mean in call()"):
    assert np.allclose(results[name][0], 2, rtol=1e-6, atol=0), name
halved_ratio = results["Keras loss / num_replicas_in_sync"][0]
assert np.allclose(halved_ratio, 0.5, rtol=1e-6, atol=0)
right_dw = max(results[name][1] for name in list(losses)[:3])  # quoted by the page
wrong_dw = min(results[name][1] for name in list(losses)[3:])
assert wrong_dw > 1e-3, wrong_dw

# --8<-- [start:learning_rate]
# The largest learning rate with which gradient descent on this MSE still
# converges is 2 / λ_max, λ_max the largest eigenvalue of its Hessian 2xᵀx/n
# (the MSE lesson derives it).
limit = 2 / np.linalg.eigvalsh(2 * x.T @ x / len(x)).max()
lr = float(0.75 * limit)  # safely below the limit on one device
note_mse = {}
for name, strat in (("1 device", one_device), ("2 replicas", strategy)):
    _, w = train(note_loss, strat, steps=50, lr=lr)
    note_mse[name] = float(np.mean((x @ w - y_) ** 2))
    print(f"note's loss, lr = {lr:.3f}, {name:10}: MSE after 50 steps = "
          f"{note_mse[name]:.4g}")
# --8<-- [end:learning_rate]

# Two replicas with the note's loss are one device with twice the learning rate,
# beyond the limit: they diverge.
_, w_twice = train(note_loss, one_device, steps=50, lr=2 * lr)
_, w_two = train(note_loss, strategy, steps=50, lr=lr)
assert np.allclose(w_twice, w_two, rtol=1e-5), (w_twice, w_two)
assert 2 * lr > limit > lr
assert note_mse["1 device"] < 1e-3 < 1e3 < note_mse["2 replicas"], note_mse
# A Keras loss divided by the replicas: one device with half the learning rate.
halved = losses["Keras loss / num_replicas_in_sync"]
assert np.allclose(train(halved, strategy, steps=20)[1],
                   train(keras_mse, one_device, steps=20, lr=0.05)[1], rtol=1e-5)
