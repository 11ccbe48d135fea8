"""sample_weight and class_weight in model.fit: class_weight is a weight per
example, by class; metrics are not weighted, weighted_metrics are.

Lesson: keras_pitfalls.md. Shows: two fits from the same weights, one with
class_weight, one with the same weights given per example as sample_weight: the
same model after 24 steps (asserted: to the last bit); a fit without weights
beside them (class 2 found more often with the weights, asserted); "accuracy" in
metrics is not weighted, in weighted_metrics it is (asserted); Keras' default
reduction divides the weighted sum by the number of examples,
"mean_with_sample_weight" by the sum of the weights (asserted): the default's loss
is larger by the batch's mean weight (asserted for a batch of 8).
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


# --8<-- [start:class_weight]
import lossbook.losses

class_weight = {0: 1.0, 1: 1.0, 2: 4.0}  # an example of class 2 counts four times
per_example = np.array([class_weight[i] for i in ids], np.float32)
print(f"{'':14}Keras' loss  accuracy  weighted_accuracy  class 2 found")
runs = {}
for name, weighting in (
    ("no weights", {}),
    ("class_weight", {"class_weight": class_weight}),
    ("sample_weight", {"sample_weight": per_example}),
):
    model = classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=lossbook.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        weighted_metrics=["accuracy"],
    )
    history = model.fit(x, ids, batch_size=8, epochs=2, verbose=0, **weighting)
    last = {key: values[-1] for key, values in history.history.items()}
    kernel, bias = model.layers[-1].get_weights()
    predicted = np.argmax(x @ kernel + bias, axis=1)
    found = np.mean(predicted[ids == 2] == 2)  # recall of class 2
    runs[name] = (model.get_weights(), last, found)
    print(
        f"{name:14}{last['loss']:11.4f}{last['accuracy']:10.4f}"
        f"{last['weighted_accuracy']:19.4f}{found:15.4f}"
    )
by_class, by_example = runs["class_weight"][0], runs["sample_weight"][0]
gap = max(np.abs(a - b).max() for a, b in zip(by_class, by_example, strict=True))
print(
    f"class_weight against sample_weight, largest difference in the weights: {gap}"
)
# --8<-- [end:class_weight]

# class_weight is sample_weight by class: the same model, to the last bit.
assert gap == 0.0, gap
none, with_class, with_sample = runs.values()
assert with_class[1] == with_sample[1], (with_class[1], with_sample[1])
# Without weights, metrics and weighted_metrics agree; with weights they do not.
assert none[1]["accuracy"] == none[1]["weighted_accuracy"], none[1]
plain_accuracy = with_class[1]["accuracy"]
weighted_accuracy = with_class[1]["weighted_accuracy"]
assert abs(plain_accuracy - weighted_accuracy) > 0.05, with_class[1]
# The weights did what they are for: more of class 2 found.
assert with_class[2] > none[2], (with_class[2], none[2])
recall_none, recall_weighted = float(none[2]), float(with_class[2])
# Keras' default reduction divides the weighted sum by the number of examples, not
# by the sum of the weights ("mean_with_sample_weight" does): each batch's loss, and
# its step, are larger by that batch's mean weight (1.875 over all the data).
logits = classifier()(x)
per_loss = lossbook.losses.sparse_categorical_crossentropy(
    ids, logits, True
).numpy()
for reduction, divisor in (
    ("sum_over_batch_size", len(ids)),
    ("mean_with_sample_weight", per_example.sum()),
):
    loss = lossbook.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction=reduction
    )
    value = float(loss(ids, logits, sample_weight=per_example))
    assert np.isclose(value, (per_example * per_loss).sum() / divisor, rtol=1e-5)
mean_weight = float(per_example.mean())
# A batch of 8: the default's loss is larger by that batch's own mean weight.
batch_losses = {
    reduction: float(
        lossbook.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction=reduction
        )(ids[:8], logits[:8], sample_weight=per_example[:8])
    )
    for reduction in ("sum_over_batch_size", "mean_with_sample_weight")
}
batch_ratio = (
    batch_losses["sum_over_batch_size"] / batch_losses["mean_with_sample_weight"]
)
assert np.isclose(batch_ratio, per_example[:8].mean(), rtol=1e-5), batch_losses
# Class weights w_c = n / (k n_c) average 1 over the examples: no learning rate to
# adjust for them on average.
balanced = len(ids) / (3 * np.bincount(ids, minlength=3))
assert np.isclose(balanced[ids].mean(), 1.0), balanced
