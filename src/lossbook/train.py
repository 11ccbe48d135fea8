"""A fast gradient-descent loop for the linear model ``y = x @ w`` of the lessons."""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
import tensorflow as tf

from lossbook._checks import as_real_tensor, shape_str
from lossbook.data import seed_weights

__all__ = ["History", "fit_linear"]


@dataclasses.dataclass(frozen=True)
class History:
    """What ``fit_linear`` recorded.

    ``step``, ``weights`` and ``loss`` are the logged rows: every ``log_every``-th step
    and the last one. ``weights[i]`` is ``w`` after the update of step ``step[i]`` and
    ``loss[i]`` the loss that step computed, as the study note prints them.
    ``all_weights`` and ``all_loss`` hold every step, for plots.
    """

    step: np.ndarray
    weights: np.ndarray
    loss: np.ndarray
    all_weights: np.ndarray
    all_loss: np.ndarray


def _as_scalar_loss(value):
    # Per-sample losses (Keras' function convention) are averaged, like
    # reduction="sum_over_batch_size".
    return value if value.shape.rank == 0 else tf.reduce_mean(value)


def _build_loop(loss_fn, steps: int, jit_compile: bool):
    def loop(x, y_true, w0, learning_rate):
        w = w0
        all_w = tf.TensorArray(w0.dtype, size=steps, element_shape=w0.shape)
        all_loss = tf.TensorArray(w0.dtype, size=steps, element_shape=())

        def cond(i, w, finite, all_w, all_loss):
            return tf.logical_and(i < steps, finite)

        def body(i, w, finite, all_w, all_loss):
            with tf.GradientTape() as tape:
                tape.watch(w)
                loss = _as_scalar_loss(loss_fn(y_true, tf.matmul(x, w)))
            grad = tape.gradient(loss, w)
            w = w - learning_rate * grad
            finite = tf.math.is_finite(loss)
            return i + 1, w, finite, all_w.write(i, w), all_loss.write(i, loss)

        i, w, finite, all_w, all_loss = tf.while_loop(
            cond, body, (tf.constant(0), w, tf.constant(True), all_w, all_loss),
            maximum_iterations=steps,
        )
        return i, all_w.stack(), all_loss.stack()

    return tf.function(loop, jit_compile=jit_compile, autograph=False)


_LOOPS: dict = {}


def _loop_for(loss_fn, steps, jit_compile):
    key = (id(loss_fn), steps, jit_compile)
    cached = _LOOPS.get(key)
    if cached is None or cached[0] is not loss_fn:
        if len(_LOOPS) > 32:
            _LOOPS.clear()
        cached = (loss_fn, _build_loop(loss_fn, steps, jit_compile))
        _LOOPS[key] = cached
    return cached[1]


def fit_linear(
    x,
    y_true,
    loss_fn,
    *,
    steps: int,
    learning_rate: float,
    init=None,
    log_every: int = 500,
    jit_compile: bool = True,
):
    """Fits ``y = x @ w`` by plain gradient descent on ``loss_fn``, the loop compiled.

    Introduced in the lesson "Mean squared error" (``mse.md``). Each step does what the
    study note's eager loop does: compute ``loss_fn(y_true, x @ w)`` under a
    ``GradientTape`` and take ``w -= learning_rate * gradient``. The whole loop runs as
    one ``tf.function`` (XLA-compiled by default), so thousands of steps take
    milliseconds instead of seconds, with the eager loop's result.

    Args:
        x: inputs, shape ``(n, k)``.
        y_true: known answers, shape ``(n, 1)`` (or ``(n,)``, aligned to ``(n, 1)``).
        loss_fn: ``loss_fn(y_true, y_pred)`` returning a scalar, or per-sample values
            that are then averaged. A ``lossbook`` or Keras loss function or object works.
        steps: number of gradient steps, > 0.
        learning_rate: step size, finite and > 0.
        init: initial ``w``, shape ``(k, 1)``; by default the note's
            ``tf.random.normal([k, 1], stddev=1, seed=1)`` (see ``seed_weights``).
        log_every: record a row of ``History.step/weights/loss`` every this many steps.
        jit_compile: compile the loop with XLA.

    Returns:
        ``(w, history)``: the final weights as a ``(k, 1)`` NumPy array and a ``History``.

    Raises:
        ValueError: on bad shapes or settings, naming them.
        FloatingPointError: if the loss stops being finite, naming the step.
    """
    where = "fit_linear"
    for name, value in (("steps", steps), ("log_every", log_every)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) or not (
        np.isfinite(learning_rate) and learning_rate > 0
    ):
        raise ValueError(
            f"{where}: learning_rate must be a finite number > 0, got {learning_rate!r}"
        )
    if not callable(loss_fn):
        raise TypeError(f"{where}: loss_fn must be callable, got {type(loss_fn).__name__}")

    x = as_real_tensor(x, name="x", where=where)
    dtype = x.dtype if x.dtype.is_floating else tf.float32
    x = tf.cast(x, dtype)
    y_true = as_real_tensor(y_true, name="y_true", where=where, dtype=dtype)
    if x.shape.rank != 2:
        raise ValueError(f"{where}: x must have shape (n, k), got {shape_str(x.shape)}")
    n, k = x.shape
    if y_true.shape.rank == 1:
        y_true = y_true[:, None]
    if y_true.shape != (n, 1):
        raise ValueError(
            f"{where}: y_true must have shape ({n}, 1) or ({n},) to match x of shape "
            f"{shape_str(x.shape)}, got {shape_str(y_true.shape)}"
        )
    w0 = seed_weights((k, 1)) if init is None else init
    w0 = as_real_tensor(w0, name="init", where=where, dtype=dtype)
    if w0.shape != (k, 1):
        raise ValueError(
            f"{where}: init must have shape ({k}, 1) for x of shape {shape_str(x.shape)}, "
            f"got {shape_str(w0.shape)}"
        )

    loop = _loop_for(loss_fn, int(steps), bool(jit_compile))
    done, all_w, all_loss = loop(x, y_true, w0, tf.constant(learning_rate, dtype))
    done = int(done)
    all_w, all_loss = all_w.numpy()[:done], all_loss.numpy()[:done]
    if done < steps or not np.isfinite(all_loss[-1]):
        last_good = all_w[-2] if done > 1 else w0.numpy()
        raise FloatingPointError(
            f"{where}: the loss became {all_loss[-1]} at step {done - 1} "
            f"(learning_rate={learning_rate:g}); the weights before that step were "
            f"{np.array2string(last_good.ravel(), precision=4)}. "
            "Try a smaller learning_rate, or check x and y_true for NaN/inf."
        )
    logged = np.unique(np.r_[np.arange(0, steps, log_every), steps - 1])
    history = History(
        step=logged,
        weights=all_w[logged],
        loss=all_loss[logged],
        all_weights=all_w,
        all_loss=all_loss,
    )
    return all_w[-1], history
