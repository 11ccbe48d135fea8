"""Input checks shared by the losses and the training loop.

Every public function in ``lossbook`` checks its inputs here first, so that bad input
fails with a message naming the argument, its shape or dtype, and the function that
was called, before TensorFlow's kernels see it.

Two kinds of check:

* Static checks (dtypes, shapes, settings such as ``axis``) look only at what is known
  when the code runs eagerly or is traced: they raise ``TypeError``/``ValueError`` at once,
  eagerly and while ``tf.function`` or ``model.fit`` traces the loss, and cost nothing
  afterwards.
* Value checks (class ids in range, sample weights finite and >= 0) need the numbers.
  ``check_values`` runs each one with the same TensorFlow ops in every mode, so the message
  is the same text: eagerly it raises ``InvalidValuesError`` (both a ``ValueError`` and a
  ``tf.errors.InvalidArgumentError``); in a graph (``tf.function``, ``model.fit``) it adds
  an assert that raises ``tf.errors.InvalidArgumentError`` with that text when the step
  runs. XLA (``jit_compile=True``) drops asserts, so under XLA value checks are skipped;
  the losses then return NaN where they can (out-of-range class ids), as TensorFlow does.
"""

from __future__ import annotations

import math
import numbers

# isort: off
import lossbook._requires  # noqa: F401  (TensorFlow and Keras checked before use)
# isort: on
import numpy as np
import tensorflow as tf

try:  # the only way to ask whether the code being traced will be compiled with XLA
    from tensorflow.python.ops.control_flow_util import GraphOrParentsInXlaContext
except ImportError:  # pragma: no cover - a future TensorFlow may move it
    GraphOrParentsInXlaContext = None


class InvalidValuesError(ValueError, tf.errors.InvalidArgumentError):
    """Bad values (not shapes or dtypes) found eagerly by a lossbook check.

    It is a ``ValueError``, and also the ``tf.errors.InvalidArgumentError`` that the same
    check raises inside ``tf.function`` or ``model.fit``, with the same message, so one
    ``except`` clause catches it in every mode.
    """

    def __init__(self, message):
        tf.errors.InvalidArgumentError.__init__(self, None, None, message)
        self.args = (message,)

    def __reduce__(self):
        return type(self), (self.message,)


def in_xla_context() -> bool:
    """True while tracing code that XLA will compile (``jit_compile=True``)."""
    if tf.executing_eagerly():
        return False
    graph = tf.compat.v1.get_default_graph()
    if GraphOrParentsInXlaContext is None:  # pragma: no cover
        return True  # cannot tell: assume XLA, which rejects string ops
    return bool(GraphOrParentsInXlaContext(graph))


def check_values(ok, describe):
    """Checks at run time that the scalar boolean ``ok`` holds; ``describe()`` says why not.

    ``describe`` returns the message: a ``str``, or a string tensor (``tf.strings.format``)
    for messages that quote values. It is built with the same ops in every mode, so the
    text is identical eagerly and in a graph:

    * eagerly, ``InvalidValuesError(message)`` is raised at once;
    * in a graph, an assert raises ``tf.errors.InvalidArgumentError`` containing the message
      when the step runs. The message is only computed if the check fails (``tf.cond``),
      so a passing check costs the reductions that compute ``ok``;
    * under XLA nothing is added: XLA drops asserts and cannot compile string ops.

    Returns the check's boolean tensor in a graph (for ``tf.control_dependencies``, where
    a computation must not run before it), otherwise ``None``.
    """
    if tf.executing_eagerly():
        if not bool(ok):
            message = describe()
            if isinstance(message, tf.Tensor):
                message = message.numpy().decode()
            raise InvalidValuesError(message)
        return
    if in_xla_context():
        return

    def fail():
        with tf.control_dependencies([tf.debugging.Assert(False, [describe()])]):
            return tf.constant(False)

    return tf.cond(ok, lambda: tf.constant(True), fail)


def known_scalar(value, *, name: str, where: str):
    """``value`` as a Python scalar if its value is known now; otherwise ``value`` itself.

    Accepts what a Keras user passes for a setting such as ``axis`` or ``label_smoothing``:
    Python and NumPy scalars, 0-d arrays, eager tensors and variables, and graph constants
    (``tf.constant`` inside ``tf.function``). A tensor whose value is only known when the
    graph runs raises ``TypeError``, as does a tensor or array with more than one element.
    Anything else (a string, ``None``) is returned unchanged for the caller to judge.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tf.Tensor, tf.Variable, np.ndarray)):
        if isinstance(value, np.ndarray):
            static = value
        elif tf.executing_eagerly() or isinstance(value, tf.__internal__.EagerTensor):
            static = value.numpy()
        else:
            static = tf.get_static_value(value)
        if static is None:
            raise TypeError(
                f"{where}: {name} must have a value known when the loss is built or traced "
                "(a Python number or a constant tensor); got a tensor whose value is only "
                "known when the graph runs"
            )
        static = np.asarray(static)
        if static.ndim != 0:
            raise TypeError(
                f"{where}: {name} must be a single number, got an array of shape "
                f"{static.shape}"
            )
        return static.item()
    return value


def as_bool(value, *, name: str, where: str) -> bool:
    """``value`` if it is ``True`` or ``False`` (Python, NumPy or a scalar bool tensor).

    Anything else raises ``TypeError``: Keras reads ``from_logits="no"`` as true, which
    silently flips the meaning.
    """
    value = known_scalar(value, name=name, where=where)
    if not isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be True or False, got {value!r}")
    return value


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
    if true_rank is None or pred_rank is None:
        raise ValueError(
            f"{where}: the rank of y_true (shape {shape_str(y_true.shape)}) or y_pred "
            f"(shape {shape_str(y_pred.shape)}) is unknown while tracing, so they cannot "
            "be aligned; give the tf.function an input_signature of known rank, e.g. "
            "tf.TensorSpec([None, 1])"
        )
    if true_rank != pred_rank:
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
    return same_shape_at_run_time(
        y_true, y_pred, where=where, rule="be equal, or differ only by a trailing axis of size 1")


def same_shape_at_run_time(y_true: tf.Tensor, y_pred: tf.Tensor, *, where: str, rule: str):
    """Checks, when the graph runs, that two tensors of one rank whose sizes are not all
    known while tracing (``None`` in a ``TensorSpec``) have one shape; returns them, the
    computation made to wait for the check.

    In a graph the message names both shapes (``tf.errors.InvalidArgumentError``). XLA
    drops such checks; there ``y_true`` is reshaped to ``y_pred``'s shape, which fails
    loudly (with TensorFlow's message) when their sizes differ, so ``(n, 1)`` labels
    cannot broadcast against ``(n, k)`` predictions; only a pair with the same number of
    elements in another arrangement gets through.
    """
    if y_true.shape.is_fully_defined() and y_pred.shape.is_fully_defined():
        return y_true, y_pred
    true_shape, pred_shape = tf.shape(y_true), tf.shape(y_pred)
    if in_xla_context():
        return tf.reshape(y_true, pred_shape), y_pred
    checked = check_values(
        tf.reduce_all(tf.equal(true_shape, pred_shape)), lambda: tf.strings.format(
            where + ": y_true has shape {} and y_pred has shape {}; they must " + rule,
            (true_shape, pred_shape)))
    if checked is not None:  # the computation waits for the check
        with tf.control_dependencies([checked]):
            y_true, y_pred = tf.identity(y_true), tf.identity(y_pred)
    return y_true, y_pred


def prepare_pair(y_true, y_pred, *, where: str):
    """Converts, type-checks and aligns ``(y_true, y_pred)`` as Keras' losses do."""
    y_pred = as_real_tensor(y_pred, name="y_pred", where=where)
    dtype = float_dtype_of(y_pred)
    y_pred = tf.cast(y_pred, dtype) if y_pred.dtype != dtype else y_pred
    y_true = as_real_tensor(y_true, name="y_true", where=where, dtype=dtype)
    return align_last_axis(y_true, y_pred, where=where)


def check_sample_weight(sample_weight, losses_shape, *, where: str) -> tf.Tensor:
    """Checks a ``sample_weight`` against the per-sample loss shape it will weight.

    Accepts what Keras accepts for that shape (a scalar, one weight per sample, with or
    without a trailing axis of 1, or weights of the losses' rank with sizes of 1 where
    they broadcast, such as ``(batch, 1)`` for ``(batch, steps)`` losses) and rejects, with
    ``ValueError`` at once, weights that would broadcast the losses to a bigger shape.
    Negative weights and weights that are not finite are rejected by ``check_values``:
    eagerly, in ``tf.function`` and in ``model.fit`` alike (not under XLA).
    Returns the weights as a tensor.
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
        # Equal ranks: each size must be the loss's or 1 (one weight for a whole row of a
        # sequence's losses, as Keras broadcasts it): the losses never get bigger.
        ok = w_shape.rank == 0 or (
            w_shape.rank == l_shape.rank
            and all(w is None or n is None or w in (1, n)
                    for w, n in zip(w_shape.as_list(), l_shape.as_list(), strict=True))
        )
        if not ok:
            per_sequence = ""
            if (w_shape.rank == 1 and l_shape.rank >= 2 and l_shape[0] is not None
                    and w_shape[0] == l_shape[0]):
                # (batch,) against (batch, steps): one weight per sequence was meant.
                per_sequence = (f" (one weight per sequence: shape "
                                f"({l_shape[0]}, {', '.join(['1'] * (l_shape.rank - 1))}))")
            raise ValueError(
                f"{where}: sample_weight has shape {shape_str(weight.shape)} but the "
                f"per-sample losses have shape {shape_str(losses_shape)}; give a scalar "
                f"or one weight per sample{per_sequence}"
            )
    if weight.dtype.is_floating:
        check_values(
            tf.reduce_all(tf.math.is_finite(weight)),
            lambda: f"{where}: sample_weight contains NaN or inf",
        )
    if not weight.dtype.is_unsigned and weight.dtype != tf.bool:
        lowest = tf.reduce_min(weight)
        check_values(
            tf.logical_not(lowest < 0),  # an empty weight has no minimum: it passes
            lambda: tf.strings.format(
                where + ": sample_weight must be >= 0, got a minimum of {}", lowest
            ),
        )
    return weight


def positive_finite(value, name: str, where: str) -> float:
    """Returns ``value`` as a float if it is finite and > 0; otherwise raises ``ValueError``.

    Scalar tensors and NumPy scalars whose value is known are read as numbers.
    """
    value = known_scalar(value, name=name, where=where)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {value!r}")
    return float(value)
