"""lossbook.train.fit_linear against the study note's eager GradientTape loop."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales
from lossbook.losses import MeanSquaredError, mean_squared_error
from lossbook.train import History, fit_linear


def eager_loop(x, y_, w0, steps, lr):
    """The note's loop: GradientTape, reduce_mean(square), assign_sub, in eager mode."""
    w1 = tf.Variable(w0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w1)))
        w1.assign_sub(lr * tape.gradient(loss, w1))
    return w1.numpy()


@pytest.fixture(scope="module")
def data():
    return yogurt_sales()


class TestFitLinear:
    @pytest.mark.parametrize("jit_compile", [True, False])
    def test_matches_the_eager_loop(self, data, jit_compile):
        """Same final weights as the eager loop from the same start, to 1e-5."""
        x, y_ = data
        w0 = seed_weights()
        expected = eager_loop(x, y_, w0, steps=3000, lr=0.002)
        got, _ = fit_linear(x, y_, mean_squared_error, steps=3000, learning_rate=0.002,
                            init=w0, jit_compile=jit_compile)
        np.testing.assert_allclose(got, expected, atol=1e-5)

    @pytest.mark.parametrize("loss_fn", [
        lambda t, p: tf.reduce_mean(tf.square(t - p)), mean_squared_error, MeanSquaredError(),
    ], ids=["by hand", "function", "Loss object"])
    def test_accepts_scalar_and_per_sample_losses(self, data, loss_fn):
        """A scalar loss, per-sample values (averaged) and a Keras Loss give one answer."""
        x, y_ = data
        w, _ = fit_linear(x, y_, loss_fn, steps=500, learning_rate=0.1)
        reference, _ = fit_linear(x, y_, mean_squared_error, steps=500, learning_rate=0.1)
        np.testing.assert_allclose(w, reference, atol=1e-6)

    def test_history_logs_what_the_note_prints(self, data):
        """Rows every log_every steps plus the last; weights after that step's update."""
        x, y_ = data
        w, history = fit_linear(x, y_, mean_squared_error, steps=1200, learning_rate=0.002,
                                log_every=500)
        assert isinstance(history, History)
        np.testing.assert_array_equal(history.step, [0, 500, 1000, 1199])
        assert history.weights.shape == (4, 2, 1) and history.loss.shape == (4,)
        assert history.all_weights.shape == (1200, 2, 1) and history.all_loss.shape == (1200,)
        np.testing.assert_array_equal(history.weights[-1], w)
        np.testing.assert_array_equal(history.all_loss[history.step], history.loss)
        expected_first = eager_loop(x, y_, seed_weights(), steps=1, lr=0.002)
        np.testing.assert_allclose(history.weights[0], expected_first, atol=1e-7)

    def test_flat_labels_are_aligned(self, data):
        """y_true of shape (n,) trains like (n, 1), not as an (n, n) broadcast."""
        x, y_ = data
        flat, _ = fit_linear(x, y_.ravel(), mean_squared_error, steps=200, learning_rate=0.1)
        column, _ = fit_linear(x, y_, mean_squared_error, steps=200, learning_rate=0.1)
        np.testing.assert_array_equal(flat, column)

    def test_a_diverging_run_names_the_step(self, data):
        """A loss that overflows stops training with FloatingPointError naming the step."""
        x, y_ = data
        with pytest.raises(FloatingPointError, match=r"became inf at step \d+"):
            fit_linear(x, y_, mean_squared_error, steps=5000, learning_rate=5.0)

    def test_nan_in_the_data_stops_at_step_zero(self, data):
        """NaN in y_true makes the first loss NaN, reported as step 0."""
        x, y_ = data
        bad = y_.copy()
        bad[3] = np.nan
        with pytest.raises(FloatingPointError, match="became nan at step 0"):
            fit_linear(x, bad, mean_squared_error, steps=10, learning_rate=0.1)

    @pytest.mark.parametrize("kwargs,message", [
        ({"steps": 0}, "steps"), ({"steps": 2.5}, "steps"), ({"log_every": 0}, "log_every"),
        ({"learning_rate": 0}, "learning_rate"), ({"learning_rate": np.inf}, "learning_rate"),
        ({"init": np.zeros((3, 1))}, r"init must have shape \(2, 1\)"),
    ])
    def test_bad_settings_raise(self, data, kwargs, message):
        """Each bad setting is named in a ValueError."""
        x, y_ = data
        settings = {"steps": 10, "learning_rate": 0.1, **kwargs}
        with pytest.raises(ValueError, match=message):
            fit_linear(x, y_, mean_squared_error, **settings)

    def test_bad_shapes_raise(self, data):
        """x must be (n, k) and y_true (n, 1) or (n,); mismatches name both shapes."""
        x, y_ = data
        with pytest.raises(ValueError, match=r"x must have shape \(n, k\), got \(32,\)"):
            fit_linear(x[:, 0], y_, mean_squared_error, steps=1, learning_rate=0.1)
        with pytest.raises(ValueError, match=r"y_true must have shape \(32, 1\).*got \(31, 1\)"):
            fit_linear(x, y_[:31], mean_squared_error, steps=1, learning_rate=0.1)
        with pytest.raises(TypeError, match="loss_fn must be callable"):
            fit_linear(x, y_, "mse", steps=1, learning_rate=0.1)
        with pytest.raises(TypeError, match="x must hold real numbers"):
            fit_linear(x.astype(np.complex64), y_, mean_squared_error, steps=1, learning_rate=0.1)


class TestLearningRateSchedules:
    def test_a_keras_schedule_matches_the_eager_loop(self, data):
        """A LearningRateSchedule is called with the step, as a hand-written loop would."""
        import keras

        x, y_ = data
        schedule = keras.optimizers.schedules.InverseTimeDecay(0.5, decay_steps=10,
                                                               decay_rate=1.0)
        w1 = tf.Variable(seed_weights())
        for step in range(300):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w1)))
            w1.assign_sub(schedule(step) * tape.gradient(loss, w1))
        got, _ = fit_linear(x, y_, mean_squared_error, steps=300, learning_rate=schedule)
        np.testing.assert_allclose(got, w1.numpy(), atol=1e-5)


class TestExactAsymmetricFit:
    @pytest.mark.parametrize("profit,cost", [(99, 1), (1, 99), (1, 1)])
    def test_no_nearby_weights_do_better(self, data, profit, cost):
        """The returned w has a loss no higher than any small perturbation of it."""
        from lossbook.train import exact_asymmetric_fit

        x, y_ = data
        x64, y64 = x.astype(np.float64), y_.astype(np.float64)

        def total(w):
            r = y64 - x64 @ w
            return np.sum(np.where(r > 0, profit * r, -cost * r))

        w = exact_asymmetric_fit(x, y_, profit=profit, cost=cost)
        rng = np.random.default_rng(0)
        best = total(w)
        for scale in (1e-2, 1e-4):
            for _ in range(200):
                assert total(w + rng.normal(scale=scale, size=w.shape)) >= best - 1e-12

    def test_gradient_descent_with_decay_approaches_it(self, data):
        """fit_linear with a decaying rate ends within 1e-3 of the exact minimiser."""
        import keras

        from lossbook.losses import AsymmetricLoss
        from lossbook.train import exact_asymmetric_fit

        x, y_ = data
        decay = keras.optimizers.schedules.InverseTimeDecay(0.002, decay_steps=100,
                                                            decay_rate=1.0)
        w, _ = fit_linear(x, y_, AsymmetricLoss(99, 1, reduction="sum"), steps=10000,
                          learning_rate=decay)
        np.testing.assert_allclose(w, exact_asymmetric_fit(x, y_, profit=99, cost=1), atol=3e-3)

    def test_bad_input_raises(self, data):
        """Bad prices, shapes and sizes are named."""
        from lossbook.train import exact_asymmetric_fit

        x, y_ = data
        with pytest.raises(ValueError, match="cost"):
            exact_asymmetric_fit(x, y_, profit=1, cost=-1)
        with pytest.raises(ValueError, match="shape"):
            exact_asymmetric_fit(x, y_[:5], profit=1, cost=1)
        with pytest.raises(ValueError, match="max_candidates"):
            exact_asymmetric_fit(np.ones((200, 4)), np.ones(200), profit=1, cost=1)


class TestFitLinearNamesTheMistake:
    """Mistakes a Keras user makes get a lossbook error naming them, not a raw one."""

    def test_empty_x_says_it_is_empty(self):
        """An x with no rows says so, instead of blaming the learning rate."""
        with pytest.raises(ValueError, match=r"x is empty \(shape \(0, 2\)\)"):
            fit_linear(np.zeros((0, 2), np.float32), np.zeros((0, 1), np.float32),
                       mean_squared_error, steps=10, learning_rate=0.1)

    @pytest.mark.parametrize("bad", [-0.01, float("nan"), float("inf")])
    def test_a_schedule_returning_a_bad_rate_is_named(self, data, bad):
        """A schedule that returns a negative or non-finite rate is caught at that step."""
        x, y_ = data

        def schedule(step):
            return tf.where(step < 7, 0.01, bad)

        with pytest.raises(ValueError, match=rf"schedule returned {bad} at step 7"):
            fit_linear(x, y_, mean_squared_error, steps=50, learning_rate=schedule)

    def test_a_schedule_decaying_to_zero_is_fine(self, data):
        """A rate of exactly 0 (the end of a polynomial decay) is a valid rate."""
        import keras

        x, y_ = data
        decay = keras.optimizers.schedules.PolynomialDecay(0.1, decay_steps=20,
                                                           end_learning_rate=0.0)
        w, history = fit_linear(x, y_, mean_squared_error, steps=40, learning_rate=decay)
        np.testing.assert_array_equal(history.all_weights[25], w)

    def test_a_python_if_in_a_schedule_is_named(self, data):
        """A Python `if` on the step tensor is explained, naming the schedule."""
        x, y_ = data

        def schedule(step):
            return 0.1 if step < 100 else 0.01

        with pytest.raises(ValueError, match=r"schedule uses a tensor as a Python bool.*tf\.where"):
            fit_linear(x, y_, mean_squared_error, steps=10, learning_rate=schedule)

    def test_a_python_if_in_a_loss_is_named(self, data):
        """The same mistake inside loss_fn names loss_fn."""
        x, y_ = data

        def loss_fn(y_true, y_pred):
            if tf.reduce_mean(y_pred) > 0:
                return tf.reduce_mean(tf.square(y_true - y_pred))
            return tf.reduce_mean(tf.abs(y_true - y_pred))

        with pytest.raises(ValueError, match="loss_fn uses a tensor as a Python bool"):
            fit_linear(x, y_, loss_fn, steps=10, learning_rate=0.1)

    def test_a_loss_in_numpy_is_named(self, data):
        """A loss computed with NumPy on the symbolic predictions names loss_fn."""
        x, y_ = data

        def loss_fn(y_true, y_pred):
            return np.mean((y_true.numpy() - y_pred.numpy()) ** 2)

        with pytest.raises(ValueError, match="loss_fn failed inside the compiled loop"):
            fit_linear(x, y_, loss_fn, steps=10, learning_rate=0.1)

    @pytest.mark.parametrize("loss_fn", [
        lambda t, p: tf.reduce_mean(tf.square(t)),
        lambda t, p: tf.reduce_mean(tf.square(t - tf.round(p))),
    ], ids=["not connected", "through tf.round"])
    def test_a_loss_without_gradient_is_named(self, data, loss_fn):
        """A loss whose gradient with respect to w is None says so."""
        x, y_ = data
        with pytest.raises(ValueError, match="has no gradient with respect to the weights"):
            fit_linear(x, y_, loss_fn, steps=10, learning_rate=0.1)

    @pytest.mark.parametrize("rate", [
        pytest.param(tf.constant(0.1), id="tf.constant"),
        pytest.param(tf.Variable(0.1), id="tf.Variable"),
        pytest.param(np.float32(0.1), id="np.float32"),
        pytest.param(np.array(0.1), id="0-d array"),
        pytest.param("keras", id="keras.Variable"),
    ])
    def test_a_tensor_learning_rate_works(self, data, rate):
        """A scalar tensor or array learning rate trains like the float."""
        import keras

        x, y_ = data
        if isinstance(rate, str):
            rate = keras.Variable(0.1)
        got, _ = fit_linear(x, y_, mean_squared_error, steps=200, learning_rate=rate)
        expected, _ = fit_linear(x, y_, mean_squared_error, steps=200,
                                 learning_rate=float(np.float32(0.1)))
        np.testing.assert_allclose(got, expected, atol=1e-6)

    @pytest.mark.parametrize("rate", [tf.constant([0.1, 0.2]), tf.constant(-0.1),
                                      tf.constant(np.nan)])
    def test_a_bad_tensor_learning_rate_is_named(self, data, rate):
        """A tensor rate of the wrong shape or value is named like a bad float."""
        x, y_ = data
        with pytest.raises(ValueError, match="learning_rate must be"):
            fit_linear(x, y_, mean_squared_error, steps=10, learning_rate=rate)

    def test_changing_a_loss_object_retraces(self, data):
        """Changing loss.profit between calls trains with the new value, not a stale loop."""
        from lossbook.losses import AsymmetricLoss

        x, y_ = data
        loss = AsymmetricLoss(99, 1)
        first, _ = fit_linear(x, y_, loss, steps=300, learning_rate=0.01)
        loss.profit = 1.0
        changed, _ = fit_linear(x, y_, loss, steps=300, learning_rate=0.01)
        fresh, _ = fit_linear(x, y_, AsymmetricLoss(1, 1), steps=300, learning_rate=0.01)
        np.testing.assert_array_equal(changed, fresh)
        assert np.abs(changed - first).max() > 0.01

    def test_changing_a_plain_callable_object_retraces(self, data):
        """An object with __call__ and no get_config is keyed by its attributes."""
        x, y_ = data

        class Scaled:
            def __init__(self, scale):
                self.scale = scale

            def __call__(self, y_true, y_pred):
                return self.scale * tf.reduce_mean(tf.square(y_true - y_pred))

        loss = Scaled(1.0)
        fit_linear(x, y_, loss, steps=100, learning_rate=0.01)
        loss.scale = 2.0
        changed, _ = fit_linear(x, y_, loss, steps=100, learning_rate=0.01)
        expected, _ = fit_linear(x, y_, Scaled(2.0), steps=100, learning_rate=0.01)
        np.testing.assert_array_equal(changed, expected)


class TestExactAsymmetricFitInput:
    def test_the_rank_test_is_scale_invariant(self, data):
        """x * 1e-6 (or * 1e6) gives w / 1e-6: the rank test is relative, not 1e-12."""
        from lossbook.train import exact_asymmetric_fit

        x, y_ = data
        x64 = x.astype(np.float64)
        w = exact_asymmetric_fit(x64, y_, profit=99, cost=1)
        for scale in (1e-6, 1e6):
            scaled = exact_asymmetric_fit(x64 * scale, y_, profit=99, cost=1)
            np.testing.assert_allclose(scaled * scale, w, rtol=1e-8)

    def test_rank_deficient_x_says_so(self, data):
        """A column that copies another is rank-deficient, named with the rank."""
        from lossbook.train import exact_asymmetric_fit

        x, y_ = data
        twice = np.hstack([x, 2 * x[:, :1]])
        with pytest.raises(ValueError, match="x has rank 2 < 3 columns"):
            exact_asymmetric_fit(twice, y_, profit=1, cost=1)

    @pytest.mark.parametrize("where,bad,name", [
        ("x", np.nan, "x holds NaN"), ("x", np.inf, "x holds inf"),
        ("y", np.nan, "y_true holds NaN"), ("y", -np.inf, "y_true holds inf"),
    ])
    def test_nan_and_inf_are_named(self, data, where, bad, name):
        """NaN or inf in x or y_true is reported as such, not as a rank problem."""
        from lossbook.train import exact_asymmetric_fit

        x, y_ = (a.astype(np.float64) for a in data)
        (x if where == "x" else y_)[4, 0] = bad
        with pytest.raises(ValueError, match=name):
            exact_asymmetric_fit(x, y_, profit=1, cost=1)


class TestCountResiduals:
    def test_counts_short_exact_and_over(self):
        """Residuals above tol are short, within tol exact, below -tol over."""
        from lossbook.train import count_residuals

        x = np.ones((5, 1))
        y_ = np.array([1.0, 2.0, 2.00001, 3.0, 0.5])
        assert count_residuals(x, y_, [[2.0]]) == (1, 2, 2)
        assert count_residuals(x, y_, [[2.0]], tol=0.0) == (2, 1, 2)

    def test_bad_shapes_raise(self):
        """Shapes that do not fit together are named."""
        from lossbook.train import count_residuals

        with pytest.raises(ValueError, match="w k values"):
            count_residuals(np.ones((5, 2)), np.ones(5), np.ones(3))


class TestNewtonFit:
    """newton_fit finds the exact minimiser of smooth convex losses, and says when not."""

    @staticmethod
    def _data():
        from lossbook.data import yogurt_sales_with_typos

        x, y, _ = yogurt_sales_with_typos()
        return x.astype(np.float64), y.astype(np.float64)

    def test_mse_gives_least_squares(self):
        from lossbook.losses import mean_squared_error
        from lossbook.train import newton_fit

        x, y = self._data()
        w = newton_fit(x, y, mean_squared_error, init=[5.0, -3.0])
        np.testing.assert_allclose(w, np.linalg.lstsq(x, y, rcond=None)[0], atol=1e-10)
        assert w.shape == (2, 1) and w.dtype == np.float64

    @pytest.mark.parametrize("delta", [0.01, 0.3, 2.0])
    def test_huber_solves_its_estimating_equation(self, delta):
        """At the answer, sum(clip(r, -delta, delta) * x) = 0: the gradient, from NumPy."""
        from lossbook.losses import huber
        from lossbook.train import newton_fit

        x, y = self._data()
        w = newton_fit(x, y, lambda t, p: huber(t, p, delta=delta))
        r = (y - x @ w).ravel()
        np.testing.assert_allclose(np.clip(r, -delta, delta) @ x / len(r), 0, atol=1e-10)

    def test_log_cosh_beats_every_nearby_point(self):
        from lossbook.losses import log_cosh
        from lossbook.train import newton_fit

        x, y = self._data()
        w = newton_fit(x, y, log_cosh)

        def loss(v):
            return np.mean(np.log(np.cosh(y - x @ v)))

        rng = np.random.default_rng(0)
        best = loss(w)
        assert all(best <= loss(w + d) for d in rng.normal(scale=1e-3, size=(500, 2, 1)))

    @pytest.mark.parametrize("kwargs,error,message", [
        ({"x": np.zeros((3, 2)), "y_true": np.zeros(4)}, ValueError, "x must have shape"),
        ({"y_true": np.zeros((3, 2))}, ValueError, r"y_true shape \(n,\) or \(n, 1\)"),
        ({"x": np.array([[1.0, 2.0]] * 3)}, ValueError, "x has rank 1 < 2 columns"),
        ({"x": np.array([[np.nan, 1.0]] * 3)}, ValueError, "x holds NaN"),
        ({"y_true": np.array([1.0, np.inf, 2.0])}, ValueError, "y_true holds inf"),
        ({"tol": -1.0}, ValueError, "tol must be"),
        ({"max_steps": 0}, ValueError, "max_steps must be an integer > 0"),
        ({"init": [1.0, 2.0, 3.0]}, ValueError, "init must be 2 finite values"),
        ({"loss_fn": lambda t, p: tf.math.log(p - 100.0)}, ValueError, "the loss is nan"),
        ({"max_steps": 1, "tol": 0.0}, RuntimeError, "not converged in 1 steps"),
    ])
    def test_bad_input_is_named(self, kwargs, error, message):
        from lossbook.losses import log_cosh
        from lossbook.train import newton_fit

        args = {"x": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                "y_true": np.array([1.0, 2.0, 4.0]), "loss_fn": log_cosh, **kwargs}
        with pytest.raises(error, match=message):
            newton_fit(args.pop("x"), args.pop("y_true"), args.pop("loss_fn"), **args)
