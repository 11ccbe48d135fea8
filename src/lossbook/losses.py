"""Loss functions that behave like Keras' own, with clearer errors.

Each function takes ``(y_true, y_pred)`` in Keras' order and returns one loss value per
sample (the mean over the last axis), exactly like its namesake in ``keras.losses``.
Each class is a ``keras.losses.Loss`` subclass: it reduces those values (``reduction``),
weights them (``sample_weight``), serialises (``get_config``) and plugs into
``model.compile(loss=...)``.

What they add to Keras: inputs are checked before TensorFlow sees them. A shape pair
that Keras would silently broadcast, such as ``(32, 1)`` against ``(1, 32)``, raises
``ValueError`` naming both shapes; strings and complex numbers raise ``TypeError``;
negative or non-finite sample weights raise ``ValueError``. NaN and inf inside
``y_true`` or ``y_pred`` are not errors: they propagate exactly as in Keras.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
import tensorflow as tf

from lossbook._checks import (
    as_real_tensor,
    check_sample_weight,
    positive_finite,
    prepare_pair,
    shape_str,
)

__all__ = [
    "AsymmetricLoss",
    "CategoricalCrossentropy",
    "MeanSquaredError",
    "asymmetric_loss",
    "categorical_crossentropy",
    "mean_squared_error",
    "softmax_cross_entropy_with_logits",
    "sparse_categorical_crossentropy",
]


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
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


class _CheckedLoss(keras.losses.Loss):
    """A Keras loss that checks ``sample_weight`` before Keras applies it."""

    _where = "loss"

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            _, pred = prepare_pair(y_true, y_pred, where=self._where)
            check_sample_weight(sample_weight, pred.shape[:-1], where=self._where)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)


@keras.saving.register_keras_serializable(package="lossbook")
class MeanSquaredError(_CheckedLoss):
    """Mean squared error as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Mean squared error" (``mse.md``).

    Args:
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None``, as in Keras.
        name: the loss's name in logs.
        dtype: the dtype of the computation; ``None`` means ``keras.backend.floatx()``.
    """

    _where = "MeanSquaredError"

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}


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
        profit: the price of each unit predicted too few, finite and > 0.
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
    return tf.reduce_mean(per_element, axis=-1)


@keras.saving.register_keras_serializable(package="lossbook")
class AsymmetricLoss(_CheckedLoss):
    """The profit/cost loss as a ``keras.losses.Loss``, for ``model.compile(loss=...)``.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``).
    See ``asymmetric_loss`` for the formula.

    Args:
        profit: the price of each unit predicted too few, finite and > 0.
        cost: the price of each unit predicted too many, finite and > 0.
        reduction: as in Keras; ``"sum_over_batch_size"`` by default.
        name: the loss's name in logs.
        dtype: the dtype of the computation; ``None`` means ``keras.backend.floatx()``.
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
        return {
            "profit": self.profit, "cost": self.cost,
            "name": self.name, "reduction": self.reduction, "dtype": self.dtype,
        }


# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking their log.
EPSILON = 1e-7


def _class_axis(tensor, axis, where: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"{where}: axis must be an integer, got {axis!r}")
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


def _prepare_distributions(y_true, y_pred, axis, where: str, names=("y_true", "y_pred")):
    y_pred = _float_predictions(y_pred, names[1], where)
    y_true = as_real_tensor(y_true, name=names[0], where=where, dtype=y_pred.dtype)
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(
            f"{where}: {names[0]} has shape {shape_str(y_true.shape)} and {names[1]} has "
            f"shape {shape_str(y_pred.shape)}; they must be equal (one-hot or "
            "probability labels). For integer class ids use sparse_categorical_crossentropy."
        )
    return y_true, y_pred, _class_axis(y_pred, axis, where)


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


def categorical_crossentropy(y_true, y_pred, *, from_logits=False, axis=-1):
    """Cross-entropy between one-hot (or probability) labels and predictions, per example.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``). With Keras'
    semantics: probabilities are first divided by their sum along ``axis`` (rows that do
    not sum to 1 are rescaled), then clipped to ``[1e-7, 1 - 1e-7]`` so that a probability
    of 0 gives a large finite loss instead of ``inf``; then ``-sum(y_true * log(y_pred))``.
    With ``from_logits=True``, ``y_pred`` are logits and the stable
    ``softmax_cross_entropy_with_logits`` is used.

    Raises:
        ValueError: on different shapes (both named), an axis out of range, an empty class
            axis or integer predictions.
    """
    where = "categorical_crossentropy"
    y_true, y_pred, axis = _prepare_distributions(y_true, y_pred, axis, where)
    if from_logits:
        return softmax_cross_entropy_with_logits(y_true, y_pred, axis=axis)
    y_pred = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    y_pred = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_sum(y_true * tf.math.log(y_pred), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, *, from_logits=False, axis=-1):
    """Cross-entropy with integer class ids as labels, per example.

    Introduced in the lesson "Softmax with cross-entropy" (``softmax_cross_entropy.md``).
    ``y_true`` holds one class id per example (shape ``y_pred``'s without the class axis,
    or with a trailing axis of 1); the result equals ``categorical_crossentropy`` with the
    matching one-hot labels. Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as in Keras.

    Raises:
        ValueError: on mismatched shapes, an axis out of range, an empty class axis,
            integer predictions, non-integer ids, or ids outside ``[0, num_classes)``.
    """
    where = "sparse_categorical_crossentropy"
    y_pred = _float_predictions(y_pred, "y_pred", where)
    axis = _class_axis(y_pred, axis, where)
    ids = as_real_tensor(y_true, name="y_true", where=where)
    if ids.dtype.is_floating:
        if tf.executing_eagerly() and not np.all(np.equal(np.mod(ids.numpy(), 1), 0)):
            raise ValueError(f"{where}: y_true must hold integer class ids, got {ids.numpy()}")
        ids = tf.cast(ids, tf.int64)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1:]
    if ids.shape.rank == expected.rank + 1 and ids.shape[-1] == 1:
        ids = tf.squeeze(ids, -1)
    if not ids.shape.is_compatible_with(expected):
        raise ValueError(
            f"{where}: y_true has shape {shape_str(ids.shape)} but y_pred of shape "
            f"{shape_str(y_pred.shape)} needs one class id per example, shape "
            f"{shape_str(expected)}"
        )
    num_classes = y_pred.shape[axis]
    if tf.executing_eagerly() and num_classes is not None:
        values = ids.numpy()
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(
                f"{where}: class ids must lie in [0, {num_classes}), got values from "
                f"{values.min()} to {values.max()}"
            )
    one_hot = tf.one_hot(ids, depth=num_classes, axis=axis, dtype=y_pred.dtype)
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, axis=axis)


@keras.saving.register_keras_serializable(package="lossbook")
class CategoricalCrossentropy(_CheckedLoss):
    """Categorical cross-entropy as a ``keras.losses.Loss``: a drop-in for Keras' own.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``).

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: in ``[0, 1]``; labels become ``y * (1 - s) + s / num_classes``.
        axis: the class axis.
        reduction, name, dtype: as in Keras.
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
        if isinstance(label_smoothing, bool) or not isinstance(
            label_smoothing, numbers.Real
        ) or not 0 <= label_smoothing <= 1:
            raise ValueError(
                f"{self._where}: label_smoothing must be a number in [0, 1], "
                f"got {label_smoothing!r}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            _, pred, axis = _prepare_distributions(y_true, y_pred, self.axis, self._where)
            per_example = pred.shape[:axis] + pred.shape[axis + 1:]
            check_sample_weight(sample_weight, per_example, where=self._where)
        return keras.losses.Loss.__call__(self, y_true, y_pred, sample_weight=sample_weight)

    def call(self, y_true, y_pred):
        if self.label_smoothing:
            num_classes = tf.cast(tf.shape(y_true)[self.axis], y_pred.dtype)
            y_true = tf.cast(y_true, y_pred.dtype)
            y_true = y_true * (1.0 - self.label_smoothing) + self.label_smoothing / num_classes
        return categorical_crossentropy(
            y_true, y_pred, from_logits=self.from_logits, axis=self.axis
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
