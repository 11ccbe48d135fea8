"""lossbook.losses against tf.keras.losses and a NumPy float64 reference."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from lossbook.losses import (
    AsymmetricLoss,
    MeanSquaredError,
    asymmetric_loss,
    mean_squared_error,
)

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


def mse_reference(y_true, y_pred):
    """Per-sample MSE in float64 NumPy, with Keras' trailing-axis alignment."""
    y_true = np.asarray(y_true, np.float64)
    y_pred = np.asarray(y_pred, np.float64)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_pred = y_pred[..., None] if y_pred.ndim == 1 else y_pred
        y_true = y_true if y_pred.ndim == y_true.ndim else y_true[..., 0]
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None] if y_true.ndim == 1 else y_true
        y_pred = y_pred if y_pred.ndim == y_true.ndim else y_pred[..., 0]
    return np.mean((y_true - y_pred) ** 2, axis=-1)


def reduce_reference(per_sample, weight, reduction):
    """Keras' reductions of weighted per-sample losses, in NumPy."""
    weighted = per_sample * weight
    return {
        "sum": weighted.sum(),
        "sum_over_batch_size": weighted.mean(),
        "mean": weighted.mean(),
        "mean_with_sample_weight": weighted.sum() / weight.sum(),
    }.get(reduction, weighted)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


class TestMeanSquaredErrorFunction:
    @pytest.mark.parametrize("shape", [(5,), (5, 1), (4, 3), (2, 3, 4)])
    def test_matches_keras_and_numpy(self, rng, shape):
        """Per-sample values equal keras.losses.mean_squared_error and a float64 reference."""
        y_true = rng.normal(size=shape).astype(np.float32)
        y_pred = rng.normal(size=shape).astype(np.float32)
        ours = mean_squared_error(y_true, y_pred).numpy()
        np.testing.assert_allclose(ours, keras.losses.mean_squared_error(y_true, y_pred), rtol=1e-6)
        np.testing.assert_allclose(ours, mse_reference(y_true, y_pred), rtol=1e-5)
        assert ours.shape == shape[:-1]

    @pytest.mark.parametrize("true_shape,pred_shape", [((6,), (6, 1)), ((6, 1), (6,)),
                                                       ((2, 3), (2, 3, 1)), ((2, 3, 1), (2, 3))])
    def test_aligns_a_trailing_axis_of_one_like_keras(self, rng, true_shape, pred_shape):
        """(n,) against (n, 1) is aligned, never broadcast to (n, n)."""
        y_true = rng.normal(size=true_shape).astype(np.float32)
        y_pred = rng.normal(size=pred_shape).astype(np.float32)
        ours = mean_squared_error(y_true, y_pred).numpy()
        theirs = keras.losses.mean_squared_error(y_true, y_pred).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        np.testing.assert_allclose(ours, mse_reference(y_true, y_pred), rtol=1e-5)

    @pytest.mark.parametrize("true_shape,pred_shape", [((4, 1), (1, 4)), ((32, 1), (32, 2)),
                                                       ((3,), (4,)), ((2, 3), (3,))])
    def test_other_mismatches_raise_naming_both_shapes(self, true_shape, pred_shape):
        """Shapes that Keras would broadcast raise ValueError with both shapes in the message."""
        with pytest.raises(ValueError) as err:
            mean_squared_error(np.zeros(true_shape), np.zeros(pred_shape))
        assert str(true_shape).replace(",)", ",)") in str(err.value)
        assert str(pred_shape) in str(err.value)

    def test_scalars_raise(self):
        """A scalar pair has no axis to average over."""
        with pytest.raises(ValueError, match="scalars"):
            mean_squared_error(1.0, 2.0)

    @pytest.mark.parametrize("bad", [["a", "b"], np.array([1 + 2j, 3j]), object()])
    def test_non_numeric_or_complex_raise_type_error(self, bad):
        """Strings, complex numbers and arbitrary objects get a TypeError naming the argument."""
        with pytest.raises(TypeError, match="y_pred"):
            mean_squared_error([1.0, 2.0], bad)
        with pytest.raises(TypeError, match="y_true"):
            mean_squared_error(bad, [1.0, 2.0])

    def test_integers_are_computed_in_floats(self):
        """Integer inputs give a float32 result, like Keras."""
        out = mean_squared_error([[1, 2]], [[2, 4]])
        assert out.dtype == tf.float32
        np.testing.assert_allclose(out.numpy(), [2.5])

    def test_float64_stays_float64(self, rng):
        """The computation keeps y_pred's float dtype."""
        y = rng.normal(size=(3, 2))
        assert mean_squared_error(y, y + 1).dtype == tf.float64

    @pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
    def test_nan_and_inf_propagate_as_in_keras(self, special):
        """Non-finite inputs are not errors: they flow through exactly as in Keras."""
        y_true = np.array([[1.0], [special], [2.0]], np.float32)
        y_pred = np.array([[1.5], [0.0], [2.0]], np.float32)
        np.testing.assert_array_equal(
            mean_squared_error(y_true, y_pred).numpy(),
            keras.losses.mean_squared_error(y_true, y_pred).numpy(),
        )

    def test_works_inside_tf_function(self, rng):
        """Shapes are checked at trace time, so the function compiles, also with XLA."""
        y = rng.normal(size=(8, 2)).astype(np.float32)
        compiled = tf.function(mean_squared_error, jit_compile=True)
        np.testing.assert_allclose(compiled(y, y * 2).numpy(), mse_reference(y, y * 2), rtol=1e-5)


def _weights_for(shape, rng):
    """Every sample_weight shape Keras accepts for per-sample losses of ``shape``."""
    yield "scalar", np.float32(0.7)
    yield "per sample", rng.uniform(0, 2, size=shape).astype(np.float32)
    yield "per sample with trailing 1", rng.uniform(0, 2, size=(*shape, 1)).astype(np.float32)
    yield "with zeros", np.where(rng.uniform(size=shape) < 0.5, 0.0, 1.0).astype(np.float32)


class TestMeanSquaredErrorClass:
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    @pytest.mark.parametrize("y_shape", [(6, 1), (6, 3), (2, 4, 3)])
    def test_matches_keras_for_every_weight_shape_and_reduction(self, rng, reduction, y_shape):
        """Same numbers as keras.losses.MeanSquaredError for each reduction and weight shape."""
        y_true = rng.normal(size=y_shape).astype(np.float32)
        y_pred = rng.normal(size=y_shape).astype(np.float32)
        ours, theirs = MeanSquaredError(reduction=reduction), keras.losses.MeanSquaredError(
            reduction=reduction
        )
        np.testing.assert_allclose(ours(y_true, y_pred), theirs(y_true, y_pred), rtol=1e-6)
        for label, weight in _weights_for(y_shape[:-1], rng):
            np.testing.assert_allclose(
                ours(y_true, y_pred, sample_weight=weight),
                theirs(y_true, y_pred, sample_weight=weight),
                rtol=1e-6, err_msg=f"sample_weight {label}",
            )

    @pytest.mark.parametrize("reduction", REDUCTIONS)
    def test_matches_a_float64_reference(self, rng, reduction):
        """Weighted reductions agree with NumPy in float64."""
        y_true, y_pred = rng.normal(size=(2, 7, 3)), rng.normal(size=(7, 3))
        y_true = y_true[0]
        weight = rng.uniform(0.1, 2, size=7)
        expected = reduce_reference(mse_reference(y_true, y_pred), weight, reduction)
        got = MeanSquaredError(reduction=reduction, dtype="float64")(y_true, y_pred, weight)
        np.testing.assert_allclose(got, expected, rtol=1e-12)

    def test_is_a_keras_loss_and_round_trips_its_config(self):
        """get_config/from_config and keras serialisation rebuild an equal loss."""
        loss = MeanSquaredError(reduction="sum", name="my_mse")
        assert isinstance(loss, keras.losses.Loss)
        again = MeanSquaredError.from_config(loss.get_config())
        assert again.get_config() == loss.get_config()
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert isinstance(restored, MeanSquaredError)
        assert restored.reduction == "sum" and restored.name == "my_mse"

    def test_trains_a_keras_model(self, tmp_path):
        """model.compile(loss=MeanSquaredError()) fits, saves to .keras and loads back."""
        from lossbook.data import yogurt_sales

        x, y_ = yogurt_sales()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=MeanSquaredError())
        history = model.fit(x, y_, epochs=200, batch_size=32, verbose=0)
        assert history.history["loss"][-1] < 1e-3
        np.testing.assert_allclose(model.layers[0].kernel.numpy().ravel(), [1, 1], atol=0.02)
        path = tmp_path / "model.keras"
        model.save(path)
        loaded = keras.models.load_model(path)
        assert isinstance(loaded.loss, MeanSquaredError)

    @pytest.mark.parametrize("weight,message", [
        (np.ones((6, 2)), "sample_weight has shape"),
        (np.ones(5), "sample_weight has shape"),
        (np.array([1, 1, -1, 1, 1, 1.0]), ">= 0"),
        (np.array([1, np.nan, 1, 1, 1, 1.0]), "NaN or inf"),
        (["a"] * 6, "sample_weight"),
    ])
    def test_bad_sample_weights_raise(self, weight, message):
        """Wrong shapes, negative and non-finite weights are named, not broadcast or summed."""
        y = np.ones((6, 1), np.float32)
        with pytest.raises((ValueError, TypeError), match=message):
            MeanSquaredError()(y, y * 2, sample_weight=weight)

    def test_shape_errors_come_from_lossbook(self):
        """The class raises the same clear ValueError as the function."""
        with pytest.raises(ValueError, match=r"\(1, 4\).*\(4, 1\)"):
            MeanSquaredError()(np.zeros((1, 4)), np.zeros((4, 1)))


def asymmetric_reference(y_true, y_pred, profit, cost):
    """Per-sample profit/cost loss in float64 NumPy, written independently of TensorFlow."""
    y_true = np.asarray(y_true, np.float64)
    y_pred = np.asarray(y_pred, np.float64)
    under = np.clip(y_true - y_pred, 0, None)  # units we failed to make
    over = np.clip(y_pred - y_true, 0, None)  # units made in excess
    return np.mean(profit * under + cost * over, axis=-1)


def pinball_reference(y_true, y_pred, tau):
    u = np.asarray(y_true, np.float64) - np.asarray(y_pred, np.float64)
    return np.mean(np.maximum(tau * u, (tau - 1) * u), axis=-1)


class TestAsymmetricLossFunction:
    @pytest.mark.parametrize("profit,cost", [(99, 1), (1, 99), (1, 1), (0.3, 7.5)])
    @pytest.mark.parametrize("shape", [(7, 1), (5, 3), (2, 3, 4)])
    def test_matches_a_float64_reference(self, rng, profit, cost, shape):
        """Per-sample values equal an independent NumPy computation."""
        y_true, y_pred = rng.normal(size=shape), rng.normal(size=shape)
        ours = asymmetric_loss(y_true, y_pred, profit=profit, cost=cost).numpy()
        np.testing.assert_allclose(ours, asymmetric_reference(y_true, y_pred, profit, cost),
                                   rtol=1e-12)

    @pytest.mark.parametrize("profit,cost", [(99, 1), (1, 99), (2, 3)])
    def test_is_a_scaled_pinball_loss(self, rng, profit, cost):
        """asymmetric_loss = (profit + cost) * pinball loss at tau = profit / (profit + cost)."""
        y_true, y_pred = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
        tau = profit / (profit + cost)
        np.testing.assert_allclose(
            asymmetric_loss(y_true, y_pred, profit=profit, cost=cost).numpy(),
            (profit + cost) * pinball_reference(y_true, y_pred, tau), rtol=1e-12,
        )

    def test_equals_the_notes_formula(self, rng):
        """Summed, it is the note's reduce_sum(tf.where(...)) on (n, 1) columns."""
        y_true = rng.normal(size=(32, 1)).astype(np.float32)
        y_pred = rng.normal(size=(32, 1)).astype(np.float32)
        note = tf.reduce_sum(tf.where(tf.greater(y_pred, y_true), 1 * (y_pred - y_true),
                                      99 * (y_true - y_pred)))
        ours = tf.reduce_sum(asymmetric_loss(y_true, y_pred, profit=99, cost=1))
        assert ours.numpy() == note.numpy()

    def test_gradient_is_minus_profit_or_plus_cost(self):
        """GradientTape gives -profit where y < y_true and +cost where y > y_true."""
        y_true = tf.constant([[1.0, 2.0, 3.0, 4.0]])
        y_pred = tf.Variable([[0.0, 2.5, 2.0, 5.0]])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(asymmetric_loss(y_true, y_pred, profit=99, cost=1))
        grad = tape.gradient(loss, y_pred).numpy()
        np.testing.assert_allclose(grad, [[-99 / 4, 1 / 4, -99 / 4, 1 / 4]])

    @pytest.mark.parametrize("name,value", [("profit", 0), ("profit", -1), ("cost", np.inf),
                                            ("cost", np.nan), ("profit", "99"), ("cost", True)])
    def test_bad_prices_raise_naming_argument_and_value(self, name, value):
        """profit and cost must be finite and > 0; the message names which and its value."""
        prices = {"profit": 99, "cost": 1, name: value}
        with pytest.raises(ValueError, match=rf"{name} must be a finite number > 0, got"):
            asymmetric_loss([[1.0]], [[2.0]], **prices)
        with pytest.raises(ValueError, match=name):
            AsymmetricLoss(**prices)

    def test_shape_rules_are_those_of_mse(self):
        """(n,) vs (n, 1) is aligned; (1, n) vs (n, 1) raises naming both shapes."""
        flat = asymmetric_loss(np.ones(4), np.zeros((4, 1)), profit=2, cost=1).numpy()
        np.testing.assert_allclose(flat, [2, 2, 2, 2])
        with pytest.raises(ValueError, match=r"\(1, 4\).*\(4, 1\)"):
            asymmetric_loss(np.ones((1, 4)), np.zeros((4, 1)), profit=2, cost=1)


class TestAsymmetricLossClass:
    @pytest.mark.parametrize("reduction", REDUCTIONS)
    def test_reductions_and_weights_match_a_reference(self, rng, reduction):
        """Keras' reductions over the per-sample values, with sample weights."""
        y_true, y_pred = rng.normal(size=(9, 2)), rng.normal(size=(9, 2))
        weight = rng.uniform(0.1, 2, size=9)
        expected = reduce_reference(asymmetric_reference(y_true, y_pred, 5, 2), weight,
                                    reduction)
        loss = AsymmetricLoss(profit=5, cost=2, reduction=reduction, dtype="float64")
        np.testing.assert_allclose(loss(y_true, y_pred, sample_weight=weight), expected,
                                   rtol=1e-12)

    def test_config_round_trip_and_registration(self):
        """get_config/from_config and keras serialisation rebuild the same loss."""
        loss = AsymmetricLoss(profit=99, cost=1, reduction="sum", name="shop")
        again = AsymmetricLoss.from_config(loss.get_config())
        assert again.get_config() == loss.get_config()
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert isinstance(restored, AsymmetricLoss)
        assert (restored.profit, restored.cost, restored.reduction) == (99, 1, "sum")

    def test_a_compiled_model_saves_and_loads(self, tmp_path):
        """A model compiled with it saves to .keras and loads back with the loss."""
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=AsymmetricLoss(profit=99, cost=1))
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert isinstance(loaded.loss, AsymmetricLoss)
        assert (loaded.loss.profit, loaded.loss.cost) == (99, 1)


class TestSequenceWeights:
    def test_one_weight_per_sequence_is_suggested(self):
        """(batch,) weights against (batch, steps) losses: the message names the shape
        that weights each sequence, and that shape is accepted."""
        import lossbook.losses as lb

        ids = np.zeros((8, 5), "int32")
        logits = np.zeros((8, 5, 3), "float32")
        loss = lb.SparseCategoricalCrossentropy(from_logits=True)
        with pytest.raises(ValueError, match=re.escape(
                "per-sample losses have shape (8, 5); give a scalar or one weight per sample "
                "(one weight per sequence: shape (8, 1))")):
            loss(ids, logits, sample_weight=np.ones(8, "float32"))
        assert np.isfinite(loss(ids, logits, sample_weight=np.ones((8, 1), "float32")))
