"""lossbook's binary cross-entropy and focal losses against Keras and float64 references."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import lossbook.losses as lb
from lossbook.losses import InvalidValuesError

RNG = np.random.default_rng(7)
Y = RNG.integers(0, 2, (8, 3)).astype("float32")
Z = RNG.normal(0, 3, (8, 3)).astype("float32")
P = (1 / (1 + np.exp(-Z.astype(np.float64)))).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, 8)]
ZC = RNG.normal(0, 3, (8, 4)).astype("float32")
PC = tf.nn.softmax(ZC).numpy()
WEIGHTS = RNG.uniform(0.1, 2, 8).astype("float32")
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", None]
EXTREMES = np.array([-1e4, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 1e4])


def bce_reference(y, z):
    """-(y log σ(z) + (1 - y) log σ(-z)) in float64, from the logits."""
    y, z = np.asarray(y, np.float64), np.asarray(z, np.float64)
    return y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)


def binary_focal_reference(y, z, gamma, alpha=None):
    """The focal loss in float64 from the logits; 1 - p_t in log space."""
    y, z = np.asarray(y, np.float64), np.asarray(z, np.float64)
    with np.errstate(divide="ignore"):
        log_miss = np.logaddexp(np.log(y) - np.logaddexp(0, z),
                                np.log(1 - y) - np.logaddexp(0, -z))
    loss = np.exp(gamma * log_miss) * bce_reference(y, z)
    if alpha is not None:
        loss = (y * alpha + (1 - y) * (1 - alpha)) * loss
    return loss


def categorical_focal_reference(y, z, gamma, alpha):
    """sum(alpha (1 - p)^gamma (-y log p)) in float64; log(1 - p_i) = lse(z_{j≠i}) - lse(z)."""
    y, z = np.asarray(y, np.float64), np.asarray(z, np.float64)
    lse = np.logaddexp.reduce(z, axis=-1, keepdims=True)
    log_p = z - lse
    log_miss = np.stack([np.logaddexp.reduce(np.delete(z, i, axis=-1), axis=-1)
                         for i in range(z.shape[-1])], axis=-1) - lse
    return np.sum(alpha * np.exp(gamma * log_miss) * (-y * log_p), axis=-1)


class TestKerasDocumentedExamples:
    def test_binary_crossentropy_docstring_example(self):
        """Keras' docstring: [[0, 1], [0, 0]] against [[0.6, 0.4], [0.4, 0.6]] gives
        [0.916, 0.714]."""
        loss = lb.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        np.testing.assert_allclose(loss, [0.916, 0.714], atol=1e-3)

    def test_the_notes_example_is_the_binary_case(self):
        """The note's (1, 0) against (0.6, 0.4), as one binary label: -log 0.6."""
        loss = lb.binary_crossentropy([1.0], [0.6])
        np.testing.assert_allclose(loss, -np.log(0.6), rtol=1e-6)


class TestBinaryCrossentropy:
    @pytest.mark.parametrize("smoothing", [0.0, 0.2])
    @pytest.mark.parametrize("from_logits", [False, True])
    @pytest.mark.parametrize("axis", [-1, 0])
    def test_function_matches_keras(self, from_logits, smoothing, axis):
        """The per-sample losses equal keras.losses.binary_crossentropy's to 1e-6."""
        pred = Z if from_logits else P
        ours = lb.binary_crossentropy(Y, pred, from_logits, smoothing, axis)
        theirs = keras.losses.binary_crossentropy(Y, pred, from_logits, smoothing, axis)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)

    @pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    @pytest.mark.parametrize("from_logits", [False, True])
    def test_class_matches_keras(self, from_logits, reduction, weighted):
        """Every reduction, with and without sample weights, equals Keras' class."""
        pred = Z if from_logits else P
        weight = WEIGHTS if weighted else None
        kwargs = dict(from_logits=from_logits, label_smoothing=0.1, reduction=reduction)
        ours = lb.BinaryCrossentropy(**kwargs)(Y, pred, sample_weight=weight)
        theirs = keras.losses.BinaryCrossentropy(**kwargs)(Y, pred, sample_weight=weight)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)

    def test_extreme_logits_match_a_float64_reference(self):
        """Logits up to ±1e4 in float32: finite losses equal to the float64 reference, and
        gradients equal to sigmoid(z) - y."""
        z = tf.constant(np.repeat(EXTREMES, 2)[:, None], tf.float32)
        y = np.tile([0.0, 1.0], len(EXTREMES))[:, None].astype("float32")
        with tf.GradientTape() as tape:
            tape.watch(z)
            loss = lb.binary_crossentropy(y, z, from_logits=True)
        grad = tape.gradient(loss, z).numpy()
        # atol: below float32's smallest normal number TensorFlow flushes to 0 (e^-100).
        np.testing.assert_allclose(loss, bce_reference(y, z.numpy())[:, 0], rtol=1e-6,
                                   atol=1e-37)
        z64 = z.numpy().astype(np.float64)
        np.testing.assert_allclose(grad, 0.5 * (1 + np.tanh(z64 / 2)) - y, atol=1e-7)

    @pytest.mark.parametrize("dtype,rtol", [("float16", 2e-3), ("bfloat16", 2e-2),
                                            ("float32", 1e-6), ("float64", 1e-12)])
    def test_dtypes(self, dtype, rtol):
        """Each float dtype gives the reference to its precision, in its own dtype."""
        z = tf.cast(Z, dtype)
        loss = lb.binary_crossentropy(Y, z, from_logits=True)
        assert loss.dtype == dtype
        reference = bce_reference(Y, tf.cast(z, tf.float64).numpy()).mean(axis=-1)
        np.testing.assert_allclose(tf.cast(loss, tf.float64), reference, rtol=rtol)

    def test_probabilities_are_clipped_as_in_keras(self):
        """A probability of 0 for the true label costs -log(1e-7) ≈ 16.118, not inf; 1 for
        a negative is clipped to float32's 1 - 1e-7 (Keras' numbers both)."""
        np.testing.assert_allclose(lb.binary_crossentropy([[1.0]], [[0.0]]),
                                   [-np.log(1e-7)], rtol=1e-5)
        loss = lb.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]])
        np.testing.assert_array_equal(
            loss, keras.losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]))
        assert np.isfinite(loss).all()

    def test_a_keras_sigmoid_gives_back_its_logits(self):
        """The output of a Keras sigmoid is not clipped: the loss of a logit of -30 for a
        positive is 30 (Keras' too), where clipped probabilities give 16.118."""
        z = tf.constant([[-30.0]])
        p = keras.activations.sigmoid(z)
        np.testing.assert_allclose(lb.binary_crossentropy([[1.0]], p), [30.0], rtol=1e-6)
        np.testing.assert_allclose(keras.losses.binary_crossentropy([[1.0]], p), [30.0],
                                   rtol=1e-6)
        plain = tf.sigmoid(z)  # eagerly, tf.sigmoid leaves no trace of its logits
        np.testing.assert_allclose(lb.binary_crossentropy([[1.0]], plain), [-np.log(1e-7)],
                                   rtol=1e-5)

    def test_a_sigmoid_op_in_a_graph_gives_back_its_logits(self):
        """In tf.function, any Sigmoid op's input is used, as in Keras."""
        @tf.function
        def both(z):
            p = tf.sigmoid(z)
            return (lb.binary_crossentropy([[1.0]], p),
                    keras.losses.binary_crossentropy([[1.0]], p))

        ours, theirs = both(tf.constant([[-30.0]]))
        np.testing.assert_allclose(ours, [30.0], rtol=1e-6)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)

    def test_from_logits_on_a_sigmoid_warns_with_keras_text(self):
        """from_logits=True on a sigmoid output: Keras' warning, word for word."""
        p = keras.activations.sigmoid(tf.constant([[0.5]]))
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            lb.binary_crossentropy([[1.0]], p, from_logits=True)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            keras.losses.binary_crossentropy([[1.0]], p, from_logits=True)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
        assert len(ours) == 1

    def test_a_trailing_axis_of_one_is_aligned_not_broadcast(self):
        """(n,) labels against (n, 1) predictions give n losses, not an (n, n) table."""
        y = np.array([0.0, 1.0, 1.0], "float32")
        loss = lb.binary_crossentropy(y, P[:3, :1])
        assert loss.shape == (3,)
        np.testing.assert_allclose(loss, lb.binary_crossentropy(y[:, None], P[:3, :1]))

    @pytest.mark.parametrize("fn", [lb.binary_crossentropy, lb.binary_focal_crossentropy,
                                    lb.BinaryCrossentropy(), lb.BinaryFocalCrossentropy()])
    def test_shapes_that_would_broadcast_raise(self, fn):
        """(3, 1) against (1, 3) raises ValueError naming both shapes."""
        with pytest.raises(ValueError, match=r"\(3, 1\).*\(1, 3\)"):
            fn(np.zeros((3, 1), "float32"), np.full((1, 3), 0.5, "float32"))

    @pytest.mark.parametrize("fn", [lb.binary_crossentropy, lb.binary_focal_crossentropy])
    def test_labels_outside_zero_one_raise_eagerly_and_in_graphs(self, fn):
        """A class id of 2 fed as a binary label is an error, eagerly and in tf.function."""
        labels = np.array([[0.0], [2.0]], "float32")
        pred = np.full((2, 1), 0.5, "float32")
        with pytest.raises(InvalidValuesError, match=r"\[0, 1\].*from 0 to 2"):
            fn(labels, pred)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[0, 1\]"):
            tf.function(fn)(labels, pred)

    def test_nan_labels_propagate_as_in_keras(self):
        """NaN is not an error (as for the other losses): the loss is NaN."""
        assert np.isnan(lb.binary_crossentropy([[np.nan]], [[0.5]]).numpy()).all()

    @pytest.mark.parametrize("kwargs,message", [
        (dict(from_logits="yes"), "from_logits must be True or False"),
        (dict(label_smoothing=1.5), "label_smoothing must be a number in"),
        (dict(axis=2), "axis=2 is out of range"),
    ])
    def test_bad_settings_name_what_is_wrong(self, kwargs, message):
        with pytest.raises((TypeError, ValueError), match=message):
            lb.binary_crossentropy(Y, P, **kwargs)

    def test_integer_predictions_raise(self):
        with pytest.raises(ValueError, match="must be floats"):
            lb.binary_crossentropy([[1]], [[1]])


class TestBinaryFocalCrossentropy:
    @pytest.mark.parametrize("smoothing", [0.0, 0.2])
    @pytest.mark.parametrize("balancing", [False, True])
    @pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
    @pytest.mark.parametrize("from_logits", [False, True])
    def test_function_matches_keras(self, from_logits, gamma, balancing, smoothing):
        """Every setting equals keras.losses.binary_focal_crossentropy to 1e-6."""
        pred = Z if from_logits else P
        args = (balancing, 0.3, gamma, from_logits, smoothing)
        ours = lb.binary_focal_crossentropy(Y, pred, *args)
        theirs = keras.losses.binary_focal_crossentropy(Y, pred, *args)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)

    @pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    def test_class_matches_keras(self, reduction, weighted):
        """Every reduction, with and without sample weights, equals Keras' class."""
        weight = WEIGHTS if weighted else None
        kwargs = dict(apply_class_balancing=True, alpha=0.4, gamma=1.5, from_logits=True,
                      reduction=reduction)
        ours = lb.BinaryFocalCrossentropy(**kwargs)(Y, Z, sample_weight=weight)
        theirs = keras.losses.BinaryFocalCrossentropy(**kwargs)(Y, Z, sample_weight=weight)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)

    def test_gamma_zero_is_binary_crossentropy(self):
        np.testing.assert_allclose(
            lb.binary_focal_crossentropy(Y, Z, gamma=0.0, from_logits=True),
            lb.binary_crossentropy(Y, Z, from_logits=True), rtol=1e-7)

    @pytest.mark.parametrize("smoothing", [0.0, 0.1])
    @pytest.mark.parametrize("gamma", [0.5, 2.0])
    def test_extreme_logits_match_a_float64_reference(self, gamma, smoothing):
        """Logits up to ±1e4 in float32: the loss equals the float64 reference (tiny ones
        too, where Keras rounds 1 - p_t to 0) and the gradient is finite, also for
        gamma < 1 where (1 - p_t) ** gamma has an infinite slope at 0."""
        z = tf.constant(np.repeat(EXTREMES, 2)[:, None], tf.float32)
        y = np.tile([0.0, 1.0], len(EXTREMES))[:, None].astype("float32")
        with tf.GradientTape() as tape:
            tape.watch(z)
            loss = lb.binary_focal_crossentropy(y, z, gamma=gamma, from_logits=True,
                                                label_smoothing=smoothing)
        grad = tape.gradient(loss, z).numpy()
        y_smooth = y.astype(np.float64) * (1 - smoothing) + 0.5 * smoothing
        reference = binary_focal_reference(y_smooth, z.numpy(), gamma)[:, 0]
        np.testing.assert_allclose(loss, reference, rtol=2e-6, atol=1e-37)
        assert np.isfinite(grad).all()

    @pytest.mark.parametrize("kwargs,message", [
        (dict(alpha=1.5), "alpha must be a number in"), (dict(alpha=-0.1), "alpha"),
        (dict(gamma=-1.0), "gamma must be a number finite and >= 0"),
        (dict(gamma=float("inf")), "gamma"), (dict(apply_class_balancing=1), "True or False"),
    ])
    def test_bad_settings_name_what_is_wrong(self, kwargs, message):
        with pytest.raises((TypeError, ValueError), match=message):
            lb.binary_focal_crossentropy(Y, P, **kwargs)
        with pytest.raises((TypeError, ValueError), match=message):
            lb.BinaryFocalCrossentropy(**kwargs)


class TestCategoricalFocalCrossentropy:
    @pytest.mark.parametrize("smoothing", [0.0, 0.2])
    @pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
    @pytest.mark.parametrize("from_logits", [False, True])
    def test_function_matches_keras(self, from_logits, gamma, smoothing):
        """Every setting equals keras.losses.categorical_focal_crossentropy to 1e-6."""
        pred = ZC if from_logits else PC
        args = (0.3, gamma, from_logits, smoothing)
        ours = lb.categorical_focal_crossentropy(ONE_HOT, pred, *args)
        theirs = keras.losses.categorical_focal_crossentropy(ONE_HOT, pred, *args)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)

    @pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    def test_class_matches_keras(self, reduction, weighted):
        weight = WEIGHTS if weighted else None
        kwargs = dict(alpha=0.5, gamma=1.0, from_logits=True, reduction=reduction)
        ours = lb.CategoricalFocalCrossentropy(**kwargs)(ONE_HOT, ZC, sample_weight=weight)
        theirs = keras.losses.CategoricalFocalCrossentropy(**kwargs)(
            ONE_HOT, ZC, sample_weight=weight)
        # atol: Keras takes log(softmax) after the softmax; where the true class's
        # probability is near 1, its loss (0.00531 for example 4) is 1.4e-6 from the
        # float64 value, ours 3e-8 (both differences measured): the rest is Keras' error.
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)

    @pytest.mark.parametrize("gamma", [0.5, 2.0])
    def test_extreme_logits_match_a_float64_reference(self, gamma):
        """Logits 1e4 apart, saturated right and wrong, ties: the float64 reference's
        values, and finite gradients."""
        logits = np.array([[1e4, 0, -1e4], [1e4, 0, -1e4], [1e4, 0, -1e4],
                           [20, 0, 0], [5, 5, 0], [0, 0, 0], [-1e4, 1e4, 1e4]], "float32")
        labels = np.eye(3, dtype="float32")[[0, 1, 2, 0, 2, 1, 0]]
        z = tf.constant(logits)
        with tf.GradientTape() as tape:
            tape.watch(z)
            loss = lb.categorical_focal_crossentropy(labels, z, alpha=0.25, gamma=gamma,
                                                     from_logits=True)
        grad = tape.gradient(loss, z).numpy()
        reference = categorical_focal_reference(labels, logits, gamma, 0.25)
        np.testing.assert_allclose(loss, reference, rtol=2e-6, atol=1e-37)
        assert np.isfinite(grad).all()

    def test_a_softmax_output_uses_its_logits(self):
        """A Keras softmax output is computed from its logits, as lossbook's categorical
        cross-entropy is: a saturated wrong answer is not capped at -log(1e-7)."""
        z = tf.constant([[40.0, 0.0]])
        p = keras.activations.softmax(z)
        ours = lb.categorical_focal_crossentropy([[0.0, 1.0]], p, alpha=1.0, gamma=0.0)
        np.testing.assert_allclose(ours, [40.0], rtol=1e-6)


# --- in Keras: compile, fit, graph mode and saving ---

CLASSES_AND_DATA = {
    "BinaryCrossentropy": (lambda: lb.BinaryCrossentropy(from_logits=True,
                                                         label_smoothing=0.1),
                           lambda: keras.losses.BinaryCrossentropy(from_logits=True,
                                                                   label_smoothing=0.1),
                           Y, 3),
    "BinaryFocalCrossentropy": (
        lambda: lb.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3, gamma=1.5,
                                           from_logits=True),
        lambda: keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3,
                                                     gamma=1.5, from_logits=True),
        Y, 3),
    "CategoricalFocalCrossentropy": (
        lambda: lb.CategoricalFocalCrossentropy(alpha=0.4, gamma=1.0, from_logits=True),
        lambda: keras.losses.CategoricalFocalCrossentropy(alpha=0.4, gamma=1.0,
                                                          from_logits=True),
        ONE_HOT, 4),
}
FEATURES = RNG.normal(size=(8, 5)).astype("float32")


def _trained_kernel(make_loss, labels, units, jit_compile=False):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(units)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=make_loss(),
                  jit_compile=jit_compile)
    model.fit(FEATURES, labels, sample_weight=WEIGHTS, batch_size=4, epochs=2,
              shuffle=False, verbose=0)
    return model


class TestInKeras:
    @pytest.mark.parametrize("name", list(CLASSES_AND_DATA))
    def test_fit_equals_keras_and_the_model_reloads(self, name, tmp_path):
        """model.fit with sample weights ends at Keras' weights (to 1e-6); the saved model
        reloads with lossbook's class, its config and the same loss."""
        ours, theirs, labels, units = CLASSES_AND_DATA[name]
        model = _trained_kernel(ours, labels, units)
        reference = _trained_kernel(theirs, labels, units)
        np.testing.assert_allclose(model.layers[0].kernel.numpy(),
                                   reference.layers[0].kernel.numpy(), atol=1e-6)
        before = model.evaluate(FEATURES, labels, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert type(loaded.loss) is type(model.loss)
        assert loaded.loss.get_config() == model.loss.get_config()
        assert loaded.evaluate(FEATURES, labels, verbose=0) == pytest.approx(before, rel=1e-6)

    def test_bad_labels_stop_fit_with_the_message(self):
        """Labels of 2 in model.fit stop it with lossbook's message, not a silent loss."""
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=lb.BinaryCrossentropy(from_logits=True))
        labels = np.where(Y[:, :1] > 0, 2.0, 0.0).astype("float32")
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels in \[0, 1\]"):
            model.fit(FEATURES, labels, verbose=0)

    def test_a_sigmoid_layer_is_recovered_inside_fit(self):
        """Dense(activation="sigmoid") + BinaryCrossentropy(): the same first-step loss as
        Keras' (both use the logits), far above the clipped 16.118 for saturated errors."""
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, "sigmoid")])
        model.layers[0].set_weights([np.array([[100.0]], "float32"), np.zeros(1, "float32")])
        x = np.ones((4, 1), "float32")
        y = np.zeros((4, 1), "float32")
        losses = []
        for loss in (lb.BinaryCrossentropy(), keras.losses.BinaryCrossentropy()):
            model.compile(optimizer="sgd", loss=loss)
            losses.append(model.evaluate(x, y, verbose=0))
        assert losses[0] == pytest.approx(100.0, rel=1e-6) == losses[1]

    def test_the_focal_loss_compiles_with_xla(self):
        """jit_compile=True works and gives the weights of the plain graph."""
        ours, _, labels, units = CLASSES_AND_DATA["BinaryFocalCrossentropy"]
        a = _trained_kernel(ours, labels, units, jit_compile=True)
        b = _trained_kernel(ours, labels, units)
        np.testing.assert_allclose(a.layers[0].kernel.numpy(), b.layers[0].kernel.numpy(),
                                   atol=1e-6)


class TestWhatAReviewerTried:
    def test_unknown_sizes_that_do_not_match_fail_when_the_graph_runs(self):
        """(n, 1) labels against (n, 2) predictions, traced with (None, None): an error
        naming both shapes, for the categorical losses as for the binary ones."""
        spec = [tf.TensorSpec([None, None])] * 2
        labels, pred = [[1.0], [0.0]], [[0.7, 0.3], [0.2, 0.8]]
        for fn in (lb.categorical_focal_crossentropy, lb.categorical_crossentropy,
                   lb.binary_crossentropy):
            traced = tf.function(lambda y, p, fn=fn: fn(y, p), input_signature=spec)
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2 1\].*\[2 2\]"):
                traced(labels, pred)

    def test_under_xla_sizes_that_differ_still_fail(self):
        """XLA drops asserts; the labels are reshaped to the predictions' shape, which
        fails loudly instead of broadcasting."""
        spec = [tf.TensorSpec([None, None])] * 2
        traced = tf.function(lambda y, p: lb.binary_crossentropy(y, p), jit_compile=True,
                             input_signature=spec)
        with pytest.raises(tf.errors.InvalidArgumentError):
            traced([[1.0], [0.0]], [[0.7, 0.3], [0.2, 0.8]])

    def test_one_weight_per_sequence_is_accepted_as_in_keras(self):
        """A (batch, 1) weight for (batch, steps) losses broadcasts without enlarging
        them: Keras' number."""
        y = RNG.integers(0, 2, (6, 5, 1)).astype("float32")
        p = RNG.uniform(0.05, 0.95, (6, 5, 1)).astype("float32")
        w = np.arange(1, 7, dtype="float32")[:, None]
        for ours, theirs in ((lb.BinaryCrossentropy(), keras.losses.BinaryCrossentropy()),
                             (lb.BinaryFocalCrossentropy(),
                              keras.losses.BinaryFocalCrossentropy())):
            np.testing.assert_allclose(ours(y, p, sample_weight=w),
                                       theirs(y, p, sample_weight=w), rtol=1e-6)
        with pytest.raises(ValueError, match="sample_weight has shape"):
            lb.BinaryCrossentropy()(y, p, sample_weight=np.ones((6, 5, 2), "float32"))

    def test_alpha_per_class_as_keras_documents(self, tmp_path):
        """alpha=[...] weights each class: Keras' numbers, checked against the class
        count, kept in the config."""
        alpha = [0.1, 0.2, 0.3, 0.4]
        ours = lb.CategoricalFocalCrossentropy(alpha=alpha, from_logits=True)
        theirs = keras.losses.CategoricalFocalCrossentropy(alpha=alpha, from_logits=True)
        np.testing.assert_allclose(ours(ONE_HOT, ZC), theirs(ONE_HOT, ZC), rtol=1e-6)
        assert lb.CategoricalFocalCrossentropy.from_config(ours.get_config()).alpha == alpha
        with pytest.raises(ValueError, match="alpha has 3 entries but y_pred has 4"):
            lb.categorical_focal_crossentropy(ONE_HOT, ZC, alpha=[0.1, 0.2, 0.3])
        with pytest.raises(ValueError, match="each entry of alpha"):
            lb.CategoricalFocalCrossentropy(alpha=[0.5, 2.0])

    def test_categorical_focal_labels_outside_zero_one_raise(self):
        with pytest.raises(InvalidValuesError, match=r"labels in \[0, 1\]"):
            lb.categorical_focal_crossentropy([[-1.0, 0.0]], [[0.5, 0.5]])

    def test_a_prediction_equal_to_its_label_has_a_finite_gradient(self):
        """gamma < 1 with probabilities: where p equals the label the gradient is 0, not
        NaN (Keras gives NaN there)."""
        p = tf.constant([[1.0, 0.0, 0.7]])
        with tf.GradientTape() as tape:
            tape.watch(p)
            loss = lb.binary_focal_crossentropy([[1.0, 0.0, 1.0]], p, gamma=0.5)
        assert np.isfinite(tape.gradient(loss, p).numpy()).all()
