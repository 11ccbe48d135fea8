"""lossbook's cross-entropy losses against tf.keras, tf.nn and a float64 NumPy reference."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossbook.losses import (
    CategoricalCrossentropy,
    categorical_crossentropy,
    softmax_cross_entropy_with_logits,
    sparse_categorical_crossentropy,
)


def softmax_xent_reference(labels, logits, axis=-1):
    """-sum(labels * log_softmax(logits)) in float64; log1p keeps losses near 0 exact."""
    z = np.moveaxis(np.asarray(logits, np.float64), axis, -1)
    y = np.moveaxis(np.asarray(labels, np.float64), axis, -1)
    top = np.argmax(z, axis=-1)[..., None]
    m = np.take_along_axis(z, top, axis=-1)
    terms = np.exp(z - m)
    np.put_along_axis(terms, top, 0.0, axis=-1)  # leave out one maximal term exactly
    # log-sum-exp - z = (m - z) + log1p(s): adding m back first would round s away.
    log1p_s = np.log1p(terms.sum(axis=-1, keepdims=True))
    return np.sum(y * (m - z), axis=-1) + np.sum(y * log1p_s, axis=-1)


def probs_xent_reference(labels, probs, axis=-1):
    """Keras' probability path in float64: rescale rows, clip to [1e-7, 1 - 1e-7], -sum y log p."""
    p = np.asarray(probs, np.float64)
    p = np.clip(p / p.sum(axis=axis, keepdims=True), 1e-7, 1 - 1e-7)
    return -np.sum(np.asarray(labels, np.float64) * np.log(p), axis=axis)


class TestKerasDocumentedExamples:
    def test_categorical_crossentropy_docstring_example(self):
        """Keras' own example: [[0, 1, 0], [0, 0, 1]] vs [[.05, .95, 0], [.1, .8, .1]]."""
        y_true = [[0, 1, 0], [0, 0, 1]]
        y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        np.testing.assert_allclose(
            categorical_crossentropy(y_true, y_pred), [0.0513, 2.303], atol=5e-4
        )
        np.testing.assert_allclose(
            categorical_crossentropy(y_true, y_pred),
            keras.losses.categorical_crossentropy(y_true, y_pred), rtol=1e-6,
        )

    def test_categorical_crossentropy_class_example(self):
        """Keras' CategoricalCrossentropy example: 1.177, with weights [0.3, 0.7]: 0.814."""
        y_true = [[0, 1, 0], [0, 0, 1]]
        y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
        cce = CategoricalCrossentropy()
        np.testing.assert_allclose(cce(y_true, y_pred), 1.177, atol=1e-3)
        np.testing.assert_allclose(cce(y_true, y_pred, sample_weight=[0.3, 0.7]), 0.814,
                                   atol=1e-3)
        np.testing.assert_allclose(CategoricalCrossentropy(reduction="sum")(y_true, y_pred),
                                   2.354, atol=1e-3)

    def test_the_notes_examples(self):
        """0.511 and 0.223; the 5x3 softmax example equals tf.nn's fused op."""
        np.testing.assert_allclose(categorical_crossentropy([1, 0], [0.6, 0.4]), 0.5108256,
                                   rtol=1e-6)
        np.testing.assert_allclose(categorical_crossentropy([1, 0], [0.8, 0.2]), 0.22314353,
                                   rtol=1e-6)
        y_ = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])
        y = np.array([[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]])
        np.testing.assert_allclose(softmax_cross_entropy_with_logits(y_, y),
                                   tf.nn.softmax_cross_entropy_with_logits(y_, y), rtol=1e-12)


class TestCategoricalCrossentropy:
    @pytest.mark.parametrize("axis", [-1, 0, 1])
    def test_probabilities_match_keras(self, axis):
        """Rescaling by the row sum and clipping at 1e-7 are Keras' own."""
        rng = np.random.default_rng(1)
        probs = rng.uniform(0, 1, size=(4, 4)).astype(np.float32)
        probs[0, 0] = 0.0  # a zero probability gets clipped
        labels = np.eye(4, dtype=np.float32)
        np.testing.assert_allclose(
            categorical_crossentropy(labels, probs, axis=axis),
            keras.losses.categorical_crossentropy(labels, probs, axis=axis), rtol=1e-6,
        )
        np.testing.assert_allclose(categorical_crossentropy(labels, probs, axis=axis),
                                   probs_xent_reference(labels, probs, axis), rtol=1e-5)

    def test_logits_match_keras(self):
        """from_logits=True equals Keras' and tf.nn's result."""
        rng = np.random.default_rng(2)
        logits = rng.normal(scale=5, size=(6, 5)).astype(np.float32)
        labels = np.eye(5, dtype=np.float32)[rng.integers(0, 5, 6)]
        np.testing.assert_allclose(
            categorical_crossentropy(labels, logits, from_logits=True),
            keras.losses.categorical_crossentropy(labels, logits, from_logits=True),
            rtol=1e-5, atol=1e-6,
        )

    @pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
    @pytest.mark.parametrize("from_logits", [False, True])
    @pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
    def test_class_matches_keras(self, smoothing, from_logits, reduction):
        """label_smoothing, from_logits and reductions behave as in Keras."""
        rng = np.random.default_rng(3)
        pred = rng.uniform(0.05, 1, size=(5, 3)).astype(np.float32)
        labels = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 5)]
        kwargs = {"label_smoothing": smoothing, "from_logits": from_logits,
                  "reduction": reduction}
        weight = rng.uniform(0, 1, size=5)
        ours = CategoricalCrossentropy(**kwargs)
        theirs = keras.losses.CategoricalCrossentropy(**kwargs)
        np.testing.assert_allclose(ours(labels, pred), theirs(labels, pred), rtol=1e-5)
        np.testing.assert_allclose(ours(labels, pred, sample_weight=weight),
                                   theirs(labels, pred, sample_weight=weight), rtol=1e-5)

    def test_config_round_trip_and_model_save(self, tmp_path):
        """get_config/from_config, keras serialisation and a saved .keras model."""
        loss = CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, name="cce")
        assert CategoricalCrossentropy.from_config(loss.get_config()).get_config() == \
            loss.get_config()
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert isinstance(restored, CategoricalCrossentropy) and restored.from_logits
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss=loss)
        model.fit(np.ones((6, 4)), np.eye(3)[[0, 1, 2, 0, 1, 2]], epochs=1, verbose=0)
        model.save(tmp_path / "m.keras")
        assert isinstance(keras.models.load_model(tmp_path / "m.keras").loss,
                          CategoricalCrossentropy)

    def test_one_class_warns_like_keras(self):
        """y_pred with a single class gives -ln(1 - 1e-7) whatever it holds: both warn."""
        values = []
        for fn in (categorical_crossentropy, keras.losses.categorical_crossentropy):
            with pytest.warns(SyntaxWarning, match="num_classes > 1"):
                values.append(fn(np.ones((2, 1), np.float32), np.array([[0.3], [0.9]])))
        np.testing.assert_allclose(values[0], values[1], rtol=1e-6)

    @pytest.mark.parametrize("smoothing", [-0.1, 1.5, "0.1"])
    def test_bad_label_smoothing_raises(self, smoothing):
        """label_smoothing outside [0, 1] is named."""
        with pytest.raises(ValueError, match="label_smoothing"):
            CategoricalCrossentropy(label_smoothing=smoothing)


class TestSoftmaxCrossEntropyWithLogits:
    def test_huge_logits_stay_finite(self):
        """[1000, 0, -1000] and |logits| = 1e4 give finite, exact losses."""
        labels = np.eye(3, dtype=np.float32)
        for scale in (1e3, 1e4):
            logits = np.array([[scale, 0, -scale]] * 3, np.float32)
            ours = softmax_cross_entropy_with_logits(labels, logits).numpy()
            assert np.all(np.isfinite(ours))
            np.testing.assert_allclose(ours, [0, scale, 2 * scale], rtol=1e-6)

    def test_tiny_losses_keep_their_precision(self):
        """A near-certain right answer keeps a relative error below 1e-5 (log1p)."""
        logits = np.array([[20.0, 0.0, -3.0]], np.float32)
        labels = np.array([[1.0, 0.0, 0.0]], np.float32)
        ours = softmax_cross_entropy_with_logits(labels, logits).numpy()
        np.testing.assert_allclose(ours, softmax_xent_reference(labels, logits), rtol=1e-5)
        assert ours[0] > 0

    @pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
    def test_dtypes(self, dtype):
        """float16 is computed in float32 and returned as float16; others keep their dtype."""
        logits = np.array([[2.0, 1.0, 0.1], [1e4, 0, -1e4]]).astype(dtype)
        labels = np.array([[0, 1, 0], [1, 0, 0]], dtype)
        ours = softmax_cross_entropy_with_logits(labels, logits)
        assert ours.dtype == tf.as_dtype(dtype)
        reference = softmax_xent_reference(labels, logits.astype(np.float64))
        np.testing.assert_allclose(ours.numpy().astype(np.float64), reference,
                                   rtol=1e-3 if dtype == np.float16 else 1e-6, atol=1e-7)

    @pytest.mark.parametrize("jit", [False, True])
    def test_gradient_is_softmax_minus_labels(self, jit):
        """GradientTape gives softmax(logits) - labels, eagerly and under XLA."""
        rng = np.random.default_rng(4)
        logits = tf.Variable(rng.normal(scale=3, size=(5, 4)))
        labels = rng.dirichlet(np.ones(4), size=5)

        def loss_and_grad():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(softmax_cross_entropy_with_logits(labels, logits))
            return tape.gradient(loss, logits)

        grad = tf.function(loss_and_grad, jit_compile=True)() if jit else loss_and_grad()
        np.testing.assert_allclose(grad, tf.nn.softmax(logits) - labels, atol=1e-12)

    def test_gradient_with_tied_maxima(self):
        """Ties at the maximum do not disturb the gradient."""
        logits = tf.Variable([[3.0, 3.0, 1.0]])
        labels = tf.constant([[1.0, 0.0, 0.0]])
        with tf.GradientTape() as tape:
            loss = softmax_cross_entropy_with_logits(labels, logits)
        np.testing.assert_allclose(tape.gradient(loss, logits),
                                   tf.nn.softmax(logits) - labels, atol=1e-6)

    @given(
        shape=st.tuples(st.integers(1, 4), st.integers(1, 6)),
        scale=st.sampled_from([1e-3, 1.0, 30.0, 1e3, 1e4]),
        dtype=st.sampled_from([np.float32, np.float64]),
        soft=st.booleans(),
        seed=st.integers(0, 2**31 - 1),
    )
    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    def test_property_matches_float64_reference(self, shape, scale, dtype, soft, seed):
        """Random shapes, scales and labels: within 1e-5 relative of float64 NumPy."""
        rng = np.random.default_rng(seed)
        logits = (rng.normal(size=shape) * scale).astype(dtype)
        if soft:
            labels = rng.dirichlet(np.ones(shape[-1]), size=shape[0]).astype(dtype)
        else:
            labels = np.eye(shape[-1], dtype=dtype)[rng.integers(0, shape[-1], shape[0])]
        ours = softmax_cross_entropy_with_logits(labels, logits).numpy()
        reference = softmax_xent_reference(labels, logits)
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-30)

    @given(
        shape=st.tuples(st.integers(1, 3), st.integers(2, 5), st.integers(2, 4)),
        axis=st.sampled_from([0, 1, 2, -1]),
        seed=st.integers(0, 2**31 - 1),
    )
    @settings(max_examples=30, deadline=None)
    def test_property_any_axis_matches_tf_nn(self, shape, axis, seed):
        """Along any axis, the same numbers as tf.nn.softmax_cross_entropy_with_logits."""
        rng = np.random.default_rng(seed)
        logits = rng.normal(scale=4, size=shape).astype(np.float32)
        classes = shape[axis]
        others = tuple(np.delete(shape, axis % len(shape)))
        labels = rng.dirichlet(np.ones(classes), size=others).astype(np.float32)
        labels = np.moveaxis(labels, -1, axis)  # a distribution along `axis`
        np.testing.assert_allclose(
            softmax_cross_entropy_with_logits(labels, logits, axis=axis),
            tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=axis),
            rtol=1e-5, atol=1e-6,
        )


class TestSparseCategoricalCrossentropy:
    @pytest.mark.parametrize("from_logits", [False, True])
    def test_equals_one_hot_and_keras(self, from_logits):
        """Integer ids give the one-hot result and Keras' sparse result."""
        rng = np.random.default_rng(5)
        pred = rng.uniform(0.01, 1, size=(7, 4)).astype(np.float32)
        if not from_logits:
            pred /= pred.sum(axis=1, keepdims=True)
        ids = rng.integers(0, 4, 7)
        ours = sparse_categorical_crossentropy(ids, pred, from_logits=from_logits)
        one_hot = categorical_crossentropy(np.eye(4)[ids], pred, from_logits=from_logits)
        keras_sparse = keras.losses.sparse_categorical_crossentropy(ids, pred,
                                                                    from_logits=from_logits)
        np.testing.assert_allclose(ours, one_hot, rtol=1e-6)
        np.testing.assert_allclose(ours, keras_sparse, rtol=1e-5)

    def test_ids_with_a_trailing_axis_and_as_floats(self):
        """(n, 1) ids and whole-number floats are accepted, as in Keras."""
        pred = np.array([[0.2, 0.8], [0.6, 0.4]], np.float32)
        expected = sparse_categorical_crossentropy([1, 0], pred)
        np.testing.assert_allclose(sparse_categorical_crossentropy([[1], [0]], pred), expected)
        np.testing.assert_allclose(sparse_categorical_crossentropy([1.0, 0.0], pred), expected)

    @pytest.mark.parametrize("from_logits", [False, True])
    def test_clipped_and_unnormalised_probabilities_equal_keras(self, from_logits):
        """Zeros, ones and rows not summing to 1: Keras clips, then takes log-softmax."""
        pred = np.array([[0, 0.5, 0.5], [1, 0, 0], [0.2, 0.2, 0.2], [0, 0, 3]], np.float32)
        ids = np.array([0, 1, 2, 2])
        np.testing.assert_allclose(
            sparse_categorical_crossentropy(ids, pred, from_logits=from_logits),
            keras.losses.sparse_categorical_crossentropy(ids, pred, from_logits=from_logits),
            rtol=1e-6, atol=1e-6)  # near 0, tf.nn's float32 op is off by ~4e-8

    def test_epsilon_follows_keras_config(self):
        """keras.config.set_epsilon moves the clip, for both losses, as in Keras."""
        pred = np.array([[0.0, 0.5, 0.5]], np.float32)
        old = keras.config.epsilon()
        keras.config.set_epsilon(1e-4)
        try:
            ids, one_hot = np.array([0]), np.array([[1.0, 0, 0]], np.float32)
            ours = [sparse_categorical_crossentropy(ids, pred),
                    categorical_crossentropy(one_hot, pred)]
            theirs = [keras.losses.sparse_categorical_crossentropy(ids, pred),
                      keras.losses.categorical_crossentropy(one_hot, pred)]
        finally:
            keras.config.set_epsilon(old)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        np.testing.assert_allclose(ours[1], [-np.log(1e-4)], rtol=1e-4)

    @pytest.mark.parametrize("ids,message", [
        ([0, 3], r"\[0, 3\).*0 to 3"), ([-1, 0], r"-1"), ([0.5, 1], "integer class ids"),
        ([[0, 1]], "needs one class id per example"),
    ])
    def test_bad_ids_raise(self, ids, message):
        """Out-of-range, negative, fractional or misshapen ids raise ValueError."""
        with pytest.raises(ValueError, match=message):
            sparse_categorical_crossentropy(ids, np.full((2, 3), 1 / 3, np.float32))


class TestBadInput:
    @pytest.mark.parametrize("call,message", [
        (lambda: softmax_cross_entropy_with_logits(np.ones((2, 3)), np.ones((2, 4))),
         r"labels has shape \(2, 3\) and logits has shape \(2, 4\)"),
        (lambda: categorical_crossentropy(np.ones((2, 3)), np.ones((3, 2))),
         r"\(2, 3\).*\(3, 2\)"),
        (lambda: softmax_cross_entropy_with_logits(np.ones((2, 3)), np.ones((2, 3)), axis=2),
         "axis=2 is out of range"),
        (lambda: categorical_crossentropy(np.ones(3), np.ones(3), axis=True), "axis"),
        (lambda: softmax_cross_entropy_with_logits([[1, 0]], [[1, 2]]), "dtype int32"),
        (lambda: softmax_cross_entropy_with_logits(np.ones((2, 0)), np.ones((2, 0))),
         "empty"),
        (lambda: categorical_crossentropy(1.0, 0.5), "class axis"),
        (lambda: sparse_categorical_crossentropy([0], np.ones((1, 0))), "empty"),
    ])
    def test_raises_value_error_naming_the_problem(self, call, message):
        """Shapes, axes, integer logits and empty class axes fail before TensorFlow runs."""
        with pytest.raises(ValueError, match=message):
            call()

    def test_complex_and_strings_raise_type_error(self):
        """Non-real inputs get a TypeError."""
        with pytest.raises(TypeError):
            categorical_crossentropy([1.0, 0.0], ["a", "b"])
        with pytest.raises(TypeError):
            softmax_cross_entropy_with_logits([1.0, 0.0], np.array([1j, 2j]))
