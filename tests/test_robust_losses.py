"""mean_absolute_error, huber and log_cosh (and their classes) against Keras and float64."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from test_losses import REDUCTIONS, _weights_for

import lossbook.losses as lb

DELTAS = [0.1, 1.0, 2.5]


def _aligned(y_true, y_pred):
    """Keras' trailing-axis alignment, in float64 NumPy."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0] if y_pred.ndim > 1 else y_true
        y_pred = y_pred[..., None] if y_pred.ndim == 1 else y_pred
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0] if y_true.ndim > 1 else y_pred
        y_true = y_true[..., None] if y_true.ndim == 1 else y_true
    return y_true, y_pred


def mae_reference(y_true, y_pred):
    y_true, y_pred = _aligned(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def huber_reference(y_true, y_pred, delta=1.0):
    y_true, y_pred = _aligned(y_true, y_pred)
    e = np.abs(y_pred - y_true)
    return np.mean(np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2), axis=-1)


def log_cosh_reference(y_true, y_pred):
    """log(cosh(e)) in float64: written as |e| + log1p(exp(-2|e|)) - log 2 for large |e|,
    and through NumPy's cosh for small |e| (where float64 holds the float32 digits)."""
    y_true, y_pred = _aligned(y_true, y_pred)
    a = np.abs(y_pred - y_true)
    with np.errstate(over="ignore"):
        value = np.where(a < 20, np.log(np.cosh(np.minimum(a, 20))),
                         a + np.log1p(np.exp(-2 * a)) - np.log(2))
    return np.mean(value, axis=-1)


# name: (our function, Keras' function, our class, Keras' class, float64 reference)
LOSSES = {
    "mean_absolute_error": (lb.mean_absolute_error, keras.losses.mean_absolute_error,
                            lb.MeanAbsoluteError, keras.losses.MeanAbsoluteError,
                            mae_reference),
    "huber": (lb.huber, keras.losses.huber, lb.Huber, keras.losses.Huber, huber_reference),
    "log_cosh": (lb.log_cosh, keras.losses.log_cosh, lb.LogCosh, keras.losses.LogCosh,
                 log_cosh_reference),
}


@pytest.fixture
def rng():
    return np.random.default_rng(3)


class TestFunctions:
    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("shape", [(5,), (5, 1), (4, 3), (2, 3, 4)])
    @pytest.mark.parametrize("scale", [1e-3, 1.0, 30.0])
    def test_match_keras_and_float64(self, rng, name, shape, scale):
        """Per-sample values equal Keras' to 1e-6 and a float64 reference to 1e-6."""
        ours, theirs, _, _, reference = LOSSES[name]
        y_true = (rng.normal(size=shape) * scale).astype(np.float32)
        y_pred = (rng.normal(size=shape) * scale).astype(np.float32)
        got = ours(y_true, y_pred).numpy()
        expected = reference(y_true, y_pred)
        assert got.dtype == np.float32 and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=0)
        # Keras' log_cosh keeps only absolute precision for small errors (below).
        atol = 1e-6 * max(1.0, float(np.max(expected)))
        np.testing.assert_allclose(got, theirs(y_true, y_pred), rtol=1e-6, atol=atol)

    @pytest.mark.parametrize("delta", DELTAS)
    def test_huber_matches_keras_for_each_delta(self, rng, delta):
        y_true, y_pred = rng.normal(size=(2, 40, 3)).astype(np.float32) * 2
        np.testing.assert_allclose(lb.huber(y_true, y_pred, delta),
                                   keras.losses.huber(y_true, y_pred, delta), rtol=1e-6)
        np.testing.assert_allclose(lb.huber(y_true, y_pred, delta=delta),
                                   huber_reference(y_true, y_pred, delta), rtol=1e-6)

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("true_shape,pred_shape", [((6,), (6, 1)), ((6, 1), (6,)),
                                                       ((2, 3, 1), (2, 3))])
    def test_align_a_trailing_axis_of_one_as_keras(self, rng, name, true_shape, pred_shape):
        ours, theirs, _, _, _ = LOSSES[name]
        y_true = rng.normal(size=true_shape).astype(np.float32)
        y_pred = rng.normal(size=pred_shape).astype(np.float32)
        got, expected = ours(y_true, y_pred).numpy(), theirs(y_true, y_pred).numpy()
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("true_shape,pred_shape", [((4, 1), (1, 4)), ((32,), (32, 2)),
                                                       ((3, 2), (2, 3))])
    def test_shapes_that_would_broadcast_raise(self, name, true_shape, pred_shape):
        """(4, 1) against (1, 4) would broadcast to (4, 4) in a plain subtraction."""
        ours = LOSSES[name][0]
        with pytest.raises(ValueError, match=rf"{name}: y_true has shape "
                           rf"\({true_shape[0]},.*y_pred has shape"):
            ours(np.zeros(true_shape), np.zeros(pred_shape))

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("bad", [["a", "b"], np.array([1 + 2j, 3j]), object()])
    def test_non_real_inputs_raise_type_error(self, name, bad):
        ours = LOSSES[name][0]
        with pytest.raises(TypeError, match=f"{name}: y_pred"):
            ours([1.0, 2.0], bad)
        with pytest.raises(TypeError, match=f"{name}: y_true"):
            ours(bad, [1.0, 2.0])

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
    def test_dtypes_as_keras(self, rng, name, dtype):
        """The result has y_pred's dtype, as Keras'; values within that dtype's rounding.

        log_cosh computes half precision in float32 (so it is rounded once, not at every
        step): it is compared with the float64 reference, to half an ulp and a little."""
        ours, theirs, _, _, reference = LOSSES[name]
        y_true = rng.normal(size=(6, 4))
        y_pred = rng.normal(size=(6, 4))
        t, p = tf.constant(y_true, dtype), tf.constant(y_pred, dtype)
        got, keras_value = ours(t, p), theirs(t, p)
        assert got.dtype == keras_value.dtype == tf.as_dtype(dtype)
        eps = {"float16": 2**-10, "bfloat16": 2**-7, "float32": 2**-23, "float64": 2**-52}[dtype]
        got64 = tf.cast(got, tf.float64).numpy()
        exact = reference(tf.cast(t, tf.float64).numpy(), tf.cast(p, tf.float64).numpy())
        if name == "log_cosh":
            half = dtype in ("float16", "bfloat16")
            np.testing.assert_allclose(got64, exact, rtol=0.6 * eps if half else 4 * eps)
        else:
            np.testing.assert_allclose(got64, tf.cast(keras_value, tf.float64).numpy(),
                                       rtol=4 * eps, atol=4 * eps)

    def test_integer_inputs_compute_in_floatx(self):
        """Like Keras: integer predictions are computed in floatx (float32). (Keras'
        log_cosh fails on integers: "Cannot convert -2.0 to EagerTensor of dtype int32".)"""
        for name, (ours, theirs, _, _, reference) in LOSSES.items():
            got = ours([[1, 2]], [[2, 5]])
            assert got.dtype == tf.float32
            np.testing.assert_allclose(got, reference([[1, 2]], [[2, 5]]), rtol=1e-6)
            if name != "log_cosh":
                np.testing.assert_allclose(got, theirs([[1, 2]], [[2, 5]]), rtol=1e-6)
        with pytest.raises(TypeError, match="int32"):
            keras.losses.log_cosh([[1, 2]], [[2, 5]])

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
    def test_nan_and_inf_propagate_as_in_keras(self, name, special):
        ours, theirs, *_ = LOSSES[name]
        y_true = np.array([[0.0, 1.0], [special, 0.0]], np.float32)
        y_pred = np.array([[0.5, 1.0], [0.0, 0.0]], np.float32)
        got, expected = ours(y_true, y_pred).numpy(), theirs(y_true, y_pred).numpy()
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-6, atol=1e-6)
        if name == "log_cosh" and np.isinf(special):
            # log(cosh(+-inf)) = inf; for an error of -inf Keras' x + softplus(-2x)
            # - log 2 is -inf + inf = NaN.
            assert got[1] == np.inf
            assert np.isnan(expected[1]) if special > 0 else expected[1] == np.inf
        else:
            np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
            np.testing.assert_array_equal(got[1], expected[1])


class TestLogCosh:
    def test_finite_where_the_naive_formula_overflows(self):
        """At errors of +-1e4 in float32 cosh is inf; log_cosh is |e| - log 2 and its
        gradient tanh(e) = +-1."""
        e = tf.constant([[-1e4], [-100.0], [100.0], [1e4]], tf.float32)
        assert np.all(np.isinf(tf.math.log(tf.math.cosh(e)).numpy()))
        with tf.GradientTape() as tape:
            tape.watch(e)
            loss = lb.log_cosh(tf.zeros_like(e), e)
        grad = tape.gradient(loss, e).numpy().ravel()
        np.testing.assert_allclose(loss.numpy(), np.abs(e.numpy().ravel()) - np.log(2),
                                   rtol=1e-7)
        np.testing.assert_array_equal(grad, [-1, -1, 1, 1])

    def test_gradient_is_tanh(self):
        e = tf.constant(np.linspace(-30, 30, 601).reshape(-1, 1))
        with tf.GradientTape() as tape:
            tape.watch(e)
            loss = tf.reduce_sum(lb.log_cosh(tf.zeros_like(e), e))
        np.testing.assert_allclose(tape.gradient(loss, e), np.tanh(e), rtol=1e-12, atol=1e-15)

    def test_small_errors_keep_their_relative_precision(self):
        """For e = 1e-4, log cosh e = 5e-9: lossbook to 1e-6, Keras' formula (x +
        softplus(-2x) - log 2 in float32) off by half or more (the docstring's claim)."""
        e = np.full((1, 1), 1e-4, np.float32)
        exact = np.log(np.cosh(np.float64(e[0, 0])))
        assert abs(lb.log_cosh(np.zeros_like(e), e).numpy()[0] / exact - 1) < 1e-6
        assert abs(keras.losses.log_cosh(np.zeros_like(e), e).numpy()[0] / exact - 1) > 0.5


class TestHuber:
    @pytest.mark.parametrize("delta", DELTAS)
    def test_gradient_is_the_error_clipped_to_delta(self, delta):
        e = tf.constant(np.linspace(-5, 5, 101).reshape(-1, 1))
        with tf.GradientTape() as tape:
            tape.watch(e)
            loss = tf.reduce_sum(lb.huber(tf.zeros_like(e), e, delta))
        np.testing.assert_allclose(tape.gradient(loss, e), np.clip(e, -delta, delta),
                                   rtol=1e-12)

    @pytest.mark.parametrize("delta", [0, -1.0, np.inf, np.nan, "1", True, [1.0]])
    def test_bad_delta_is_named(self, delta):
        for make in (lambda: lb.huber([1.0], [2.0], delta), lambda: lb.Huber(delta)):
            with pytest.raises(ValueError, match="delta must be a finite number > 0"):
                make()

    def test_delta_may_be_a_scalar_tensor(self):
        got = lb.huber([[0.0, 0.0]], [[1.0, 3.0]], delta=tf.constant(2.0))
        np.testing.assert_allclose(got, [(0.5 + (6 - 2)) / 2])

    def test_keras_huber_forgets_delta_on_saving(self):
        """The class docstring's claim: Keras 3's Huber leaves delta out of its config."""
        assert "delta" not in keras.losses.Huber(delta=2.0).get_config()
        assert lb.Huber(delta=2.0).get_config()["delta"] == 2.0


class TestClasses:
    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    @pytest.mark.parametrize("y_shape", [(6, 1), (6, 3), (2, 4, 3)])
    def test_match_keras_for_every_weight_shape_and_reduction(self, rng, name, reduction,
                                                             y_shape):
        _, _, ours_cls, theirs_cls, _ = LOSSES[name]
        kwargs = {"delta": 0.7} if name == "huber" else {}
        ours, theirs = ours_cls(reduction=reduction, **kwargs), theirs_cls(
            reduction=reduction, **kwargs)
        y_true = rng.normal(size=y_shape).astype(np.float32)
        y_pred = rng.normal(size=y_shape).astype(np.float32)
        np.testing.assert_allclose(ours(y_true, y_pred), theirs(y_true, y_pred), rtol=1e-6,
                                   atol=1e-6)
        for label, weight in _weights_for(y_shape[:-1], rng):
            np.testing.assert_allclose(
                ours(y_true, y_pred, sample_weight=weight),
                theirs(y_true, y_pred, sample_weight=weight),
                rtol=1e-6, atol=1e-6, err_msg=f"sample_weight {label}")

    @pytest.mark.parametrize("name", list(LOSSES))
    @pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
    def test_the_dtype_argument_as_keras(self, rng, name, dtype):
        _, _, ours_cls, theirs_cls, _ = LOSSES[name]
        y_true, y_pred = rng.normal(size=(2, 8, 3))
        got = ours_cls(dtype=dtype)(y_true, y_pred)
        expected = theirs_cls(dtype=dtype)(y_true, y_pred)
        assert got.dtype == expected.dtype
        eps = {"float16": 2**-10, "bfloat16": 2**-7, "float64": 2**-52}[dtype]
        if name == "log_cosh":  # against float64 (Keras' formula loses digits, above)
            cast = tf.cast(tf.cast(y_true, dtype), tf.float64).numpy(), tf.cast(
                tf.cast(y_pred, dtype), tf.float64).numpy()
            expected = np.mean(LOSSES[name][4](*cast))
        np.testing.assert_allclose(tf.cast(got, tf.float64), tf.cast(expected, tf.float64),
                                   rtol=4 * eps, atol=4 * eps)

    @pytest.mark.parametrize("name", list(LOSSES))
    def test_round_trip_their_config(self, name):
        _, _, ours_cls, _, _ = LOSSES[name]
        kwargs = {"delta": 0.25} if name == "huber" else {}
        loss = ours_cls(reduction="sum", name="mine", dtype="float64", **kwargs)
        again = ours_cls.from_config(loss.get_config())
        assert again.get_config() == loss.get_config()
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert type(restored) is ours_cls and restored.get_config() == loss.get_config()

    @pytest.mark.parametrize("name", list(LOSSES))
    def test_bad_sample_weights_are_named(self, name):
        _, _, ours_cls, _, _ = LOSSES[name]
        y = np.ones((6, 1), np.float32)
        for weight, message in [(np.ones((6, 2)), "sample_weight has shape"),
                                (np.array([1, 1, -1, 1, 1, 1.0]), ">= 0"),
                                (np.array([1, np.inf, 1, 1, 1, 1.0]), "NaN or inf")]:
            with pytest.raises(ValueError, match=message):
                ours_cls()(y, y * 2, sample_weight=weight)

    @pytest.mark.parametrize("name", list(LOSSES))
    def test_train_save_and_reload_a_keras_model(self, tmp_path, name):
        """compile/fit with the class reaches w = [1, 1] on the yogurt data; the .keras file
        reloads with lossbook's class and its settings; evaluate gives the same value."""
        from lossbook.data import yogurt_sales

        _, _, ours_cls, _, _ = LOSSES[name]
        kwargs = {"delta": 0.5} if name == "huber" else {}
        x, y = yogurt_sales()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
        model.compile(optimizer=keras.optimizers.SGD(2.0 if name != "mean_absolute_error"
                                                     else 0.05),
                      loss=ours_cls(**kwargs), steps_per_execution=50)
        days = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).repeat()  # 300 steps
        model.fit(days, steps_per_epoch=300, epochs=1, shuffle=False, verbose=0)
        np.testing.assert_allclose(model.layers[0].kernel.numpy().ravel(), [1, 1], atol=0.05)
        before = model.evaluate(x, y, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert type(loaded.loss) is ours_cls
        assert loaded.loss.get_config() == model.loss.get_config()
        assert loaded.evaluate(x, y, verbose=0) == pytest.approx(before, rel=1e-6)
