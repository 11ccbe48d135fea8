"""Loss functions that behave like Keras' own, with clearer errors.

Each function takes ``(y_true, y_pred)`` in Keras' order and returns one loss value per
sample (the mean over the last axis), exactly like its namesake in ``keras.losses``.
Each class is a ``keras.losses.Loss`` subclass: it reduces those values (``reduction``),
weights them (``sample_weight``), serialises (``get_config``) and plugs into
``model.compile(loss=...)``. Functions and classes are registered with Keras (package
``"lossbook"``), so a model compiled with either and saved to ``.keras`` loads back with
lossbook's loss, not Keras' namesake (``import lossbook.losses`` before
``keras.models.load_model``).

What they add to Keras: inputs are checked before TensorFlow sees them, on every call.

* When the loss is called eagerly or traced (``tf.function``, ``model.fit``): a shape pair
  that Keras would silently broadcast, such as ``(32, 1)`` against ``(1, 32)``, raises
  ``ValueError`` naming both shapes; strings and complex numbers raise ``TypeError``; so do
  settings of the wrong kind (``from_logits="no"``). Settings such as ``axis``,
  ``label_smoothing`` or ``profit`` may be scalar tensors whose value is known.
* When the numbers are seen: class ids outside ``[0, num_classes)`` or not whole, labels
  of the binary and focal losses outside ``[0, 1]``, negative or non-finite sample
  weights, and shapes whose sizes were unknown while tracing (``None`` in a
  ``TensorSpec``) but do not match, raise ``InvalidValuesError`` eagerly and
  ``tf.errors.InvalidArgumentError`` with the same message in ``tf.function`` and
  ``model.fit`` (``InvalidValuesError`` is both a ``ValueError`` and an
  ``InvalidArgumentError``). Under XLA (``jit_compile=True``) TensorFlow drops these
  checks: out-of-range class ids then give NaN, as Keras' do there, and other bad values
  pass; of the shapes, labels are reshaped to the predictions' shape, which fails (with
  TensorFlow's message) when their sizes differ.

NaN and inf inside ``y_true`` or ``y_pred`` are not errors: they propagate as in Keras
(``log_cosh`` of an infinite error is inf, where Keras' formula gives NaN for one sign).
As in Keras, categorical and sparse categorical cross-entropy recognise probabilities that
come straight out of a softmax (a Keras softmax activation, or in a graph any ``Softmax``
op) and compute from the logits behind them instead, ignoring ``from_logits`` (with
Keras' warning when it was ``True``).
"""

from __future__ import annotations

# isort: off
import lossbook._requires  # noqa: F401  (TensorFlow and Keras checked before use)
# isort: on
import math
import numbers
import warnings

import keras
import numpy as np
import tensorflow as tf

from lossbook._checks import (
    InvalidValuesError,
    align_last_axis,
    as_bool,
    as_real_tensor,
    check_sample_weight,
    check_values,
    in_xla_context,
    known_scalar,
    positive_finite,
    prepare_pair,
    same_shape_at_run_time,
    shape_str,
)

__all__ = [
    "AsymmetricLoss",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "Huber",
    "InvalidValuesError",
    "LogCosh",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "asymmetric_loss",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "huber",
    "log_cosh",
    "mean_absolute_error",
    "mean_squared_error",
    "softmax_cross_entropy_with_logits",
    "sparse_categorical_crossentropy",
]

_register = keras.saving.register_keras_serializable(package="lossbook")


def _mean_last(values):
    """The mean over the last axis as Keras takes it: float16 and bfloat16 are averaged
    in float32 and cast back (their sum overflows or loses digits otherwise)."""
    if values.dtype in (tf.float16, tf.bfloat16):
        return tf.cast(tf.reduce_mean(tf.cast(values, tf.float32), axis=-1), values.dtype)
    return tf.reduce_mean(values, axis=-1)


@_register
def mean_squared_error(y_true, y_pred):
    """Mean squared error per sample: ``mean(square(y_true - y_pred), axis=-1)``.

    Introduced in the lesson "Mean squared error" (``mse.md``).

    Args:
        y_true: the known answers, shape ``(batch, ..., d)``.
        y_pred: the predictions, the same shape; a rank that differs only by a
            trailing axis of size 1, as in ``(n,)`` against ``(n, 1)``, is aligned first.

    Returns:
        A tensor of shape ``(batch, ...)``: one value per sample.

    Raises:
        ValueError: if the shapes differ in any other way.
        TypeError: if either input is not made of real numbers.
    """
    y_true, y_pred = prepare_pair(y_true, y_pred, where="mean_squared_error")
    return _mean_last(tf.square(y_true - y_pred))


class _CheckedLoss(keras.losses.Loss):
    """A Keras loss that checks its inputs on every call, before Keras converts them.

    ``y_true`` and ``y_pred`` must hold real numbers (``TypeError`` otherwise) and have
    shapes the loss accepts (``ValueError``); ``sample_weight``, when given, must fit the
    per-sample losses and be finite and >= 0 (see ``check_sample_weight``). Tensors are
    passed on unchanged, so Keras still sees what the model produced (its mask, or the
    logits behind a softmax).
    """

    _where = "loss"

    def _per_sample_shape(self, y_true, y_pred):
        """Checks the shapes of ``(y_true, y_pred)``; returns the per-sample loss shape."""
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true = as_real_tensor(y_true, name="y_true", where=self._where)
        y_pred = as_real_tensor(y_pred, name="y_pred", where=self._where)
        per_sample = self._per_sample_shape(y_true, y_pred)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, per_sample, where=self._where)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)


class _PairLoss(_CheckedLoss):
    """A loss of ``(y_true, y_pred)`` pairs of one shape (a trailing axis of 1 aligned)."""

    def _per_sample_shape(self, y_true, y_pred):
        return align_last_axis(y_true, y_pred, where=self._where)[1].shape[:-1]

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}


@_register
class MeanSquaredError(_PairLoss):
    """Mean squared error as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Mean squared error" (``mse.md``).

    Args:
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None``, as in Keras.
        name: the loss's name in logs.
        dtype: the dtype of the computation; ``None`` means ``keras.backend.floatx()``.

    Every call checks, before Keras converts them, that ``y_true`` and ``y_pred`` hold
    real numbers (``TypeError``) of shapes that align (``ValueError``), and any
    ``sample_weight`` (see ``lossbook.losses``).
    """

    _where = "MeanSquaredError"

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


@_register
def mean_absolute_error(y_true, y_pred):
    """Mean absolute error per sample: ``mean(abs(y_true - y_pred), axis=-1)``.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    Keras' function, the same numbers. Its minimiser is a median, so a few wild values
    barely move it; its gradient is only the sign of the error.

    Args:
        y_true: the known answers, shape ``(batch, ..., d)``.
        y_pred: the predictions, the same shape (a trailing axis of 1 is aligned, as
            in ``mean_squared_error``).

    Returns:
        A tensor of shape ``(batch, ...)``.

    Raises:
        ValueError: if the shapes differ in any other way.
        TypeError: if either input is not made of real numbers.
    """
    y_true, y_pred = prepare_pair(y_true, y_pred, where="mean_absolute_error")
    return _mean_last(tf.abs(y_true - y_pred))


@_register
class MeanAbsoluteError(_PairLoss):
    """Mean absolute error as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).

    Args:
        reduction, name, dtype: as in Keras (see ``MeanSquaredError``).

    Every call checks its inputs as ``MeanSquaredError`` does.
    """

    _where = "MeanAbsoluteError"

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


@_register
def huber(y_true, y_pred, delta=1.0):
    """Huber loss per sample: quadratic for errors up to ``delta``, linear beyond.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    Keras' function, the same arguments and numbers: with ``e = y_pred - y_true``, each
    element contributes ``0.5 * e**2`` where ``|e| <= delta`` and
    ``delta * |e| - 0.5 * delta**2`` beyond, then the mean over the last axis. The
    gradient with respect to ``y_pred`` is ``e`` clipped to ``[-delta, delta]``: an
    error counts like in MSE up to ``delta`` and no more beyond it. Computed as
    ``0.5 * q**2 + delta * (|e| - q)`` with ``q = min(|e|, delta)``, which has no
    branch to select.

    Args:
        y_true: the known answers, shape ``(batch, ..., d)``.
        y_pred: the predictions, the same shape (a trailing axis of 1 is aligned).
        delta: where the loss turns from quadratic to linear, in the units of ``y``;
            a finite number > 0 (or a scalar tensor whose value is known).

    Returns:
        A tensor of shape ``(batch, ...)``.

    Raises:
        ValueError: on a bad ``delta`` or mismatched shapes.
        TypeError: if an input is not made of real numbers.
    """
    where = "huber"
    delta = positive_finite(delta, "delta", where)
    y_true, y_pred = prepare_pair(y_true, y_pred, where=where)
    abs_error = tf.abs(y_pred - y_true)
    with np.errstate(over="ignore", under="ignore"):
        as_dtype = np.asarray(delta, dtype=abs_error.dtype.as_numpy_dtype)
    if not (np.isfinite(as_dtype) and as_dtype > 0):
        raise ValueError(
            f"{where}: delta={delta!r} is {as_dtype} in {abs_error.dtype.name}, the "
            "dtype of the computation; it must be a finite number > 0 there"
        )
    delta = tf.constant(delta, abs_error.dtype)
    quadratic = tf.minimum(abs_error, delta)
    per_element = 0.5 * tf.square(quadratic) + delta * (abs_error - quadratic)
    return _mean_last(per_element)


@_register
class Huber(_PairLoss):
    """The Huber loss as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    See ``huber`` for the formula.

    Args:
        delta: where the loss turns from quadratic to linear; finite and > 0.
        reduction, name, dtype: as in Keras.

    Unlike Keras 3's ``Huber`` (whose ``get_config`` leaves ``delta`` out, so a saved
    model reloads with ``delta=1.0``), ``delta`` is part of the config and survives
    ``model.save``. Every call checks its inputs as ``MeanSquaredError`` does.
    """

    _where = "Huber"

    def __init__(
        self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None
    ):
        self.delta = positive_finite(delta, "delta", self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, delta=self.delta)

    def get_config(self):
        return {"delta": self.delta, **super().get_config()}


# Below this |x|, log(cosh(x)) is computed as log1p(cosh(x) - 1) with cosh(x) - 1 from
# expm1, exact for small x; above it as |x| + log1p(exp(-2|x|)) - log(2), where the
# subtraction of log(2) loses nothing (the result is over 9).
_LOG_COSH_SWITCH = 10.0


def _log_cosh(x):
    """``log(cosh(x))`` to full relative precision, finite for any finite ``x``.

    The naive ``log(cosh(x))`` overflows for ``|x| > 89`` in float32 (cosh is inf);
    Keras' ``x + softplus(-2x) - log(2)`` stays finite but subtracts nearly equal numbers
    for small ``x``, where it loses the digits of ``x**2 / 2``. The gradient is
    ``tanh(x)``, also finite everywhere.
    """
    a = tf.abs(x)
    small = tf.minimum(a, _LOG_COSH_SWITCH)  # both branches finite (gradients too)
    m = tf.math.expm1(small)  # exp(a) - 1
    near = tf.math.log1p(tf.square(m) / (2.0 * (1.0 + m)))  # cosh(a) - 1 = m^2 / (2 e^a)
    far = a + tf.math.log1p(tf.exp(-2.0 * a)) - tf.constant(math.log(2.0), a.dtype)
    return tf.where(a < _LOG_COSH_SWITCH, near, far)


@_register
def log_cosh(y_true, y_pred):
    """Log-cosh loss per sample: ``mean(log(cosh(y_pred - y_true)), axis=-1)``.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    Keras' function, the same numbers (to float rounding). ``log(cosh(e))`` is close to
    ``e**2 / 2`` for small errors and to ``|e| - log(2)`` for large ones, and its
    gradient is ``tanh(e)``: a smooth Huber loss with ``delta`` fixed near 1 in the
    units of ``y``. Computed without overflow for any finite error (the naive formula
    gives inf beyond ``|e| = 89`` in float32) and to full relative precision for small
    errors, where Keras' formula keeps only absolute precision. float16 and bfloat16
    are computed in float32 and the result cast back.

    Args:
        y_true: the known answers, shape ``(batch, ..., d)``.
        y_pred: the predictions, the same shape (a trailing axis of 1 is aligned).

    Returns:
        A tensor of shape ``(batch, ...)``.

    Raises:
        ValueError: if the shapes differ in any other way.
        TypeError: if either input is not made of real numbers.
    """
    y_true, y_pred = prepare_pair(y_true, y_pred, where="log_cosh")
    out_dtype = y_pred.dtype
    compute = tf.float32 if out_dtype in (tf.float16, tf.bfloat16) else out_dtype
    error = tf.cast(y_pred, compute) - tf.cast(y_true, compute)
    return tf.cast(tf.reduce_mean(_log_cosh(error), axis=-1), out_dtype)


@_register
class LogCosh(_PairLoss):
    """The log-cosh loss as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    See ``log_cosh`` for the formula.

    Args:
        reduction, name, dtype: as in Keras.

    Every call checks its inputs as ``MeanSquaredError`` does.
    """

    _where = "LogCosh"

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return log_cosh(y_true, y_pred)


@_register
def asymmetric_loss(y_true, y_pred, *, profit, cost):
    """Profit/cost loss per sample: under-predicting costs ``profit``, over-predicting ``cost``.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``). For each
    element, ``profit * (y_true - y_pred)`` where ``y_pred < y_true`` (a sale lost) and
    ``cost * (y_pred - y_true)`` where ``y_pred >= y_true`` (a unit wasted); then the mean
    over the last axis, like Keras' losses. It equals ``profit + cost`` times the pinball
    (quantile) loss at ``tau = profit / (profit + cost)``, so its minimiser is that
    quantile of ``y_true``.

    Args:
        y_true: the known answers, shape ``(batch, ..., d)``.
        y_pred: the predictions, the same shape (a trailing axis of 1 is aligned).
        profit: the price of each unit predicted too few, finite and > 0 (a number, or a
            scalar tensor whose value is known).
        cost: the price of each unit predicted too many, finite and > 0.

    Returns:
        A tensor of shape ``(batch, ...)``.

    Raises:
        ValueError: on a bad ``profit``/``cost`` or mismatched shapes.
        TypeError: if an input is not made of real numbers.
    """
    where = "asymmetric_loss"
    profit = positive_finite(profit, "profit", where)
    cost = positive_finite(cost, "cost", where)
    y_true, y_pred = prepare_pair(y_true, y_pred, where=where)
    per_element = tf.where(
        tf.greater(y_pred, y_true), cost * (y_pred - y_true), profit * (y_true - y_pred)
    )
    return _mean_last(per_element)


@_register
class AsymmetricLoss(_PairLoss):
    """The profit/cost loss as a ``keras.losses.Loss``, for ``model.compile(loss=...)``.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``).
    See ``asymmetric_loss`` for the formula.

    Args:
        profit: the price of each unit predicted too few, finite and > 0.
        cost: the price of each unit predicted too many, finite and > 0.
        reduction: as in Keras; ``"sum_over_batch_size"`` by default.
        name: the loss's name in logs.
        dtype: the dtype of the computation; ``None`` means ``keras.backend.floatx()``.

    Every call checks its inputs as ``MeanSquaredError`` does.
    """

    _where = "AsymmetricLoss"

    def __init__(
        self, profit, cost, reduction="sum_over_batch_size", name="asymmetric_loss", dtype=None
    ):
        self.profit = positive_finite(profit, "profit", self._where)
        self.cost = positive_finite(cost, "cost", self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return asymmetric_loss(y_true, y_pred, profit=self.profit, cost=self.cost)

    def get_config(self):
        return {"profit": self.profit, "cost": self.cost, **super().get_config()}


# Keras clips probabilities to [epsilon, 1 - epsilon] before taking their log; epsilon is
# keras.config.epsilon(), 1e-7 unless changed (lossbook reads it on every call, as Keras).
EPSILON = 1e-7


def _axis_setting(axis, where: str) -> int:
    """``axis`` as a Python int: an integer, or a scalar tensor whose value is known."""
    axis = known_scalar(axis, name="axis", where=where)
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"{where}: axis must be an integer, got {axis!r}")
    return int(axis)


def _label_smoothing_setting(label_smoothing, where: str) -> float:
    """``label_smoothing`` as a float in [0, 1]; scalar tensors with a known value accepted."""
    value = known_scalar(label_smoothing, name="label_smoothing", where=where)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(
            f"{where}: label_smoothing must be a number in [0, 1], got {value!r}"
        )
    return float(value)


def _ignore_class_setting(ignore_class, where: str):
    """``ignore_class`` as ``None`` or a Python int (scalar tensors with a known value too)."""
    if ignore_class is None:
        return None
    value = known_scalar(ignore_class, name="ignore_class", where=where)
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(
        value
    ).is_integer():
        return int(value)
    raise ValueError(f"{where}: ignore_class must be None or an integer, got {value!r}")


def _class_axis(tensor, axis, where: str) -> int:
    axis = _axis_setting(axis, where)
    rank = tensor.shape.rank
    if rank is None or rank == 0:
        raise ValueError(
            f"{where}: the predictions need a class axis, got shape {shape_str(tensor.shape)}"
        )
    if not -rank <= axis < rank:
        raise ValueError(
            f"{where}: axis={axis} is out of range for shape {shape_str(tensor.shape)} "
            f"(rank {rank})"
        )
    axis = int(axis) % rank
    if tensor.shape[axis] == 0:
        raise ValueError(
            f"{where}: the class axis {axis} of shape {shape_str(tensor.shape)} is empty"
        )
    return axis


def _float_predictions(value, name: str, where: str) -> tf.Tensor:
    tensor = as_real_tensor(value, name=name, where=where)
    if not tensor.dtype.is_floating:
        raise ValueError(
            f"{where}: {name} has dtype {tensor.dtype.name}; logits and probabilities must "
            "be floats (cast them, e.g. tf.cast(x, tf.float32))"
        )
    return tensor


def _distribution_axis(y_true, y_pred, axis, where: str, names=("y_true", "y_pred")) -> int:
    """Checks that labels and predictions have one shape; returns the class axis."""
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(
            f"{where}: {names[0]} has shape {shape_str(y_true.shape)} and {names[1]} has "
            f"shape {shape_str(y_pred.shape)}; they must be equal (one-hot or "
            "probability labels). For integer class ids use sparse_categorical_crossentropy."
        )
    return _class_axis(y_pred, axis, where)


def _prepare_distributions(y_true, y_pred, axis, where: str, names=("y_true", "y_pred")):
    y_pred = _float_predictions(y_pred, names[1], where)
    y_true = as_real_tensor(y_true, name=names[0], where=where, dtype=y_pred.dtype)
    axis = _distribution_axis(y_true, y_pred, axis, where, names)
    # Sizes unknown while tracing ((None, None) in a TensorSpec): checked when run.
    y_true, y_pred = same_shape_at_run_time(y_true, y_pred, where=where, rule="be equal")
    return y_true, y_pred, axis


def _sparse_shapes(ids, y_pred, axis, where: str):
    """Checks one class id per example; returns the class axis and the per-example shape."""
    axis = _class_axis(y_pred, axis, where)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    shape = ids.shape
    if shape.rank is not None and shape.rank == expected.rank + 1 and shape[-1] == 1:
        shape = shape[:-1]
    if not shape.is_compatible_with(expected):
        raise ValueError(
            f"{where}: y_true has shape {shape_str(ids.shape)} but y_pred of shape "
            f"{shape_str(y_pred.shape)} needs one class id per example, shape "
            f"{shape_str(expected)}"
        )
    return axis, expected


def _softmax_logits(y_pred, from_logits: bool, fn_name: str):
    """Keras' rule for predictions that come straight out of a softmax.

    The same test as ``_get_logits`` in ``keras/src/backend/tensorflow/nn.py``: if
    ``y_pred`` carries ``_keras_logits`` (set by Keras' softmax activation, eagerly or in a
    graph) or, in a graph, is the output of a ``Softmax`` op, the loss is computed from the
    logits behind it and ``from_logits`` is ignored, with Keras' warning when it was
    ``True``. This keeps the loss and its gradient exact for saturated predictions, where
    clipped probabilities would cap the loss and zero the gradient. Returns
    ``(predictions or logits, from_logits)``.
    """
    has_keras_logits = hasattr(y_pred, "_keras_logits")
    from_softmax_op = (
        not has_keras_logits
        and isinstance(y_pred, tf.Tensor)
        and not isinstance(y_pred, tf.__internal__.EagerTensor)
        and hasattr(y_pred, "op")
        and y_pred.op.type == "Softmax"
    )
    if not (has_keras_logits or from_softmax_op):
        return y_pred, from_logits
    if from_logits:
        # Keras' text, word for word (its opening quote mark included).
        warnings.warn(
            f'"`{fn_name}` received `from_logits=True`, but '
            "the `output` argument was produced by a Softmax "
            "activation and thus does not represent logits. "
            "Was this intended?",
            stacklevel=3,
        )
    logits = y_pred._keras_logits if has_keras_logits else y_pred.op.inputs[0]
    return logits, True


def _stable_softmax_cross_entropy(labels, logits, axis):
    """-sum(labels * log_softmax(logits)) without overflow, exact for tiny losses too.

    With m = max(logits) and s = sum of exp(logit - m) over all but one maximal entry,
    log-sum-exp = m + log1p(s), so the loss is sum(labels * (m - logits)) +
    sum(labels) * log1p(s): two sums of non-negative terms (for labels >= 0), with no
    cancellation between large numbers, and log1p keeps a tiny s.

    Written for speed as well (TensorFlow runs each op as one pass over the data, and a
    new full-size buffer costs more than the pass): e = exp(logits - m) is computed once
    and reused by the gradient, whose ops can each reuse their input's buffer; the
    entries equal to 1 (the maxima) are left out of s as e - floor(e), not with a mask.
    Called eagerly, it runs as one traced graph (one per axis and rank), where buffers
    are reused and an unused gradient is dropped; eagerly each op gets a new buffer.
    """
    if tf.executing_eagerly():
        graphs = _stable_softmax_cross_entropy.__dict__.setdefault("graphs", {})
        key = (axis, logits.shape.rank)  # a graph per rank keeps the rank known
        if key not in graphs:
            graphs[key] = tf.function(
                lambda labels, logits: _stable_softmax_cross_entropy(labels, logits, axis),
                reduce_retracing=True,
            )
        return graphs[key](labels, logits)

    @tf.custom_gradient
    def loss_fn(labels, logits):
        m = tf.reduce_max(logits, axis=axis, keepdims=True)
        shifted = logits - m  # <= 0; exactly 0 at the maxima
        # sum(labels * shifted) without a full-size product; read before exp can reuse
        # shifted's buffer (inside tf.function).
        if axis == logits.shape.rank - 1:
            labels_shifted = tf.einsum("...j,...j->...", labels, shifted)
        else:
            labels_shifted = tf.reduce_sum(labels * shifted, axis=axis)
        with tf.control_dependencies([labels_shifted]):
            e = tf.exp(shifted)  # in (0, 1]; exactly 1 at the maxima
        del shifted
        total = tf.reduce_sum(e, axis=axis, keepdims=True)
        # e - floor(e) is e with every 1 set to 0: the sum of the others, to full
        # precision; total - others is then (up to rounding) the number of 1s.
        others = tf.reduce_sum(e - tf.floor(e), axis=axis, keepdims=True)
        s = others + (tf.round(total - others) - 1)
        log1p_s = tf.math.log1p(s)
        label_sum = tf.reduce_sum(labels, axis=axis, keepdims=True)
        loss = tf.squeeze(label_sum * log1p_s, axis=axis) - labels_shifted

        def grad(upstream):
            upstream = tf.expand_dims(upstream, axis)
            # d/dlogits = upstream * (sum(labels) * softmax - labels), softmax = e / (1 + s);
            # each op can write into its input's buffer.
            d_logits = (e * (label_sum / (1 + s)) - labels) * upstream
            # d/dlabels = upstream * (log-sum-exp - logits); inside tf.function it is
            # dropped when nobody asks for it.
            d_labels = (log1p_s - (logits - m)) * upstream
            return d_labels, d_logits

        return loss, grad

    return loss_fn(labels, logits)


@_register
def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """Softmax then cross-entropy in one numerically stable step, like ``tf.nn``'s op.

    Introduced in the lesson "Softmax with cross-entropy" (``softmax_cross_entropy.md``).
    Computes ``-sum(labels * log(softmax(logits)), axis)`` through the log-sum-exp form,
    so logits of any size stay finite (``[1000, 0, -1000]`` included) and small losses
    keep their relative precision. float16 and bfloat16 are computed in float32 and the
    result cast back. The gradient with respect to ``logits`` is
    ``softmax(logits) * sum(labels) - labels``, i.e. ``softmax - labels`` for labels that
    sum to 1.

    Args:
        labels: a probability distribution (e.g. one-hot) per example, the same shape as
            ``logits``.
        logits: unnormalised scores, a float tensor.
        axis: the class axis.

    Returns:
        The loss per example: ``logits``' shape without ``axis``.

    Raises:
        ValueError: on different shapes, an axis out of range, an empty class axis or
            integer logits.
    """
    where = "softmax_cross_entropy_with_logits"
    labels, logits, axis = _prepare_distributions(
        labels, logits, axis, where, names=("labels", "logits")
    )
    out_dtype = logits.dtype
    compute = tf.float32 if out_dtype in (tf.float16, tf.bfloat16) else out_dtype
    loss = _stable_softmax_cross_entropy(
        tf.cast(labels, compute), tf.cast(logits, compute), axis
    )
    return tf.cast(loss, out_dtype)


@_register
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy between one-hot (or probability) labels and predictions, per example.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``). Keras' function, the
    same arguments in the same order, and the same numbers:

    * If ``y_pred`` comes straight out of a softmax (a Keras softmax activation, or in a
      graph such as ``model.fit``'s any ``Softmax`` op), the logits behind it are used with
      the stable ``softmax_cross_entropy_with_logits``, whatever ``from_logits`` says (a
      warning if it says ``True``), as Keras does.
    * Otherwise, with ``from_logits=True``, ``y_pred`` are logits and the stable
      ``softmax_cross_entropy_with_logits`` is used.
    * Otherwise probabilities are first divided by their sum along ``axis`` (rows that do
      not sum to 1 are rescaled), then clipped to ``[eps, 1 - eps]``
      (``eps = keras.config.epsilon()``, 1e-7) so that a probability of 0 gives a large
      finite loss instead of ``inf``; then ``-sum(y_true * log(y_pred))``.

    Args:
        y_true: one-hot or probability labels, the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``; floats.
        from_logits: ``True`` or ``False`` (NumPy or scalar tensor bools too).
        label_smoothing: in ``[0, 1]``; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis (an integer, or a scalar tensor whose value is known).

    Raises:
        ValueError: on different shapes (both named), an axis out of range, an empty class
            axis, integer predictions or a bad ``label_smoothing``.
        TypeError: if an input is not made of real numbers, or ``from_logits`` is not a
            bool.
    """
    where = "categorical_crossentropy"
    from_logits = as_bool(from_logits, name="from_logits", where=where)
    label_smoothing = _label_smoothing_setting(label_smoothing, where)
    y_pred, from_logits = _softmax_logits(y_pred, from_logits, where)
    y_true, y_pred, axis = _prepare_distributions(y_true, y_pred, axis, where)
    if y_pred.shape[axis] == 1:
        warnings.warn(
            f"In loss {where}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={shape_str(y_pred.shape)}. The loss "
            "is then always 0. Consider using 'binary_crossentropy' if you only have 2 "
            "classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        return softmax_cross_entropy_with_logits(y_true, y_pred, axis=axis)
    epsilon = keras.config.epsilon()
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    y_pred = tf.clip_by_value(y_pred, epsilon, 1.0 - epsilon)
    return -tf.reduce_sum(y_true * tf.math.log(y_pred), axis=axis)


@_register
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy with integer class ids as labels, per example.

    Introduced in the lesson "Softmax with cross-entropy" (``softmax_cross_entropy.md``).
    Keras' function, the same arguments in the same order, and the same numbers.
    ``y_true`` holds one class id per example (shape ``y_pred``'s without the class axis,
    or with a trailing axis of 1), of any integer dtype, or whole-number floats. The
    result equals ``categorical_crossentropy`` with the matching one-hot labels, except
    where probabilities are clipped: as in Keras, probabilities are clipped to
    ``[eps, 1 - eps]`` first and their logs are then used as logits (so rows that do not
    sum to 1 are rescaled). A softmax output is handled as in ``categorical_crossentropy``
    (its logits are used; not with ``ignore_class``, where Keras masks ``y_pred`` first
    and so clips). The number of classes may be unknown until run time (``None`` in a
    ``tf.TensorSpec``).

    Args:
        y_true: class ids.
        y_pred: probabilities, or logits with ``from_logits=True``; floats.
        from_logits: ``True`` or ``False``.
        ignore_class: ``None``, or a class id (often -1 or 255) whose examples get loss 0
            and are left out of the mean (the result carries a Keras mask, as Keras').
        axis: the class axis; any axis works (Keras allows only the last).

    Raises:
        ValueError: on mismatched shapes, an axis out of range, an empty class axis or
            integer predictions.
        InvalidValuesError: eagerly, on ids that are not whole numbers or lie outside
            ``[0, num_classes)``. In ``tf.function`` and ``model.fit`` the same check raises
            ``tf.errors.InvalidArgumentError`` with the same message; under XLA, where
            TensorFlow drops checks, such ids give NaN, as in Keras.
        TypeError: if an input is not made of real numbers, or ``from_logits`` is not a
            bool.
    """
    where = "sparse_categorical_crossentropy"
    from_logits = as_bool(from_logits, name="from_logits", where=where)
    ignore_class = _ignore_class_setting(ignore_class, where)
    if ignore_class is None:
        y_pred, from_logits = _softmax_logits(y_pred, from_logits, where)
    y_pred = _float_predictions(y_pred, "y_pred", where)
    ids = as_real_tensor(y_true, name="y_true", where=where)
    axis, expected = _sparse_shapes(ids, y_pred, axis, where)
    if ids.shape.rank == expected.rank + 1:
        ids = tf.squeeze(ids, -1)
    if ids.dtype.is_floating:
        whole = tf.equal(ids, tf.round(ids))
        check_values(tf.reduce_all(whole), lambda: tf.strings.format(
            where + ": y_true must hold integer class ids, got {}",
            tf.boolean_mask(ids, tf.logical_not(whole))[0],
        ))
    ids = tf.cast(ids, tf.int64)
    valid = None
    if ignore_class is not None:
        valid = tf.not_equal(ids, ignore_class)
        ids = tf.where(valid, ids, tf.zeros_like(ids))
    num_classes = y_pred.shape[axis]
    if num_classes is None:  # known only when the graph runs
        num_classes = tf.shape(y_pred)[axis]
    in_range = tf.logical_and(ids >= 0, ids < tf.cast(num_classes, tf.int64))
    rule = f"[0, {{}}) or equal ignore_class={ignore_class}" if valid is not None else "[0, {})"
    check_values(tf.reduce_all(in_range), lambda: tf.strings.format(
        where + ": class ids must lie in " + rule + ", got values from {} to {}",
        (num_classes, tf.reduce_min(ids), tf.reduce_max(ids)),
    ))
    labels = tf.one_hot(ids, depth=num_classes, axis=axis, dtype=y_pred.dtype)
    if not from_logits:
        epsilon = keras.config.epsilon()
        y_pred = tf.math.log(tf.clip_by_value(y_pred, epsilon, 1.0 - epsilon))
    loss = softmax_cross_entropy_with_logits(labels, y_pred, axis=axis)
    if in_xla_context():  # no check ran: say so with NaN, as TensorFlow's own op does
        loss = tf.where(in_range, loss, tf.constant(float("nan"), loss.dtype))
    if valid is not None:
        loss = tf.where(valid, loss, tf.zeros_like(loss))
        loss._keras_mask = valid  # what keras.src.backend.set_keras_mask does
    return loss


@_register
class CategoricalCrossentropy(_CheckedLoss):
    """Categorical cross-entropy as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``). Computes
    ``categorical_crossentropy`` (softmax outputs included), then Keras' reduction.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities; a bool.
        label_smoothing: in ``[0, 1]``; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.
        reduction, name, dtype: as in Keras.

    Every call checks, before Keras converts them, that ``y_true`` and ``y_pred`` hold
    real numbers (``TypeError``) of equal shapes (``ValueError``), and any
    ``sample_weight`` (see ``lossbook.losses``).
    """

    _where = "CategoricalCrossentropy"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        self.from_logits = as_bool(from_logits, name="from_logits", where=self._where)
        self.label_smoothing = _label_smoothing_setting(label_smoothing, self._where)
        self.axis = _axis_setting(axis, self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def _per_sample_shape(self, y_true, y_pred):
        axis = _distribution_axis(y_true, y_pred, self.axis, self._where)
        return y_pred.shape[:axis] + y_pred.shape[axis + 1:]

    def call(self, y_true, y_pred):
        return categorical_crossentropy(
            y_true, y_pred, from_logits=self.from_logits,
            label_smoothing=self.label_smoothing, axis=self.axis,
        )

    def get_config(self):
        return {
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }


@_register
class SparseCategoricalCrossentropy(_CheckedLoss):
    """Sparse categorical cross-entropy as a ``keras.losses.Loss``: Keras' class, checked.

    Introduced in the lesson "Softmax with cross-entropy" (``softmax_cross_entropy.md``).
    Computes ``sparse_categorical_crossentropy`` (softmax outputs included), then Keras'
    reduction; with ``ignore_class``, ignored examples are left out of the mean, as in
    Keras.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities; a bool.
        ignore_class: ``None`` or the class id to ignore.
        reduction: as in Keras.
        axis: the class axis (saved in the config, unlike Keras').
        name, dtype: as in Keras.

    Every call checks, before Keras converts them, that ``y_true`` and ``y_pred`` hold
    real numbers (``TypeError``) with one class id per example (``ValueError``), that the
    ids are whole numbers in range (see ``sparse_categorical_crossentropy``), and any
    ``sample_weight`` (see ``lossbook.losses``).
    """

    _where = "SparseCategoricalCrossentropy"

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        self.from_logits = as_bool(from_logits, name="from_logits", where=self._where)
        self.ignore_class = _ignore_class_setting(ignore_class, self._where)
        self.axis = _axis_setting(axis, self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def _per_sample_shape(self, y_true, y_pred):
        return _sparse_shapes(y_true, y_pred, self.axis, self._where)[1]

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(
            y_true, y_pred, from_logits=self.from_logits, ignore_class=self.ignore_class,
            axis=self.axis,
        )

    def get_config(self):
        return {
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }


# --- Binary cross-entropy and the focal losses ---------------------------------------


def _sigmoid_logits(y_pred, from_logits: bool, fn_name: str):
    """Keras' rule for probabilities that come straight out of a sigmoid: the same as
    ``_softmax_logits`` (``_get_logits`` in Keras), for a Keras sigmoid activation (it
    sets ``_keras_logits``) or, in a graph, any ``Sigmoid`` op. Returns
    ``(predictions or logits, from_logits)``."""
    has_keras_logits = hasattr(y_pred, "_keras_logits")
    from_sigmoid_op = (
        not has_keras_logits
        and isinstance(y_pred, tf.Tensor)
        and not isinstance(y_pred, tf.__internal__.EagerTensor)
        and hasattr(y_pred, "op")
        and y_pred.op.type == "Sigmoid"
    )
    if not (has_keras_logits or from_sigmoid_op):
        return y_pred, from_logits
    if from_logits:
        # Keras' text, word for word (its opening quote mark included).
        warnings.warn(
            f'"`{fn_name}` received `from_logits=True`, but '
            "the `output` argument was produced by a Sigmoid "
            "activation and thus does not represent logits. "
            "Was this intended?",
            stacklevel=3,
        )
    return (y_pred._keras_logits if has_keras_logits else y_pred.op.inputs[0]), True


def _focal_setting(value, name: str, where: str, upper=None) -> float:
    """``alpha`` or ``gamma`` as a float: finite, >= 0 and, with ``upper``, <= upper."""
    value = known_scalar(value, name=name, where=where)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        math.isfinite(value) and value >= 0 and (upper is None or value <= upper)
    ):
        bound = f"in [0, {upper}]" if upper is not None else "finite and >= 0"
        raise ValueError(f"{where}: {name} must be a number {bound}, got {value!r}")
    return float(value)


def _class_alpha_setting(alpha, where: str):
    """``alpha`` of the categorical focal loss: one number in [0, 1], or (as Keras
    documents) a list with one such number per class, returned as a tuple."""
    if isinstance(alpha, (list, tuple, np.ndarray)) and np.ndim(alpha) == 1:
        values = tuple(_focal_setting(a, "each entry of alpha", where, upper=1)
                       for a in np.asarray(alpha).tolist())
        if not values:
            raise ValueError(f"{where}: alpha is an empty list")
        return values
    return _focal_setting(alpha, "alpha", where, upper=1)


def _check_labels_in_unit_interval(y_true, where: str, what: str):
    """Labels must lie in [0, 1]; NaN passes (it propagates, as in Keras)."""
    outside = tf.logical_or(y_true < 0, y_true > 1)
    check_values(tf.logical_not(tf.reduce_any(outside)), lambda: tf.strings.format(
        where + ": y_true must hold " + what + ", got values from {} to {}",
        (tf.reduce_min(y_true), tf.reduce_max(y_true)),
    ))


def _compute_dtype(dtype):
    """float16 and bfloat16 are computed in float32 (their logs and exps lose too much)."""
    return tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype


def _prepare_binary(y_true, y_pred, from_logits, label_smoothing, axis, where):
    """The checks and set-up the binary losses share.

    Returns ``(y_true, y_pred, from_logits, axis, out_dtype)``: labels smoothed, both
    in the computation dtype and aligned as Keras' losses align them (a trailing axis of
    size 1), ``y_pred`` replaced by the logits behind a sigmoid (Keras' rule), ``axis``
    a non-negative int.
    """
    from_logits = as_bool(from_logits, name="from_logits", where=where)
    label_smoothing = _label_smoothing_setting(label_smoothing, where)
    y_pred, from_logits = _sigmoid_logits(y_pred, from_logits, where)
    y_pred = _float_predictions(y_pred, "y_pred", where)
    y_true = as_real_tensor(y_true, name="y_true", where=where, dtype=y_pred.dtype)
    y_true, y_pred = align_last_axis(y_true, y_pred, where=where)
    axis = _class_axis(y_pred, axis, where)
    # Labels are probabilities of the positive class. A label of 2 (a class id fed to a
    # binary loss) gives Keras a negative "loss" without a word.
    _check_labels_in_unit_interval(
        y_true, where, "labels in [0, 1] (probabilities of the positive class)")
    out_dtype = y_pred.dtype
    compute = _compute_dtype(out_dtype)
    y_true, y_pred = tf.cast(y_true, compute), tf.cast(y_pred, compute)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred, from_logits, axis, out_dtype


def _log_or_minus_inf(x):
    """log(x) for x >= 0, -inf at 0, with a finite gradient everywhere it is used."""
    positive = x > 0
    return tf.where(positive, tf.math.log(tf.where(positive, x, tf.ones_like(x))),
                    tf.constant(-np.inf, x.dtype))


def _log_add_exp(a, b):
    """log(exp(a) + exp(b)) without overflow; one of them may be -inf."""
    larger = tf.maximum(a, b)
    return larger + tf.math.log1p(tf.exp(-tf.abs(a - b)))


@_register
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy per sample: the mean over ``axis`` of each label's loss.

    Introduced in the lesson "Binary cross-entropy" (``binary_cross_entropy.md``). Keras'
    function, the same arguments in the same order, and the same numbers. Each element
    with label ``y`` (the probability of the positive class) and prediction ``p``
    contributes ``-(y log p + (1 - y) log(1 - p))``:

    * with ``from_logits=True``, ``y_pred`` are logits ``z`` and the loss is computed as
      ``max(z, 0) - z y + log(1 + exp(-|z|))`` (``tf.nn.sigmoid_cross_entropy_with_logits``):
      finite and accurate for any ``z``, ``±1e4`` included, and so is its gradient
      ``sigmoid(z) - y``;
    * if ``y_pred`` comes straight out of a sigmoid (a Keras sigmoid activation, or in a
      graph any ``Sigmoid`` op) the logits behind it are used, whatever ``from_logits``
      says (with Keras' warning if it says ``True``), as Keras does;
    * otherwise probabilities are clipped to ``[eps, 1 - eps]`` (``eps =
      keras.config.epsilon()``, 1e-7) first, so a loss is at most ``-log(eps)`` ≈ 16.12.

    float16 and bfloat16 are computed in float32 and the result cast back.

    Args:
        y_true: labels in ``[0, 1]``, the shape of ``y_pred`` (a trailing axis of 1 is
            aligned, as Keras' loss classes align it).
        y_pred: probabilities, or logits with ``from_logits=True``; floats.
        from_logits: ``True`` or ``False``.
        label_smoothing: in ``[0, 1]``; labels become ``y * (1 - s) + s / 2``.
        axis: the axis to average over (the labels of one sample).

    Returns:
        One loss per sample: ``y_pred``'s shape without ``axis``.

    Raises:
        ValueError: on shapes that are not equal (up to a trailing axis of 1), an axis
            out of range, integer predictions or a bad ``label_smoothing``.
        InvalidValuesError: eagerly, on labels outside ``[0, 1]`` (in ``tf.function`` and
            ``model.fit``: ``tf.errors.InvalidArgumentError`` with the same message).
        TypeError: if an input is not made of real numbers, or ``from_logits`` is not a
            bool.
    """
    where = "binary_crossentropy"
    y_true, y_pred, from_logits, axis, out_dtype = _prepare_binary(
        y_true, y_pred, from_logits, label_smoothing, axis, where)
    if from_logits:
        per_element = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        epsilon = keras.config.epsilon()
        p = tf.clip_by_value(y_pred, epsilon, 1.0 - epsilon)
        per_element = -(y_true * tf.math.log(p) + (1 - y_true) * tf.math.log(1 - p))
    return tf.cast(tf.reduce_mean(per_element, axis=axis), out_dtype)


@_register
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary focal cross-entropy per sample (Lin et al., 2017), as Keras computes it.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``). Each element's
    binary cross-entropy is multiplied by ``(1 - p_t) ** gamma``, where ``p_t`` is the
    probability the model gives the true label (``y p + (1 - y)(1 - p)``): examples the
    model already gets right count less. With ``apply_class_balancing`` it is also
    weighted by ``alpha`` for positives and ``1 - alpha`` for negatives. ``gamma = 0``
    without balancing is ``binary_crossentropy``.

    With logits (``from_logits=True``, or the output of a sigmoid, as in
    ``binary_crossentropy``; Keras' focal loss recovers them only with
    ``from_logits=False`` and applies a second sigmoid with ``True``) ``1 - p_t`` is
    computed as ``y sigmoid(-z) + (1 - y)
    sigmoid(z)`` in log space, so the loss and its gradient stay finite and accurate for
    logits of ``±1e4`` (Keras computes ``1 - p_t`` by subtraction: 0 once ``p_t`` rounds
    to 1, and a NaN gradient there for ``gamma < 1``). With probabilities the numbers
    are Keras'.

    Args:
        y_true: labels in ``[0, 1]``, the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``; floats.
        apply_class_balancing: ``True`` or ``False``.
        alpha: the weight of the positive class, in ``[0, 1]``.
        gamma: the focusing parameter, finite and ``>= 0``.
        from_logits, label_smoothing, axis: as in ``binary_crossentropy``.

    Raises:
        As ``binary_crossentropy``; ``ValueError`` on a bad ``alpha`` or ``gamma``.
    """
    where = "binary_focal_crossentropy"
    apply_class_balancing = as_bool(apply_class_balancing, name="apply_class_balancing",
                                    where=where)
    alpha = _focal_setting(alpha, "alpha", where, upper=1)
    gamma = _focal_setting(gamma, "gamma", where)
    y_true, y_pred, from_logits, axis, out_dtype = _prepare_binary(
        y_true, y_pred, from_logits, label_smoothing, axis, where)
    if from_logits:
        bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
        # log(1 - p_t) = log(y sigmoid(-z) + (1 - y) sigmoid(z)), a sum of two
        # non-negative terms; log sigmoid(±z) = -softplus(∓z).
        log_miss = _log_add_exp(_log_or_minus_inf(y_true) - tf.nn.softplus(y_pred),
                                _log_or_minus_inf(1 - y_true) - tf.nn.softplus(-y_pred))
        focal_factor = tf.exp(gamma * log_miss) if gamma else tf.ones_like(bce)
    else:
        epsilon = keras.config.epsilon()
        p = tf.clip_by_value(y_pred, epsilon, 1.0 - epsilon)
        bce = -(y_true * tf.math.log(p) + (1 - y_true) * tf.math.log(1 - p))
        miss = 1.0 - (y_true * y_pred + (1 - y_true) * (1 - y_pred))  # 1 - p_t
        # Where the prediction is exactly the label, (1 - p_t) ** gamma has an infinite
        # slope for gamma < 1 and the loss's true gradient is 0: give it 0, not inf * 0.
        missed = tf.not_equal(miss, 0)
        focal_factor = tf.where(missed, tf.pow(tf.where(missed, miss, tf.ones_like(miss)),
                                               gamma), 0.0 if gamma else 1.0)
    focal_bce = focal_factor * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return tf.cast(tf.reduce_mean(focal_bce, axis=axis), out_dtype)


def _stable_log_softmax_and_log_miss(logits, axis):
    """log softmax(z) and log(1 - softmax(z)), both accurate for any logits.

    With m = max(z) and s = the sum of exp(z - m) over all entries but one maximum (as
    in ``_stable_softmax_cross_entropy``), log softmax = (z - m) - log1p(s). For a class
    that is not the only maximum, p <= 1/2 and log(1 - p) = log1p(-p) is exact. For the
    only maximum, 1 - p = s / (1 + s), and log s is the log-sum-exp of the other shifted
    logits: finite even where s underflows (logits 1e4 apart), so the gradient is too.
    """
    m = tf.reduce_max(logits, axis=axis, keepdims=True)
    shifted = logits - m
    e = tf.exp(shifted)
    total = tf.reduce_sum(e, axis=axis, keepdims=True)
    others = tf.reduce_sum(e - tf.floor(e), axis=axis, keepdims=True)
    tops = tf.round(total - others)  # how many entries equal the maximum
    s = others + (tops - 1)
    log_p = shifted - tf.math.log1p(s)
    only_top = tf.logical_and(tf.equal(shifted, 0), tf.equal(tops, 1))
    neg_inf = tf.constant(-np.inf, logits.dtype)
    log_s = tf.reduce_logsumexp(tf.where(only_top, neg_inf, shifted), axis=axis,
                                keepdims=True)
    # Each branch gets inputs that are safe where it is not taken (no inf * 0 gradient).
    p_elsewhere = tf.exp(tf.where(only_top, tf.constant(-1.0, logits.dtype), log_p))
    log_miss = tf.where(only_top, log_s - tf.math.log1p(s), tf.math.log1p(-p_elsewhere))
    return log_p, log_miss


@_register
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0,
                                   from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical focal cross-entropy per sample, as Keras computes it.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``). The sum over the
    classes of ``alpha * (1 - p) ** gamma * (-y log p)``: the cross-entropy of each class
    scaled down where the model is already confident. ``gamma = 0`` gives ``alpha`` times
    ``categorical_crossentropy``.

    With logits (``from_logits=True``, or a softmax output, whose logits lossbook uses
    as ``categorical_crossentropy`` does; Keras' focal loss clips such probabilities
    instead) ``log p`` and ``log(1 - p)`` are computed from the logits directly, so the
    loss and its gradient are finite and accurate for logits of ``±1e4``. With
    probabilities the numbers are Keras': divided by their sum, clipped to
    ``[eps, 1 - eps]``. Label smoothing divides by the number of classes along ``axis``
    (Keras divides by the size of the last axis whatever ``axis`` is).

    Args:
        y_true: one-hot or probability labels in ``[0, 1]``, the shape of ``y_pred``.
        y_pred: probabilities, or logits with ``from_logits=True``; floats.
        alpha: a weight in ``[0, 1]`` for every class, or a list of one per class.
        gamma: the focusing parameter, finite and ``>= 0``.
        from_logits, label_smoothing, axis: as in ``categorical_crossentropy``.

    Raises:
        As ``categorical_crossentropy``; ``ValueError`` on a bad ``alpha`` (or one of the
        wrong length) or ``gamma``; labels outside ``[0, 1]`` as ``binary_crossentropy``.
    """
    where = "categorical_focal_crossentropy"
    alpha = _class_alpha_setting(alpha, where)
    gamma = _focal_setting(gamma, "gamma", where)
    from_logits = as_bool(from_logits, name="from_logits", where=where)
    label_smoothing = _label_smoothing_setting(label_smoothing, where)
    y_pred, from_logits = _softmax_logits(y_pred, from_logits, where)
    y_true, y_pred, axis = _prepare_distributions(y_true, y_pred, axis, where)
    _check_labels_in_unit_interval(y_true, where, "labels in [0, 1] (one-hot or class "
                                   "probabilities)")
    if isinstance(alpha, tuple):
        if y_pred.shape[axis] is not None and len(alpha) != y_pred.shape[axis]:
            raise ValueError(
                f"{where}: alpha has {len(alpha)} entries but y_pred has "
                f"{y_pred.shape[axis]} classes (shape {shape_str(y_pred.shape)}, axis "
                f"{axis}); give one weight per class or a single number")
        shape = [1] * y_pred.shape.rank
        shape[axis] = len(alpha)
        alpha = tf.reshape(tf.constant(alpha, _compute_dtype(y_pred.dtype)), shape)
    if y_pred.shape[axis] == 1:
        warnings.warn(
            f"In loss {where}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={shape_str(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    out_dtype = y_pred.dtype
    compute = _compute_dtype(out_dtype)
    y_true, y_pred = tf.cast(y_true, compute), tf.cast(y_pred, compute)
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[axis], compute)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        log_p, log_miss = _stable_log_softmax_and_log_miss(y_pred, axis)
        focal_factor = tf.exp(gamma * log_miss) if gamma else tf.ones_like(log_p)
        cross_entropy = -y_true * log_p
    else:
        epsilon = keras.config.epsilon()
        p = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
        p = tf.clip_by_value(p, epsilon, 1.0 - epsilon)
        cross_entropy = -y_true * tf.math.log(p)
        focal_factor = tf.pow(1.0 - p, gamma)
    loss = tf.reduce_sum(alpha * focal_factor * cross_entropy, axis=axis)
    return tf.cast(loss, out_dtype)


class _BinaryLoss(_CheckedLoss):
    """A binary loss: labels and predictions of one shape (a trailing 1 aligned)."""

    def _per_sample_shape(self, y_true, y_pred):
        y_true, y_pred = align_last_axis(y_true, y_pred, where=self._where)
        axis = _class_axis(y_pred, self.axis, self._where)
        return y_pred.shape[:axis] + y_pred.shape[axis + 1:]

    def get_config(self):
        return {
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }


@_register
class BinaryCrossentropy(_BinaryLoss):
    """Binary cross-entropy as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Binary cross-entropy" (``binary_cross_entropy.md``).
    Computes ``binary_crossentropy`` (sigmoid outputs included), then Keras' reduction.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities; a bool.
        label_smoothing: in ``[0, 1]``; labels become ``y * (1 - s) + s / 2``.
        axis: the axis averaged over.
        reduction, name, dtype: as in Keras.

    Every call checks its inputs before Keras converts them (see ``lossbook.losses``),
    and labels outside ``[0, 1]`` when the numbers are seen.
    """

    _where = "BinaryCrossentropy"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        self.from_logits = as_bool(from_logits, name="from_logits", where=self._where)
        self.label_smoothing = _label_smoothing_setting(label_smoothing, self._where)
        self.axis = _axis_setting(axis, self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return binary_crossentropy(
            y_true, y_pred, from_logits=self.from_logits,
            label_smoothing=self.label_smoothing, axis=self.axis,
        )


@_register
class BinaryFocalCrossentropy(_BinaryLoss):
    """Binary focal cross-entropy as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``). Computes
    ``binary_focal_crossentropy``, then Keras' reduction.

    Args:
        apply_class_balancing: weight positives by ``alpha``, negatives by
            ``1 - alpha``; a bool.
        alpha: in ``[0, 1]``.
        gamma: the focusing parameter, finite and ``>= 0``.
        from_logits, label_smoothing, axis, reduction, name, dtype: as in
            ``BinaryCrossentropy``.
    """

    _where = "BinaryFocalCrossentropy"

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        self.apply_class_balancing = as_bool(
            apply_class_balancing, name="apply_class_balancing", where=self._where)
        self.alpha = _focal_setting(alpha, "alpha", self._where, upper=1)
        self.gamma = _focal_setting(gamma, "gamma", self._where)
        self.from_logits = as_bool(from_logits, name="from_logits", where=self._where)
        self.label_smoothing = _label_smoothing_setting(label_smoothing, self._where)
        self.axis = _axis_setting(axis, self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return binary_focal_crossentropy(
            y_true, y_pred, apply_class_balancing=self.apply_class_balancing,
            alpha=self.alpha, gamma=self.gamma, from_logits=self.from_logits,
            label_smoothing=self.label_smoothing, axis=self.axis,
        )

    def get_config(self):
        return {"apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma, **super().get_config()}


@_register
class CategoricalFocalCrossentropy(_CheckedLoss):
    """Categorical focal cross-entropy as a ``keras.losses.Loss``: Keras' class, checked.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``). Computes
    ``categorical_focal_crossentropy``, then Keras' reduction.

    Args:
        alpha: in ``[0, 1]``.
        gamma: the focusing parameter, finite and ``>= 0``.
        from_logits, label_smoothing, axis, reduction, name, dtype: as in
            ``CategoricalCrossentropy``.
    """

    _where = "CategoricalFocalCrossentropy"

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        alpha = _class_alpha_setting(alpha, self._where)
        self.alpha = list(alpha) if isinstance(alpha, tuple) else alpha
        self.gamma = _focal_setting(gamma, "gamma", self._where)
        self.from_logits = as_bool(from_logits, name="from_logits", where=self._where)
        self.label_smoothing = _label_smoothing_setting(label_smoothing, self._where)
        self.axis = _axis_setting(axis, self._where)
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def _per_sample_shape(self, y_true, y_pred):
        axis = _distribution_axis(y_true, y_pred, self.axis, self._where)
        return y_pred.shape[:axis] + y_pred.shape[axis + 1:]

    def call(self, y_true, y_pred):
        return categorical_focal_crossentropy(
            y_true, y_pred, alpha=self.alpha, gamma=self.gamma,
            from_logits=self.from_logits, label_smoothing=self.label_smoothing,
            axis=self.axis,
        )

    def get_config(self):
        return {
            "alpha": self.alpha,
            "gamma": self.gamma,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
            "name": self.name,
            "reduction": self.reduction,
            "dtype": self.dtype,
        }
