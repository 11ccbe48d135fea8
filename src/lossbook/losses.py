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

import keras
import tensorflow as tf

from lossbook._checks import check_sample_weight, positive_finite, prepare_pair

__all__ = ["AsymmetricLoss", "MeanSquaredError", "asymmetric_loss", "mean_squared_error"]


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
