"""The robust losses in Keras: compile/fit with lossbook's Huber, and a saved model
that keeps its delta (Keras 3's own Huber forgets it).

Lesson: robust_regression.md. Shows: model.fit with Huber(delta=0.05) on the
dirty data reaches the exact Huber fit (asserted); a model compiled with
keras.losses.Huber (delta=0.05), saved and reloaded, computes with delta = 1
(asserted), lossbook's keeps 0.05.
"""

# --8<-- [start:fit]
import keras
import numpy as np
import tensorflow as tf

from lossbook.data import yogurt_sales_with_typos
from lossbook.losses import Huber, huber
from lossbook.train import newton_fit

x, y_, _ = yogurt_sales_with_typos()
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
model.compile(
    optimizer=keras.optimizers.Adam(0.01),
    loss=Huber(delta=0.05),
    steps_per_execution=100,
)
days = (
    tf.data.Dataset.from_tensor_slices((x, y_)).batch(32).repeat()
)  # all 32 a step
model.fit(days, steps_per_epoch=1500, epochs=1, shuffle=False, verbose=0)
w_keras = model.layers[0].kernel.numpy()
w_exact = newton_fit(x, y_, lambda y, p: huber(y, p, delta=0.05))
print("model.fit:  ", w_keras.ravel())
print("exact fit:  ", w_exact.ravel())
# --8<-- [end:fit]

fit_gap = float(np.abs(w_keras - w_exact).max())
assert fit_gap < 5e-3

# --8<-- [start:save]
import os
import tempfile

folder = tempfile.mkdtemp()
results = []
for loss in (keras.losses.Huber(delta=0.05), Huber(delta=0.05)):
    model.compile(optimizer="sgd", loss=loss)
    before = model.evaluate(x, y_, verbose=0)
    path = os.path.join(folder, "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    after = loaded.evaluate(x, y_, verbose=0)
    results.append((before, after, loaded.loss.get_config()))
    print(
        f"{type(loss).__module__.split('.')[0]:8s} loss before saving {before:.6f},"
        f" after loading {after:.6f}, config: {loaded.loss.get_config()}"
    )
# --8<-- [end:save]

(keras_before, keras_after, keras_config), (ours_before, ours_after, _) = results
assert "delta" not in keras_config and keras_after > 10 * keras_before
assert abs(ours_after / ours_before - 1) < 1e-6
# Keras' reloaded loss is Huber with delta = 1: its value, computed directly.
w = model.layers[0].kernel.numpy()
assert abs(float(np.mean(huber(y_, x @ w, delta=1.0))) - keras_after) < 1e-5
