"""lossbook's losses where a Keras user meets them: model.compile / fit / evaluate / save.

Each test runs the real Keras path (a compiled model, ``fit``, ``evaluate``, ``save`` and
``load_model``, ``tf.function``) side by side with Keras' own loss of the same name, and
asserts the same loss, the same gradient, the same warning, or the same error.
"""

from __future__ import annotations

import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import lossbook.losses as lb

N, FEATURES, CLASSES = 12, 4, 3
RNG = np.random.default_rng(10)
X = RNG.normal(size=(N, FEATURES)).astype(np.float32)
IDS = RNG.integers(0, CLASSES, N)
ONE_HOT = np.eye(CLASSES, dtype=np.float32)[IDS]


class SoftmaxLayer(keras.layers.Layer):
    """A custom layer that calls tf.nn.softmax itself: no _keras_logits on its output."""

    def call(self, x):
        return tf.nn.softmax(x)


class HandWrittenSoftmax(keras.layers.Layer):
    """exp / sum written out: no Softmax op, so its outputs are just probabilities."""

    def call(self, x):
        e = tf.exp(x - tf.reduce_max(x, axis=-1, keepdims=True))
        return e / tf.reduce_sum(e, axis=-1, keepdims=True)


def make_model(head: str, scale: float) -> keras.Model:
    """A one-layer classifier whose output is a softmax made in one of four ways.

    ``scale`` sets the kernel's size: large kernels saturate the softmax, so that some
    examples get a probability near 0 for their true class.
    """
    init = keras.initializers.RandomNormal(stddev=scale, seed=1)
    inputs = keras.Input((FEATURES,))
    if head == "Dense(softmax)":
        outputs = keras.layers.Dense(CLASSES, activation="softmax", kernel_initializer=init)(
            inputs)
    else:
        logits = keras.layers.Dense(CLASSES, kernel_initializer=init)(inputs)
        outputs = {
            "Activation(softmax)": keras.layers.Activation("softmax"),
            "tf.nn.softmax layer": SoftmaxLayer(),
            "hand-written softmax": HandWrittenSoftmax(),
        }[head](logits)
    return keras.Model(inputs, outputs)


# (lossbook loss, Keras loss, labels): functions and classes, one-hot and sparse.
LOSS_PAIRS = {
    "categorical function": (lambda fl: lb.categorical_crossentropy,
                             lambda fl: keras.losses.categorical_crossentropy, ONE_HOT),
    "categorical class": (lambda fl: lb.CategoricalCrossentropy(from_logits=fl),
                          lambda fl: keras.losses.CategoricalCrossentropy(from_logits=fl),
                          ONE_HOT),
    "sparse function": (lambda fl: lb.sparse_categorical_crossentropy,
                        lambda fl: keras.losses.sparse_categorical_crossentropy, IDS),
    "sparse class": (lambda fl: lb.SparseCategoricalCrossentropy(from_logits=fl),
                     lambda fl: keras.losses.SparseCategoricalCrossentropy(from_logits=fl),
                     IDS),
}
HEADS = ["Dense(softmax)", "Activation(softmax)", "tf.nn.softmax layer", "hand-written softmax"]
# Saturated softmaxes, where clipping and logits differ, with every head; a moderate one once.
HEAD_SCALES = [pytest.param("Dense(softmax)", 0.5, id="Dense(softmax)-moderate")] + [
    pytest.param(head, 30.0, id=f"{head}-saturated") for head in HEADS]


def _train_once(head, scale, loss):
    """One fit step on one batch: its loss, the weight change, and the warnings raised.

    fit reports the loss it computed before the step; with SGD at rate 1 the change of the
    kernel is minus the gradient.
    """
    model = make_model(head, scale)
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=loss)
    labels = LOSS_PAIRS_LABELS[id(loss)]
    kernel = model.layers[1].kernel.numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, labels, batch_size=N, epochs=1, verbose=0, shuffle=False)
    step = kernel - model.layers[1].kernel.numpy()
    return (history.history["loss"][0], step,
            [str(w.message) for w in caught if "from_logits" in str(w.message)])


LOSS_PAIRS_LABELS: dict = {}


def _losses(pair, from_logits):
    ours_factory, theirs_factory, labels = LOSS_PAIRS[pair]
    ours, theirs = ours_factory(from_logits), theirs_factory(from_logits)
    LOSS_PAIRS_LABELS[id(ours)] = LOSS_PAIRS_LABELS[id(theirs)] = labels
    return ours, theirs


# A bare function given to compile always has from_logits=False; classes get both.
PAIR_FLAGS = [pytest.param(pair, flag, id=f"{pair}-from_logits={flag}")
              for pair in LOSS_PAIRS for flag in (False, True) if "class" in pair or not flag]


class TestSoftmaxOutputsInCompiledModels:
    @pytest.mark.parametrize("head,scale", HEAD_SCALES)
    @pytest.mark.parametrize("pair,from_logits", PAIR_FLAGS)
    def test_fit_loss_gradient_and_warning_equal_keras(self, pair, head, scale, from_logits):
        """The loss and gradient of a fit step, and the from_logits warning, equal Keras'."""
        ours, theirs = _losses(pair, from_logits)
        our_loss, our_step, our_warnings = _train_once(head, scale, ours)
        keras_loss, keras_step, keras_warnings = _train_once(head, scale, theirs)
        np.testing.assert_allclose(our_loss, keras_loss, rtol=1e-6)
        np.testing.assert_allclose(our_step, keras_step, rtol=1e-5, atol=1e-6)
        if not (from_logits and head == "hand-written softmax"):
            # A gradient that really moves the weights (probabilities taken as logits, the
            # mistake Keras cannot rescue here, leave almost none, in Keras too).
            assert np.any(np.abs(keras_step) > 1e-3)
        assert sorted(set(our_warnings)) == sorted(set(keras_warnings))
        # In a graph a Softmax op is recognised whoever made it, so from_logits=True warns;
        # a hand-written softmax is not, and its output is then taken as logits, silently.
        assert bool(our_warnings) == (from_logits and head != "hand-written softmax")

    @pytest.mark.parametrize("pair", list(LOSS_PAIRS))
    def test_saturated_wrong_predictions_are_not_capped(self, pair):
        """Beyond the clip at -ln(1e-7) = 16.1: the loss is large and its gradient is not 0."""
        ours, theirs = _losses(pair, False)
        model = make_model("Dense(softmax)", 30.0)
        labels = LOSS_PAIRS_LABELS[id(ours)]
        probs = model.predict(X, verbose=0)
        true_prob = probs[np.arange(N), IDS]
        assert true_prob.min() < 1e-12  # saturated and wrong: the clip would bite
        model.compile(loss=ours)
        ours_value = model.evaluate(X, labels, batch_size=N, verbose=0)
        model.compile(loss=theirs)
        keras_value = model.evaluate(X, labels, batch_size=N, verbose=0)
        np.testing.assert_allclose(ours_value, keras_value, rtol=1e-6)
        per_example = lb.sparse_categorical_crossentropy(IDS, model(X))  # eager: _keras_logits
        assert per_example.numpy().max() > 20 > -np.log(1e-7)

    @pytest.mark.parametrize("head", HEADS)
    @pytest.mark.parametrize("pair", list(LOSS_PAIRS))
    def test_eager_call_and_gradient_equal_keras(self, pair, head):
        """Called eagerly on model(x), under GradientTape: the same loss and gradient.

        Eagerly only Keras' own softmax marks its output (_keras_logits); a tf.nn.softmax
        layer's output is clipped, by Keras and lossbook alike.
        """
        ours, theirs = _losses(pair, False)
        labels = LOSS_PAIRS_LABELS[id(ours)]
        model = make_model(head, 30.0)
        results = []
        for loss in (ours, theirs):
            with tf.GradientTape() as tape:
                value = tf.reduce_mean(loss(labels, model(X)))
            results.append((value.numpy(), tape.gradient(value, model.layers[1].kernel)))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)

    @pytest.mark.parametrize("pair", list(LOSS_PAIRS))
    @pytest.mark.parametrize("graph", [False, True], ids=["eager", "tf.function"])
    def test_plain_numpy_probabilities_are_clipped(self, pair, graph):
        """Probabilities that are only numbers: clipped, with a capped loss, as in Keras."""
        ours, theirs = _losses(pair, False)
        labels = LOSS_PAIRS_LABELS[id(ours)]
        probs = np.full((N, CLASSES), 0.5, np.float32)
        probs[np.arange(N), IDS] = 0.0  # certain and wrong
        probs /= probs.sum(axis=1, keepdims=True)
        run = tf.function(lambda f, y, p: f(y, p)) if graph else (lambda f, y, p: f(y, p))
        ours_value = run(ours, tf.constant(labels), tf.constant(probs))
        keras_value = run(theirs, tf.constant(labels), tf.constant(probs))
        np.testing.assert_allclose(ours_value, keras_value, rtol=1e-6)
        np.testing.assert_allclose(np.max(ours_value), -np.log(1e-7), rtol=1e-5)

    def test_the_warning_text_is_keras_word_for_word(self):
        """from_logits=True on a Keras softmax output: the same warning as Keras."""
        probs = keras.activations.softmax(tf.constant(X[:, :CLASSES]))
        for ours, theirs in ((lb.categorical_crossentropy, keras.losses.categorical_crossentropy),
                             (lb.sparse_categorical_crossentropy,
                              keras.losses.sparse_categorical_crossentropy)):
            labels = ONE_HOT if ours is lb.categorical_crossentropy else IDS
            texts = []
            for fn in (ours, theirs):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    value = fn(labels, probs, from_logits=True)
                texts.append([str(w.message) for w in caught])
                np.testing.assert_allclose(
                    value, keras.losses.categorical_crossentropy(
                        ONE_HOT, X[:, :CLASSES], from_logits=True), rtol=1e-6)
            assert texts[0] == texts[1] and len(texts[0]) == 1


# --- every check holds eagerly, under tf.function and in model.fit, with one message ---

LOGITS = np.log(np.array([[0.2, 0.3, 0.5]] * 3, np.float32))
GOOD = np.eye(3, dtype=np.float32)
SPARSE = "sparse_categorical_crossentropy"

# id: (loss, bad y_true, good y_true, y_pred, bad sample_weight, the exact message).
# With a bad sample_weight, the good call uses weights of 1.
VALUE_CASES = {
    "ids out of range, function": (
        lambda: lambda y, p: lb.sparse_categorical_crossentropy(y, p, from_logits=True),
        np.array([0, 7, -1]), np.array([0, 2, 1]), LOGITS, None,
        f"{SPARSE}: class ids must lie in [0, 3), got values from -1 to 7"),
    "ids out of range, class": (
        lambda: lb.SparseCategoricalCrossentropy(from_logits=True),
        np.array([0, 3, 1]), np.array([0, 2, 1]), LOGITS, None,
        f"{SPARSE}: class ids must lie in [0, 3), got values from 0 to 3"),
    "ids out of range, ignore_class": (
        lambda: lb.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255),
        np.array([255, 3, 1]), np.array([255, 2, 1]), LOGITS, None,
        f"{SPARSE}: class ids must lie in [0, 3) or equal ignore_class=255, got values "
        "from 0 to 3"),
    "fractional ids": (
        lambda: lb.SparseCategoricalCrossentropy(from_logits=True),
        np.array([0.0, 1.5, 2.0], np.float32), np.array([0.0, 1.0, 2.0], np.float32),
        LOGITS, None, f"{SPARSE}: y_true must hold integer class ids, got 1.5"),
    "negative sample weight, CategoricalCrossentropy": (
        lambda: lb.CategoricalCrossentropy(from_logits=True),
        GOOD, GOOD, LOGITS, np.array([1.0, -0.5, 1.0], np.float32),
        "CategoricalCrossentropy: sample_weight must be >= 0, got a minimum of -0.5"),
    "NaN sample weight, SparseCategoricalCrossentropy": (
        lambda: lb.SparseCategoricalCrossentropy(from_logits=True),
        np.array([0, 1, 2]), np.array([0, 1, 2]), LOGITS,
        np.array([1.0, np.nan, 1.0], np.float32),
        "SparseCategoricalCrossentropy: sample_weight contains NaN or inf"),
    "inf sample weight, MeanSquaredError": (
        lambda: lb.MeanSquaredError(),
        GOOD, GOOD, LOGITS, np.array([1.0, 1.0, np.inf], np.float32),
        "MeanSquaredError: sample_weight contains NaN or inf"),
    "negative sample weight, Huber": (
        lambda: lb.Huber(delta=0.5),
        GOOD, GOOD, LOGITS, np.array([1.0, -1.0, 1.0], np.float32),
        "Huber: sample_weight must be >= 0, got a minimum of -1"),
    "NaN sample weight, MeanAbsoluteError": (
        lambda: lb.MeanAbsoluteError(),
        GOOD, GOOD, LOGITS, np.array([np.nan, 1.0, 1.0], np.float32),
        "MeanAbsoluteError: sample_weight contains NaN or inf"),
    "inf sample weight, LogCosh": (
        lambda: lb.LogCosh(),
        GOOD, GOOD, LOGITS, np.array([1.0, np.inf, 1.0], np.float32),
        "LogCosh: sample_weight contains NaN or inf"),
    "negative sample weight, AsymmetricLoss": (
        lambda: lb.AsymmetricLoss(profit=2, cost=1),
        GOOD, GOOD, LOGITS, np.array([-2.0, 1.0, 1.0], np.float32),
        "AsymmetricLoss: sample_weight must be >= 0, got a minimum of -2"),
}

# id: (call with tensors, exception, message): checks made when the call is traced.
STATIC_CASES = {
    "complex y_true, class without weights": (
        lambda: lb.CategoricalCrossentropy()(tf.complex(GOOD, GOOD), LOGITS),
        TypeError, "CategoricalCrossentropy: y_true must hold real numbers, got dtype "
        "complex64"),
    "complex y_pred, MeanSquaredError": (
        lambda: lb.MeanSquaredError()(GOOD, tf.complex(LOGITS, LOGITS)),
        TypeError, "MeanSquaredError: y_pred must hold real numbers"),
    "complex y_true, SparseCategoricalCrossentropy": (
        lambda: lb.SparseCategoricalCrossentropy()(tf.complex([0.0], [1.0]), LOGITS[:1]),
        TypeError, "SparseCategoricalCrossentropy: y_true must hold real numbers"),
    "shape mismatch, class": (
        lambda: lb.CategoricalCrossentropy()(GOOD[:, :2], LOGITS),
        ValueError, r"y_true has shape (3, 2) and y_pred has shape (3, 3)"),
    "shape mismatch, huber": (
        lambda: lb.huber(tf.zeros((4, 1)), tf.zeros((1, 4))),
        ValueError, "huber: y_true has shape (4, 1) and y_pred has shape (1, 4)"),
    "shape mismatch, LogCosh": (
        lambda: lb.LogCosh()(tf.zeros((32,)), tf.zeros((32, 2))),
        ValueError, "LogCosh: y_true has shape (32,) and y_pred has shape (32, 2)"),
    "complex y_pred, MeanAbsoluteError": (
        lambda: lb.MeanAbsoluteError()(GOOD, tf.complex(LOGITS, LOGITS)),
        TypeError, "MeanAbsoluteError: y_pred must hold real numbers"),
    "bad delta, huber": (
        lambda: lb.huber(GOOD, LOGITS, delta=tf.constant(-1.0)),
        ValueError, "huber: delta must be a finite number > 0, got -1.0"),
    "from_logits='no'": (
        lambda: lb.categorical_crossentropy(GOOD, LOGITS, from_logits="no"),
        TypeError, "categorical_crossentropy: from_logits must be True or False, got 'no'"),
    "ids of the wrong shape": (
        lambda: lb.sparse_categorical_crossentropy(tf.constant([[0, 1, 2]]), LOGITS),
        ValueError, "needs one class id per example, shape (3,)"),
}


def _run_value_case(mode, make_loss, y_true, y_pred, weight):
    loss = make_loss()
    if mode == "eager":
        return loss(y_true, y_pred) if weight is None else loss(y_true, y_pred, weight)
    if mode == "tf.function":
        args = [tf.constant(y_true), tf.constant(y_pred)]
        if weight is not None:
            args.append(tf.constant(weight))
        return tf.function(lambda *a: loss(*a))(*args)
    # model.fit: a model whose output is y_pred exactly (a constant bias), one batch.
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(
        y_pred.shape[1], kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(y_pred[0]))])
    assert np.all(y_pred == y_pred[0])
    model.compile(optimizer="sgd", loss=loss)
    return model.fit(np.ones((len(y_true), 1), np.float32), y_true, sample_weight=weight,
                     batch_size=len(y_true), epochs=1, verbose=0)


class TestChecksInEveryMode:
    @pytest.mark.parametrize("mode", ["eager", "tf.function", "model.fit"])
    @pytest.mark.parametrize("case", list(VALUE_CASES))
    def test_bad_values_raise_the_same_message(self, case, mode):
        """Eagerly InvalidValuesError, in a graph InvalidArgumentError: one exact message."""
        make_loss, y_true, _, y_pred, weight, message = VALUE_CASES[case]
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)) as err:
            _run_value_case(mode, make_loss, y_true, y_pred, weight)
        if mode == "eager":
            assert isinstance(err.value, ValueError) and str(err.value) == message

    @pytest.mark.parametrize("case", list(VALUE_CASES))
    def test_good_values_pass_in_every_mode(self, case):
        """The same calls with the bad entry fixed run, and agree across modes."""
        make_loss, _, y_true, y_pred, weight, _ = VALUE_CASES[case]
        if weight is not None:
            weight = np.ones_like(weight)
        eager = _run_value_case("eager", make_loss, y_true, y_pred, weight)
        graph = _run_value_case("tf.function", make_loss, y_true, y_pred, weight)
        np.testing.assert_allclose(eager, graph, rtol=1e-6)
        history = _run_value_case("model.fit", make_loss, y_true, y_pred, weight)
        np.testing.assert_allclose(history.history["loss"][0], np.mean(eager), rtol=1e-5)

    @pytest.mark.parametrize("mode", ["eager", "tf.function"])
    @pytest.mark.parametrize("case", list(STATIC_CASES))
    def test_bad_types_and_shapes_raise_the_same_message(self, case, mode):
        """Checks on dtypes, shapes and settings raise at once, also while tracing."""
        call, error, message = STATIC_CASES[case]
        run = call if mode == "eager" else tf.function(call)
        with pytest.raises(error, match=re.escape(message)):
            run()

    def test_keras_raises_too_for_ids_out_of_range(self):
        """Keras' own sparse loss raises in a graph as well: lossbook is not stricter."""
        keras_loss = tf.function(lambda y, p: keras.losses.sparse_categorical_crossentropy(
            y, p, from_logits=True))
        with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
            keras_loss(tf.constant([0, 7, -1]), tf.constant(LOGITS))

    def test_under_xla_out_of_range_ids_give_nan_as_in_keras(self):
        """jit_compile drops asserts; the bad example's loss is NaN, like Keras' under XLA."""
        ids, logits = tf.constant([0, 7, 1]), tf.constant(LOGITS)
        ours = tf.function(lambda y, p: lb.sparse_categorical_crossentropy(
            y, p, from_logits=True), jit_compile=True)(ids, logits).numpy()
        theirs = tf.function(lambda y, p: keras.losses.sparse_categorical_crossentropy(
            y, p, from_logits=True), jit_compile=True)(ids, logits).numpy()
        np.testing.assert_array_equal(np.isnan(ours), [False, True, False])
        np.testing.assert_array_equal(np.isnan(theirs), np.isnan(ours))
        np.testing.assert_allclose(ours[[0, 2]], theirs[[0, 2]], rtol=1e-6)

    @pytest.mark.parametrize("make_loss", [
        lambda: lb.CategoricalCrossentropy(from_logits=True),
        lambda: lb.SparseCategoricalCrossentropy(from_logits=True),
        lambda: lb.MeanSquaredError(),
        lambda: lb.Huber(delta=0.3),
        lambda: lb.LogCosh(),
    ], ids=["categorical", "sparse", "mse", "huber", "log_cosh"])
    def test_checked_losses_compile_with_xla(self, make_loss):
        """model.compile(jit_compile=True) with sample weights: the checks do not break XLA."""
        labels = IDS if "Sparse" in type(make_loss()).__name__ else ONE_HOT
        results = []
        for jit in (False, True):
            keras.utils.set_random_seed(0)
            model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(CLASSES)])
            model.compile(optimizer="sgd", loss=make_loss(), jit_compile=jit)
            history = model.fit(X, labels, sample_weight=np.linspace(0.5, 1, N), epochs=2,
                                batch_size=N, verbose=0)
            results.append(history.history["loss"])
        np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


# --- saving: a model compiled with a lossbook loss loads back with lossbook's loss ---

FUNCTIONS = {
    "categorical_crossentropy": (lb.categorical_crossentropy,
                                 keras.losses.categorical_crossentropy, ONE_HOT),
    "sparse_categorical_crossentropy": (lb.sparse_categorical_crossentropy,
                                        keras.losses.sparse_categorical_crossentropy, IDS),
    "mean_squared_error": (lb.mean_squared_error, keras.losses.mean_squared_error, ONE_HOT),
    "mean_absolute_error": (lb.mean_absolute_error, keras.losses.mean_absolute_error,
                            ONE_HOT),
    "huber": (lb.huber, keras.losses.huber, ONE_HOT),
    "log_cosh": (lb.log_cosh, keras.losses.log_cosh, ONE_HOT),
}


def _softmax_model(activation="softmax"):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((FEATURES,)),
                             keras.layers.Dense(CLASSES, activation=activation)])


class TestSaving:
    @pytest.mark.parametrize("name", list(FUNCTIONS))
    def test_a_loss_function_reloads_as_lossbooks(self, tmp_path, name):
        """loss=lossbook.losses.<fn>: the loaded model's loss is that function, same value."""
        ours, keras_namesake, labels = FUNCTIONS[name]
        model = _softmax_model()
        model.compile(optimizer="sgd", loss=ours)
        model.fit(X, labels, epochs=1, verbose=0)
        before = model.evaluate(X, labels, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert loaded.loss is ours and loaded.loss is not keras_namesake
        assert loaded.evaluate(X, labels, verbose=0) == pytest.approx(before, rel=1e-6)

    def test_a_function_cannot_silently_become_keras(self, tmp_path):
        """Without lossbook's registration, loading fails loudly instead of using Keras'."""
        model = _softmax_model()
        model.compile(optimizer="sgd", loss=lb.categorical_crossentropy)
        model.save(tmp_path / "m.keras")
        registry = keras.saving.get_custom_objects()
        saved = registry.pop("lossbook>categorical_crossentropy")
        try:
            with pytest.raises(Exception, match="lossbook>categorical_crossentropy"):
                keras.models.load_model(tmp_path / "m.keras")
        finally:
            registry["lossbook>categorical_crossentropy"] = saved

    @pytest.mark.parametrize("loss,labels", [
        (lb.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction="sum",
                                    name="smooth_cce"), ONE_HOT),
        (lb.SparseCategoricalCrossentropy(from_logits=True, ignore_class=2,
                                          reduction="mean_with_sample_weight",
                                          name="sparse_ignore"), IDS),
        (lb.MeanSquaredError(reduction="sum", name="summed"), ONE_HOT),
        (lb.AsymmetricLoss(profit=3, cost=0.5, reduction="sum", name="shop"), ONE_HOT),
        (lb.Huber(delta=0.05, reduction="mean_with_sample_weight", name="h"), ONE_HOT),
    ], ids=["CategoricalCrossentropy", "SparseCategoricalCrossentropy", "MeanSquaredError",
            "AsymmetricLoss", "Huber"])
    def test_each_class_reloads_with_its_config(self, tmp_path, loss, labels):
        """Non-default settings survive .keras saving; the loss value is unchanged."""
        model = _softmax_model(None if getattr(loss, "from_logits", False) else "softmax")
        model.compile(optimizer="sgd", loss=loss)
        before = model.evaluate(X, labels, verbose=0)
        model.save(tmp_path / "m.keras")
        loaded = keras.models.load_model(tmp_path / "m.keras")
        assert type(loaded.loss) is type(loss)
        assert loaded.loss.get_config() == loss.get_config()
        assert loaded.evaluate(X, labels, verbose=0) == pytest.approx(before, rel=1e-6)


# --- what Keras accepts, lossbook accepts ---

class TestSparseCategoricalCrossentropyClass:
    @pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean",
                                           "mean_with_sample_weight", "none", None])
    @pytest.mark.parametrize("from_logits", [False, True])
    @pytest.mark.parametrize("ignore_class", [None, 1, -1])
    def test_matches_keras(self, reduction, from_logits, ignore_class):
        """Every reduction, with and without sample weights and ignore_class."""
        rng = np.random.default_rng(6)
        pred = rng.uniform(0.05, 1, size=(8, 4)).astype(np.float32)
        ids = rng.integers(0, 4, 8)
        if ignore_class == -1:
            ids[[1, 5]] = -1
        weight = rng.uniform(0, 2, size=8).astype(np.float32)
        kwargs = {"from_logits": from_logits, "ignore_class": ignore_class,
                  "reduction": reduction}
        ours = lb.SparseCategoricalCrossentropy(**kwargs)
        theirs = keras.losses.SparseCategoricalCrossentropy(**kwargs)
        np.testing.assert_allclose(ours(ids, pred), theirs(ids, pred), rtol=1e-5)
        np.testing.assert_allclose(ours(ids, pred, weight), theirs(ids, pred, weight),
                                   rtol=1e-5)

    def test_keras_documented_example(self):
        """Keras' docstring: 1.177, with weights [0.3, 0.7]: 0.814, sum: 2.354."""
        y_true, y_pred = np.array([1, 2]), np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        np.testing.assert_allclose(lb.SparseCategoricalCrossentropy()(y_true, y_pred), 1.177,
                                   atol=1e-3)
        np.testing.assert_allclose(lb.SparseCategoricalCrossentropy()(
            y_true, y_pred, sample_weight=np.array([0.3, 0.7])), 0.814, atol=1e-3)
        np.testing.assert_allclose(lb.SparseCategoricalCrossentropy(reduction="sum")(
            y_true, y_pred), 2.354, atol=1e-3)

    def test_config_round_trip(self):
        """get_config/from_config and keras serialisation rebuild the same loss."""
        loss = lb.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255, axis=1,
                                                reduction="sum", name="s", dtype="float64")
        assert lb.SparseCategoricalCrossentropy.from_config(
            loss.get_config()).get_config() == loss.get_config()
        restored = keras.losses.deserialize(keras.losses.serialize(loss))
        assert isinstance(restored, lb.SparseCategoricalCrossentropy)
        assert restored.get_config() == loss.get_config()

    @pytest.mark.parametrize("bad,error", [("yes", TypeError), (1, TypeError),
                                           (None, TypeError)])
    def test_from_logits_must_be_a_bool(self, bad, error):
        """from_logits='yes' would read as True in Keras; here it raises, naming it."""
        with pytest.raises(error, match="from_logits must be True or False"):
            lb.SparseCategoricalCrossentropy(from_logits=bad)

    def test_ignore_class_must_be_an_integer(self):
        with pytest.raises(ValueError, match="ignore_class must be None or an integer"):
            lb.SparseCategoricalCrossentropy(ignore_class=0.5)


class TestWhatKerasAccepts:
    @pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                       "float32", "float64"])
    def test_ids_of_every_integer_dtype(self, dtype):
        """Sparse ids of any integer dtype (and whole floats) equal Keras' result."""
        ids = np.array([0, 2, 1]).astype(dtype)
        expected = keras.losses.sparse_categorical_crossentropy(ids, LOGITS, from_logits=True)
        np.testing.assert_allclose(
            lb.sparse_categorical_crossentropy(ids, LOGITS, from_logits=True), expected,
            rtol=1e-6)
        np.testing.assert_allclose(
            lb.SparseCategoricalCrossentropy(from_logits=True, reduction=None)(ids, LOGITS),
            expected, rtol=1e-6)

    @pytest.mark.parametrize("name", ["categorical", "sparse"])
    @pytest.mark.parametrize("kind", ["function", "class"])
    def test_an_unknown_class_count(self, name, kind):
        """tf.function with TensorSpec([None, None]): works, and equals Keras."""
        sparse = name == "sparse"
        if kind == "function":
            ours = (lb.sparse_categorical_crossentropy if sparse
                    else lb.categorical_crossentropy)
            theirs = (keras.losses.sparse_categorical_crossentropy if sparse
                      else keras.losses.categorical_crossentropy)
        else:
            ours = (lb.SparseCategoricalCrossentropy() if sparse
                    else lb.CategoricalCrossentropy())
            theirs = (keras.losses.SparseCategoricalCrossentropy() if sparse
                      else keras.losses.CategoricalCrossentropy())
        label_spec = tf.TensorSpec([None], tf.int32) if sparse else tf.TensorSpec([None, None])
        spec = [label_spec, tf.TensorSpec([None, None])]
        labels = IDS if sparse else ONE_HOT
        probs = tf.nn.softmax(X[:, :CLASSES]).numpy()
        got = tf.function(lambda y, p: ours(y, p), input_signature=spec)(labels, probs)
        want = tf.function(lambda y, p: theirs(y, p), input_signature=spec)(labels, probs)
        np.testing.assert_allclose(got, want, rtol=1e-6)

    def test_an_unknown_class_count_in_a_model(self):
        """A model whose output has None classes trains with the sparse loss, as Keras'."""
        inputs = keras.Input((None,))
        model = keras.Model(inputs, keras.layers.Softmax()(inputs))
        values = []
        for loss in (lb.SparseCategoricalCrossentropy(),
                     keras.losses.SparseCategoricalCrossentropy()):
            model.compile(loss=loss)
            values.append(model.evaluate(X[:, :CLASSES], IDS, verbose=0))
        np.testing.assert_allclose(values[0], values[1], rtol=1e-6)

    def test_from_logits_accepts_numpy_and_tensor_bools(self):
        for flag in (np.bool_(True), tf.constant(True)):
            np.testing.assert_allclose(
                lb.categorical_crossentropy(GOOD, LOGITS, from_logits=flag),
                lb.categorical_crossentropy(GOOD, LOGITS, from_logits=True))
            assert lb.CategoricalCrossentropy(from_logits=flag).from_logits is True

    @pytest.mark.parametrize("fn", [lb.categorical_crossentropy,
                                    lb.sparse_categorical_crossentropy,
                                    lb.CategoricalCrossentropy,
                                    lb.SparseCategoricalCrossentropy])
    def test_from_logits_rejects_other_values_naming_it(self, fn):
        """A string, a number or None raises TypeError naming from_logits and the value."""
        for bad in ("no", 0, None):
            with pytest.raises(TypeError, match=rf"from_logits must be True or False, got "
                                                rf"{re.escape(repr(bad))}"):
                if isinstance(fn, type):
                    fn(from_logits=bad)
                else:
                    fn(GOOD if "sparse" not in fn.__name__ else [0, 1, 2], LOGITS,
                       from_logits=bad)

    @pytest.mark.parametrize("graph", [False, True], ids=["eager", "tf.function"])
    def test_scalar_tensor_settings_are_read_as_numbers(self, graph):
        """profit, label_smoothing and axis as scalar tensors: the same loss as numbers."""

        def with_tensors():
            return (
                lb.AsymmetricLoss(profit=tf.constant(2.0), cost=np.float32(1))(GOOD, LOGITS),
                lb.asymmetric_loss(GOOD, LOGITS, profit=tf.constant(2.0), cost=1),
                lb.CategoricalCrossentropy(label_smoothing=tf.constant(0.1),
                                           axis=tf.constant(-1))(GOOD, LOGITS),
                lb.categorical_crossentropy(GOOD, LOGITS, label_smoothing=tf.constant(0.1),
                                            axis=tf.constant(0)),
                lb.sparse_categorical_crossentropy([0, 1, 2], LOGITS, axis=np.int64(-1)),
            )

        with_numbers = (
            lb.AsymmetricLoss(profit=2.0, cost=1)(GOOD, LOGITS),
            lb.asymmetric_loss(GOOD, LOGITS, profit=2.0, cost=1),
            lb.CategoricalCrossentropy(label_smoothing=0.1, axis=-1)(GOOD, LOGITS),
            lb.categorical_crossentropy(GOOD, LOGITS, label_smoothing=0.1, axis=0),
            lb.sparse_categorical_crossentropy([0, 1, 2], LOGITS, axis=-1),
        )
        got = tf.function(with_tensors)() if graph else with_tensors()
        for a, b in zip(got, with_numbers, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        # Keras reads an eager tensor label_smoothing the same way.
        np.testing.assert_allclose(
            with_numbers[2],
            keras.losses.CategoricalCrossentropy(label_smoothing=tf.constant(0.1))(GOOD, LOGITS),
            rtol=1e-6)

    def test_a_setting_known_only_at_run_time_is_refused_clearly(self):
        """A tensor whose value the trace cannot see: TypeError that says exactly that."""

        @tf.function(input_signature=[tf.TensorSpec([])])
        def loss_with(profit):
            return lb.asymmetric_loss(GOOD, LOGITS, profit=profit, cost=1)

        with pytest.raises(TypeError, match="profit must have a value known when the loss is "
                                            "built or traced"):
            loss_with(2.0)

    @pytest.mark.parametrize("bad,message", [
        (tf.constant([0.1, 0.2]), "label_smoothing must be a single number"),
        (tf.constant(1.5), "label_smoothing must be a number in [0, 1], got 1.5"),
    ])
    def test_bad_tensor_settings_name_what_is_wrong(self, bad, message):
        with pytest.raises((TypeError, ValueError), match=re.escape(message)):
            lb.CategoricalCrossentropy(label_smoothing=bad)

    def test_label_smoothing_in_the_function_equals_keras(self):
        np.testing.assert_allclose(
            lb.categorical_crossentropy(ONE_HOT, tf.nn.softmax(X[:, :3]).numpy(),
                                        label_smoothing=0.3),
            keras.losses.categorical_crossentropy(ONE_HOT, tf.nn.softmax(X[:, :3]).numpy(),
                                                  label_smoothing=0.3), rtol=1e-6)

    def test_names_are_exported(self):
        import lossbook

        for name in ("SparseCategoricalCrossentropy", "InvalidValuesError"):
            assert name in lb.__all__ and hasattr(lossbook.losses, name)
        assert issubclass(lb.InvalidValuesError, ValueError)
        assert issubclass(lb.InvalidValuesError, tf.errors.InvalidArgumentError)
