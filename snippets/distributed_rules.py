"""Which reductions Keras scales under a strategy: one step, two replicas against
one device, in a custom loop and in model.fit, with and without sample weights;
and the regularisation loss.

Lesson: distributed.md. Shows: the step of each setting on two replicas divided by
its step on one device (the same global batch). Asserted: every reduction of a Keras
loss object gives ratio 1 (to 1e-6) in the loop and in fit, except
"mean_with_sample_weight" with sample weights, which is off (each replica divides by
its own weights' sum) and right again when both halves' weights have the same sum;
masked sequences likewise (each replica divides by its own number of valid steps);
the regularisation loss added by hand in a loop is doubled, and right with
tf.nn.scale_regularization_loss and in fit; a Keras loss in the scope but outside
strategy.run is halved; reduction=None in fit takes the steps of the sum and reports
the loss times 2.
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

# --8<-- [start:one_step]
# One weight per day, as class or sample weights would give (0.2 to 3).
day_weight = np.random.default_rng(0).uniform(0.2, 3, size=32).astype("float32")


def first_step(loss, strategy, how, weights=None, penalty=0.0, targets=y_):
    """The change of w1 after one SGD step (lr 0.01) on all 32 days."""
    with strategy.scope():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
            1, use_bias=False, kernel_regularizer=keras.regularizers.L2(penalty))])
        model.layers[0].kernel.assign(seed_weights())
        optimizer = keras.optimizers.SGD(0.01)
        model.compile(optimizer=optimizer, loss=loss)
    w = np.ones(32, "float32") if weights is None else weights
    data = tf.data.Dataset.from_tensor_slices((x, targets, w)).batch(GLOBAL_BATCH)
    if how == "fit":
        model.fit(data, epochs=1, shuffle=False, verbose=0)
    else:  # a custom loop; how says what it adds to the loss

        def replica_step(x_batch, y_batch, w_batch):
            with tf.GradientTape() as tape:
                value = loss(y_batch, model(x_batch),
                             sample_weight=None if weights is None else w_batch)
                if how == "loop + model.losses":
                    value += tf.add_n(model.losses)
                elif how == "loop + scale_regularization_loss":
                    value += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
            grads = tape.gradient(value, model.trainable_variables)
            optimizer.apply_gradients(
                zip(grads, model.trainable_variables, strict=True))

        for batch in strategy.experimental_distribute_dataset(data):
            tf.function(strategy.run)(replica_step, args=batch)
    return model.layers[0].kernel.numpy() - seed_weights()


def ratio(loss, how, **kwargs):
    """The step on two replicas divided by the step on one device."""
    two = first_step(loss, strategy, how, **kwargs)
    return two / first_step(loss, one_device, how, **kwargs)
# --8<-- [end:one_step]

# A step is read as w - seed, which cancels: one float32 spacing of w is 1e-5 to
# 4e-5 of a step of lr 0.01, and two replicas may add in another order than one
# device does.
STEP_RTOL = 1e-4


# --8<-- [start:reductions]
ratios = {}
print(f"{'reduction':24} {'weights':>8} {'custom loop':>20} {'model.fit':>20}")
for reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum"):
    for weights in (None, day_weight):
        loss = keras.losses.MeanSquaredError(reduction=reduction)
        row = [ratio(loss, how, weights=weights) for how in ("loop", "fit")]
        ratios[reduction, weights is not None] = row
        cells = " ".join(f"{r.min():9.6f}–{r.max():<9.6f}" for r in row)
        print(f"{reduction:24} {'yes' if weights is not None else 'no':>8} {cells}")
# --8<-- [end:reductions]

for (reduction, weighted), row in ratios.items():
    if (reduction, weighted) == ("mean_with_sample_weight", True):
        assert all(np.abs(r - 1).max() > 1e-3 for r in row), row
    else:
        assert all(np.allclose(r, 1, rtol=STEP_RTOL, atol=0) for r in row), row
off = ratios["mean_with_sample_weight", True]
off_low = float(min(r.min() for r in off))
off_high = float(max(r.max() for r in off))

# --8<-- [start:weight_sums]
half = len(day_weight) // 2  # replica 0 gets days 0-15, replica 1 days 16-31
print("sum of the weights on each replica:",
      day_weight[:half].sum().round(3), day_weight[half:].sum().round(3))
balanced = day_weight.copy()
balanced[half:] *= day_weight[:half].sum() / day_weight[half:].sum()
loss = keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")
balanced_ratio = ratio(loss, "loop", weights=balanced)
print("with equal sums, 2 replicas / 1 device:",
      f"{balanced_ratio.min():.6f} to {balanced_ratio.max():.6f}")
# --8<-- [end:weight_sums]

assert np.allclose(balanced_ratio, 1, rtol=1e-5, atol=0), balanced_ratio

# --8<-- [start:masks]
# 8 sequences of 4 steps; zeros are padding, which the Masking layer masks.
# Replica 0 gets the short sequences (5 valid steps), replica 1 the long ones (15).
targets_seq = np.random.default_rng(1).normal(size=(8, 4, 1)).astype("float32")


def masked_step(strategy, lengths):
    """The change of the one weight after one SGD step on masked sequences."""
    sequences = np.zeros((8, 4, 1), "float32")
    for row, length in enumerate(lengths):
        sequences[row, :length, 0] = np.arange(1, length + 1)
    with strategy.scope():
        model = keras.Sequential([keras.Input((4, 1)), keras.layers.Masking(0.0),
                                  keras.layers.Dense(1, use_bias=False)])
        model.layers[-1].kernel.assign([[0.5]])
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss=keras.losses.MeanSquaredError())
    model.fit(sequences, targets_seq, batch_size=8, shuffle=False, verbose=0)
    return float(model.layers[-1].kernel.numpy()[0, 0] - 0.5)


uneven = [1, 1, 2, 1, 4, 4, 3, 4]
masked_ratio = masked_step(strategy, uneven) / masked_step(one_device, uneven)
print(f"masked sequences, 2 replicas / 1 device: {masked_ratio:.4f}")
# --8<-- [end:masks]

assert abs(masked_ratio - 1) > 1e-3, masked_ratio
# With as many valid steps on each replica (8 and 8), the step is right again.
even = [1, 1, 2, 4, 4, 1, 2, 1]
even_ratio = masked_step(strategy, even) / masked_step(one_device, even)
assert abs(even_ratio - 1) < 1e-5, even_ratio

# --8<-- [start:regularization]
# Targets that the starting w1 fits exactly: the first step is the L2 penalty's.
exact = x @ seed_weights()
mse = keras.losses.MeanSquaredError()
penalty_ratios = {}
for how in ("loop + model.losses", "loop + scale_regularization_loss", "fit"):
    r = ratio(mse, how, penalty=0.1, targets=exact)
    penalty_ratios[how] = r
    print(f"L2 penalty, {how:33}: 2 replicas / 1 device = "
          f"{r.min():.6f} to {r.max():.6f}")
# --8<-- [end:regularization]

# rtol: the targets are x @ w1 in NumPy, not in TensorFlow; the MSE's own gradient
# is not exactly 0.
assert np.allclose(penalty_ratios["loop + model.losses"], 2, rtol=1e-4, atol=0)
for how in ("loop + scale_regularization_loss", "fit"):
    assert np.allclose(penalty_ratios[how], 1, rtol=STEP_RTOL, atol=0), how

# --8<-- [start:outside_run]
mse = keras.losses.MeanSquaredError()
y_true, y_pred = tf.constant([[1.0], [2.0]]), tf.constant([[0.0], [0.0]])
outside = float(mse(y_true, y_pred))
with strategy.scope():
    in_scope = float(mse(y_true, y_pred))  # in the scope, but not in strategy.run
print("MSE outside any strategy:       ", outside)
print("MSE in strategy.scope(), no run:", in_scope)
# --8<-- [end:outside_run]

assert in_scope == outside / strategy.num_replicas_in_sync, (in_scope, outside)

# --8<-- [start:none_in_fit]
reported, steps = {}, {}
for name, strat in (("1 device", one_device), ("2 replicas", strategy)):
    with strat.scope():
        model = linear_model()
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss=keras.losses.MeanSquaredError(reduction=None))
    history = model.fit(x, y_, batch_size=GLOBAL_BATCH, shuffle=False, verbose=0)
    steps[name] = model.layers[0].kernel.numpy() - seed_weights()
    reported[name] = history.history["loss"][0]
    print(f"reduction=None, {name:10}: step {steps[name].ravel()},"
          f" loss reported {reported[name]:.6f}")
# --8<-- [end:none_in_fit]

assert np.allclose(steps["1 device"], steps["2 replicas"],
                   rtol=STEP_RTOL, atol=0), steps
# The steps of reduction=None are those of "sum": 32 times the default's.
sum_mse = keras.losses.MeanSquaredError(reduction="sum")
sum_step = first_step(sum_mse, one_device, "fit")
mean_step = first_step(keras.losses.MeanSquaredError(), one_device, "fit")
assert np.allclose(steps["1 device"], sum_step, rtol=1e-6, atol=0)
assert np.allclose(sum_step, 32 * mean_step, rtol=1e-5, atol=0)
assert np.isclose(reported["2 replicas"], 2 * reported["1 device"], rtol=1e-6)
