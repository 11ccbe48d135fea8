"""Input checks shared by the losses and the training loop.

Every public function in ``lossbook`` checks its inputs here first, so that bad input
fails with a message naming the argument, its shape or dtype, and the function that
was called, before TensorFlow's kernels see it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import tensorflow as tf


def as_real_tensor(value, *, name: str, where: str, dtype=None) -> tf.Tensor:
    """Converts ``value`` to a tensor of real numbers, or raises ``TypeError``."""
    try:
        tensor = tf.convert_to_tensor(value)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{where}: {name} must be an array of real numbers; "
            f"could not convert {type(value).__name__} to a tensor ({err})"
        ) from None
    kind = tensor.dtype
    if kind.is_complex or not (kind.is_floating or kind.is_integer or kind == tf.bool):
        raise TypeError(
            f"{where}: {name} must hold real numbers, got dtype {kind.name}"
        )
    if dtype is not None and kind != dtype:
        tensor = tf.cast(tensor, dtype)
    return tensor


def float_dtype_of(tensor: tf.Tensor) -> tf.DType:
    """The floating dtype a computation on ``tensor`` should use (Keras' rule)."""
    if tensor.dtype.is_floating:
        return tensor.dtype
    return tf.as_dtype(tf.keras.backend.floatx())


def shape_str(shape) -> str:
    """Formats a static shape the way NumPy prints one: ``(32, 1)``, ``(None, 3)``."""
    dims = tf.TensorShape(shape).as_list() if tf.TensorShape(shape).rank is not None else None
    if dims is None:
        return "<unknown rank>"
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def align_last_axis(y_true: tf.Tensor, y_pred: tf.Tensor, *, where: str):
    """Aligns two tensors whose ranks differ only by a trailing axis of size 1.

    This is Keras' ``squeeze_or_expand_to_same_rank`` rule: ``(n,)`` against ``(n, 1)``
    becomes ``(n, 1)`` against ``(n, 1)``. Any other mismatch raises ``ValueError``
    naming both shapes, where a plain subtraction would broadcast ``(n,)`` and
    ``(n, 1)`` to ``(n, n)`` without a word.
    """
    true_rank, pred_rank = y_true.shape.rank, y_pred.shape.rank
    if true_rank is not None and pred_rank is not None and true_rank != pred_rank:
        if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
            if pred_rank == 1:
                y_pred = tf.expand_dims(y_pred, -1)
            else:
                y_true = tf.squeeze(y_true, -1)
        elif pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
            if true_rank == 1:
                y_true = tf.expand_dims(y_true, -1)
            else:
                y_pred = tf.squeeze(y_pred, -1)
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(
            f"{where}: y_true has shape {shape_str(y_true.shape)} and y_pred has shape "
            f"{shape_str(y_pred.shape)}; they must be equal, or differ only by a "
            "trailing axis of size 1"
        )
    if y_true.shape.rank == 0:
        raise ValueError(
            f"{where}: y_true and y_pred are scalars; the loss is averaged over the "
            "last axis, so they need at least one axis, e.g. shape (1,)"
        )
    return y_true, y_pred


def prepare_pair(y_true, y_pred, *, where: str):
    """Converts, type-checks and aligns ``(y_true, y_pred)`` as Keras' losses do."""
    y_pred = as_real_tensor(y_pred, name="y_pred", where=where)
    dtype = float_dtype_of(y_pred)
    y_pred = tf.cast(y_pred, dtype) if y_pred.dtype != dtype else y_pred
    y_true = as_real_tensor(y_true, name="y_true", where=where, dtype=dtype)
    return align_last_axis(y_true, y_pred, where=where)


def check_sample_weight(sample_weight, losses_shape, *, where: str) -> None:
    """Checks a ``sample_weight`` against the per-sample loss shape it will weight.

    Accepts what Keras accepts for that shape (a scalar, one weight per sample, with or
    without a trailing axis of 1) and rejects weights that would broadcast the losses to
    a bigger shape, negative weights and weights that are not finite.
    """
    weight = as_real_tensor(sample_weight, name="sample_weight", where=where)
    w_shape = weight.shape
    l_shape = tf.TensorShape(losses_shape)
    if w_shape.rank is not None and l_shape.rank is not None:
        # Keras squeezes or expands a trailing axis of 1 before multiplying.
        if w_shape.rank == l_shape.rank + 1 and w_shape[-1] == 1:
            w_shape = w_shape[:-1]
        elif l_shape.rank == w_shape.rank + 1 and l_shape[-1] == 1 and w_shape.rank >= 1:
            l_shape = l_shape[:-1]
        ok = w_shape.rank == 0 or (
            w_shape.rank == l_shape.rank and w_shape.is_compatible_with(l_shape)
        )
        if not ok:
            raise ValueError(
                f"{where}: sample_weight has shape {shape_str(weight.shape)} but the "
                f"per-sample losses have shape {shape_str(losses_shape)}; give a scalar "
                "or one weight per sample"
            )
    if tf.executing_eagerly():
        values = weight.numpy()
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{where}: sample_weight contains NaN or inf")
        if np.any(values < 0):
            raise ValueError(
                f"{where}: sample_weight must be >= 0, got a minimum of {values.min()!r}"
            )


def positive_finite(value, name: str, where: str) -> float:
    """Returns ``value`` as a float if it is finite and > 0; otherwise raises ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {value!r}")
    return float(value)
