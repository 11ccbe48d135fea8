"""A metric that disagrees with the loss: what model.fit reports against
model.evaluate, and accuracy against cross-entropy.

Lesson: keras_pitfalls.md. Shows: fit's loss and accuracy for an epoch are means
over its batches, taken while the weights change; evaluate after training gives
another loss (lower, asserted; equal to the real loss, asserted); the same model
with its logits scaled by 0.25, 1 and 10: the accuracy is the same (asserted), the
loss is not (asserted).
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


# --8<-- [start:running_mean]
model = classifier()
model.compile(
    optimizer=keras.optimizers.SGD(0.5),
    loss=keras.losses.CategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
history = model.fit(x, one_hot, batch_size=16, epochs=2, verbose=0)
after = model.evaluate(x, one_hot, verbose=0, return_dict=True)
for epoch, (loss, accuracy) in enumerate(
    zip(history.history["loss"], history.history["accuracy"], strict=True), start=1
):
    print(f"fit, epoch {epoch}:     loss {loss:.4f}, accuracy {accuracy:.4f}")
print(
    f"evaluate, after: loss {after['loss']:.4f}, accuracy {after['accuracy']:.4f}"
)
# --8<-- [end:running_mean]

fit_loss, evaluate_loss = history.history["loss"][-1], after["loss"]
assert fit_loss > evaluate_loss + 0.02, (fit_loss, evaluate_loss)
# evaluate's loss is the cross-entropy of the final logits (in NumPy: cheaper here).
final_logits = (
    x @ model.layers[-1].kernel.numpy() + model.layers[-1].bias.numpy()
).astype(np.float64)
final_logits -= final_logits.max(axis=1, keepdims=True)
log_p = final_logits - np.log(np.exp(final_logits).sum(axis=1, keepdims=True))
real_loss = -np.mean(log_p[np.arange(len(ids)), ids])
assert np.isclose(evaluate_loss, real_loss, rtol=1e-5), (evaluate_loss, real_loss)

# --8<-- [start:confidence]
kernel, bias = model.layers[-1].get_weights()
scaled = {}
for scale in (0.25, 1.0, 10.0):
    # The kernel and the bias times scale: the logits times scale.
    model.layers[-1].set_weights([scale * kernel, scale * bias])
    scaled[scale] = model.evaluate(x, one_hot, verbose=0, return_dict=True)
    print(
        f"logits x {scale:5}: loss {scaled[scale]['loss']:.4f},"
        f" accuracy {scaled[scale]['accuracy']:.4f}"
    )
# --8<-- [end:confidence]

# The same argmax, the same accuracy; the loss changes with the confidence.
accuracies = {round(r["accuracy"], 6) for r in scaled.values()}
losses = [r["loss"] for r in scaled.values()]
assert len(accuracies) == 1, scaled
assert np.abs(np.diff(losses)).min() > 0.1, scaled
assert scaled[10.0]["loss"] > 2 * scaled[1.0]["loss"], scaled  # more than doubled
