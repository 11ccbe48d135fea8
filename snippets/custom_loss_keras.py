"""The profit/cost loss as a drop-in Keras loss: model.compile + model.fit.

Lesson: custom_loss.md. Shows: a one-Dense-layer model compiled with
lossbook.losses.AsymmetricLoss reaches the exact minimiser, and saves to .keras and
back.
"""

# --8<-- [start:keras]
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from lossbook.data import yogurt_sales
from lossbook.losses import AsymmetricLoss
from lossbook.train import count_residuals, exact_asymmetric_fit

x, y_ = yogurt_sales()
keras.utils.set_random_seed(1)
model = keras.Sequential(
    [keras.Input((2,)), keras.layers.Dense(1)]
)  # y = x @ w + b
decay = keras.optimizers.schedules.InverseTimeDecay(1 / (99 + 1), 100, 1.0)
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=decay),
    loss=AsymmetricLoss(profit=99, cost=1),
    steps_per_execution=1000,  # run 1000 steps per call: fast on 32 samples
    jit_compile=True,
)
every_day = tf.data.Dataset.from_tensors((x, y_)).repeat()  # a step sees all 32
model.fit(every_day, epochs=1, steps_per_epoch=100_000, shuffle=False, verbose=0)

kernel, bias = model.layers[0].get_weights()
w_keras = np.vstack([kernel, bias[:, None]])
x_b = np.hstack([x, np.ones((32, 1))])
w_exact = exact_asymmetric_fit(x_b, y_, profit=99, cost=1)
keras_gap = float(np.max(np.abs(w_keras - w_exact)))
print("Keras:", w_keras.ravel())
print("exact:", w_exact.ravel(), f" largest difference: {keras_gap:.1e}")
# --8<-- [end:keras]

# The page: the same days short, exact and over as the exact fit.
short, exact, over = count_residuals(x_b, y_, w_exact, tol=1e-9)
assert short <= 32 * 1 / (99 + 1) <= short + exact  # the quantile property
assert count_residuals(x_b, y_, w_keras, tol=5e-4) == (short, exact, over)
assert keras_gap < 1e-3

# --8<-- [start:save]
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "yogurt.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
print("loaded loss:", type(loaded.loss).__name__, loaded.loss.get_config())
same = np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
print("same predictions after loading:", same)
# --8<-- [end:save]

assert same and type(loaded.loss) is AsymmetricLoss
