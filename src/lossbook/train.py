"""A fast gradient-descent loop for the linear model ``y = x @ w`` of the lessons."""

from __future__ import annotations

# isort: off
import lossbook._requires  # noqa: F401  (TensorFlow and Keras checked before use)
# isort: on
import contextlib
import dataclasses
import functools
import itertools
import math
import numbers
import types
import typing

import numpy as np
import tensorflow as tf

from lossbook._checks import as_real_tensor, positive_finite, shape_str
from lossbook.data import seed_weights

__all__ = [
    "History", "ResidualCounts", "count_residuals", "exact_asymmetric_fit", "fit_linear",
    "newton_fit",
]


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


_EPS = {tf.float16: 2.0**-10, tf.bfloat16: 2.0**-7, tf.float32: 2.0**-23, tf.float64: 2.0**-52}


class _TracingError(Exception):
    """An error raised while tracing the user's loss or schedule, with a clear message."""


def _call_user_code(what: str, fn, *args):
    # Runs loss_fn or the schedule while the loop is traced, so a mistake that only shows
    # in graph mode (a Python `if` on a tensor, NumPy on a symbolic tensor) is named as
    # the reader's code, not as an error deep inside TensorFlow.
    try:
        return fn(*args)
    except tf.errors.OperatorNotAllowedInGraphError as err:
        raise _TracingError(
            f"{what} uses a tensor as a Python bool (an `if`, `while`, `and`/`or` on a "
            "tensor), which cannot run inside the compiled loop; write it with TensorFlow "
            f"ops such as tf.where or tf.cond ({err})"
        ) from err
    except Exception as err:  # noqa: BLE001 - re-raised with the culprit named
        raise _TracingError(
            f"{what} failed inside the compiled loop (it is called with symbolic tensors, "
            f"so it must use TensorFlow ops): {type(err).__name__}: {err}"
        ) from err


def _build_loop(loss_fn, steps: int, jit_compile: bool, schedule):
    def loop(x, y_true, w0, learning_rate):
        all_w = tf.TensorArray(w0.dtype, size=steps, element_shape=w0.shape)
        all_loss = tf.TensorArray(w0.dtype, size=steps, element_shape=())

        def cond(i, w, finite, rate_ok, bad_rate, all_w, all_loss):
            return tf.logical_and(i < steps, tf.logical_and(finite, rate_ok))

        def body(i, w, finite, rate_ok, bad_rate, all_w, all_loss):
            with tf.GradientTape() as tape:
                tape.watch(w)
                value = _call_user_code("loss_fn", loss_fn, y_true, tf.matmul(x, w))
                try:
                    value = tf.convert_to_tensor(value)
                except (TypeError, ValueError) as err:
                    raise _TracingError(
                        f"loss_fn must return a tensor, got {type(value).__name__}"
                    ) from err
                if not value.dtype.is_floating:
                    raise _TracingError(
                        f"loss_fn must return floating-point values, got {value.dtype.name}"
                    )
                loss = tf.cast(_as_scalar_loss(value), w.dtype)
            grad = tape.gradient(loss, w)
            if grad is None:
                raise _TracingError(
                    "the loss returned by loss_fn has no gradient with respect to the "
                    "weights: its value is not computed from y_pred by differentiable "
                    "TensorFlow ops (for example it is a constant, or went through NumPy "
                    "or tf.round)"
                )
            if schedule:
                rate = tf.convert_to_tensor(_call_user_code("the learning_rate schedule",
                                                            schedule, i))
                if rate.shape.rank != 0:
                    raise _TracingError(
                        "the learning_rate schedule must return a scalar, got shape "
                        f"{shape_str(rate.shape)}"
                    )
                if not (rate.dtype.is_floating or rate.dtype.is_integer):
                    raise _TracingError(
                        f"the learning_rate schedule must return a real number, got "
                        f"{rate.dtype.name}"
                    )
                rate = tf.cast(rate, w.dtype)
            else:
                rate = learning_rate
            # A bad rate stops the loop before it touches w; the caller names it. A rate
            # within rounding of 0 counts as 0: Keras' PolynomialDecay(end=0) can end
            # at -1.5e-9 in float32.
            rate_ok = tf.logical_and(tf.math.is_finite(rate), rate > -_EPS[w.dtype])
            w = tf.where(rate_ok, w - tf.maximum(rate, 0) * grad, w)
            finite = tf.math.is_finite(loss)
            return (i + 1, w, finite, rate_ok, rate, all_w.write(i, w),
                    all_loss.write(i, loss))

        zero = tf.constant(0, w0.dtype)
        i, w, finite, rate_ok, bad_rate, all_w, all_loss = tf.while_loop(
            cond, body,
            (tf.constant(0), w0, tf.constant(True), tf.constant(True), zero, all_w, all_loss),
            maximum_iterations=steps,
        )
        return i, rate_ok, bad_rate, all_w.stack(), all_loss.stack()

    return tf.function(loop, jit_compile=jit_compile, autograph=False)


_LOOPS: dict = {}


@contextlib.contextmanager
def _quiet_retracing():
    # Each new loss or step count is a new compiled loop by design; TensorFlow's
    # "triggered tf.function retracing" warning after a few of them is not news here.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        yield
    finally:
        logger.setLevel(level)


def _state_of(obj) -> str:
    """What a loss or schedule bakes into a traced loop: its config, or its attributes.

    A traced loop holds the values ``profit`` and ``cost`` had when it was traced; if the
    object is changed afterwards, this string changes too and the loop is traced again.
    """
    if obj is None:
        return ""
    get_config = getattr(obj, "get_config", None)
    if callable(get_config):
        try:
            return repr(sorted(get_config().items()))
        except Exception:  # noqa: BLE001 - fall back to the attributes below
            pass
    if isinstance(obj, functools.partial):
        return repr((obj.func, obj.args, sorted(obj.keywords.items())))
    if isinstance(obj, (types.FunctionType, types.MethodType, types.BuiltinFunctionType)):
        return ""
    if hasattr(obj, "__dict__"):
        return repr(sorted((key, repr(value)) for key, value in vars(obj).items()))
    return ""


def _loop_for(loss_fn, steps, jit_compile, schedule):
    key = (id(loss_fn), _state_of(loss_fn), steps, jit_compile, id(schedule),
           _state_of(schedule))
    cached = _LOOPS.get(key)
    if cached is None or cached[0] is not loss_fn or cached[1] is not schedule:
        if len(_LOOPS) > 32:
            _LOOPS.clear()
        cached = (loss_fn, schedule, _build_loop(loss_fn, steps, jit_compile, schedule))
        _LOOPS[key] = cached
    return cached[2]


def _as_rate(learning_rate, where: str) -> float:
    """A fixed learning rate (a number, or a scalar tensor or array) as a float > 0."""
    value = learning_rate
    if not isinstance(value, numbers.Real) and (
        hasattr(value, "__array__") or hasattr(value, "numpy")
    ):  # a tf.Tensor, tf.Variable, keras.Variable or NumPy array
        try:
            array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        except Exception as err:  # noqa: BLE001 - a symbolic tensor has no value yet
            raise ValueError(
                f"{where}: learning_rate {type(value).__name__} has no value to read "
                f"({err}); pass a number, an eager tensor or a schedule"
            ) from None
        if array.shape != () or array.dtype.kind not in "fiu":
            raise ValueError(
                f"{where}: learning_rate must be a single real number, got an array of "
                f"shape {array.shape} and dtype {array.dtype}"
            )
        value = array.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
        np.isfinite(value) and value > 0
    ):
        raise ValueError(
            f"{where}: learning_rate must be a finite number > 0 or a schedule, "
            f"got {learning_rate!r}"
        )
    return float(value)


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
        learning_rate: step size, finite and > 0 (a number, or a scalar tensor or array,
            read once); or a schedule, ``learning_rate(step)``, such as a
            ``keras.optimizers.schedules.LearningRateSchedule`` (introduced in
            ``custom_loss.md``), called with the step number from 0 as a tensor inside
            the compiled loop, so written with TensorFlow ops; it must return a finite
            rate >= 0.
        init: initial ``w``, shape ``(k, 1)``; by default the note's
            ``tf.random.normal([k, 1], stddev=1, seed=1)`` (see ``seed_weights``).
        log_every: record a row of ``History.step/weights/loss`` every this many steps.
        jit_compile: compile the loop with XLA.

    Returns:
        ``(w, history)``: the final weights as a ``(k, 1)`` NumPy array and a ``History``.

    Raises:
        ValueError: on bad shapes or settings, naming them; if ``x`` is empty; if the
            schedule returns a negative or non-finite rate (naming the step); if
            ``loss_fn`` or the schedule cannot run inside the compiled loop, or the
            loss has no gradient with respect to the weights.
        FloatingPointError: if the loss stops being finite, naming the step.
    """
    where = "fit_linear"
    for name, value in (("steps", steps), ("log_every", log_every)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    schedule = learning_rate if callable(learning_rate) else None
    if schedule is None:
        learning_rate = _as_rate(learning_rate, where)
    if not callable(loss_fn):
        raise TypeError(f"{where}: loss_fn must be callable, got {type(loss_fn).__name__}")

    x = as_real_tensor(x, name="x", where=where)
    dtype = x.dtype if x.dtype.is_floating else tf.float32
    x = tf.cast(x, dtype)
    y_true = as_real_tensor(y_true, name="y_true", where=where, dtype=dtype)
    if x.shape.rank != 2:
        raise ValueError(f"{where}: x must have shape (n, k), got {shape_str(x.shape)}")
    n, k = x.shape
    if n == 0 or k == 0:
        raise ValueError(
            f"{where}: x is empty (shape {shape_str(x.shape)}); it needs at least one "
            "sample and one column"
        )
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

    loop = _loop_for(loss_fn, int(steps), bool(jit_compile), schedule)
    rate = tf.constant(0.0 if schedule else learning_rate, dtype)
    try:
        with _quiet_retracing():
            done, rate_ok, bad_rate, all_w, all_loss = loop(x, y_true, w0, rate)
    except _TracingError as err:
        raise ValueError(f"{where}: {err}") from err.__cause__
    done = int(done)
    all_w, all_loss = all_w.numpy()[:done], all_loss.numpy()[:done]
    if not bool(rate_ok):
        raise ValueError(
            f"{where}: the learning_rate schedule returned {float(bad_rate):.6g} at "
            f"step {done - 1}; a learning rate must be finite and >= 0"
        )
    if done < steps or not np.isfinite(all_loss[-1]):
        last_good = all_w[-2] if done > 1 else w0.numpy()
        raise FloatingPointError(
            f"{where}: the loss became {all_loss[-1]} at step {done - 1} "
            f"(learning_rate={learning_rate if schedule else format(learning_rate, 'g')}); "
            "the weights before that step were "
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


def _fit_data(x, y_true, where: str):
    """``x`` of shape ``(n, k)`` and ``y_true`` of shape ``(n,)`` or ``(n, 1)`` as float64
    (``y`` flattened), finite and non-empty; or ``ValueError``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y_true, dtype=np.float64)
    if x.ndim != 2 or y.shape not in ((x.shape[0],), (x.shape[0], 1)):
        raise ValueError(
            f"{where}: x must have shape (n, k) and y_true shape (n,) or (n, 1), got x "
            f"{x.shape} and y_true {y.shape}"
        )
    for name, values in (("x", x), ("y_true", y)):
        if not np.all(np.isfinite(values)):
            bad = "NaN" if np.isnan(values).any() else "inf"
            raise ValueError(f"{where}: {name} holds {bad}; the fit needs finite values")
    if x.size == 0:
        raise ValueError(f"{where}: x is empty (shape {x.shape})")
    return x, y.reshape(-1)


def _check_full_rank(x, where: str) -> None:
    rank = np.linalg.matrix_rank(x)  # relative to x's largest singular value
    if rank < x.shape[1]:
        raise ValueError(
            f"{where}: x has rank {rank} < {x.shape[1]} columns, so no unique fit exists "
            "(a column is a combination of the others)"
        )


def exact_asymmetric_fit(x, y_true, *, profit, cost, max_candidates: int = 200_000):
    """The exact ``w`` minimising the summed profit/cost loss of ``y = x @ w``.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``). The
    loss is piecewise linear in ``w``, so a minimiser lies at a vertex: a ``w`` whose
    predictions pass exactly through ``k`` of the ``n`` points (``k`` = number of columns
    of ``x``). This tries every such vertex in float64, which is exact and fine for the
    lessons' sizes (32 points, 2 or 3 weights); gradient descent should approach it.

    Returns:
        ``w`` as a float64 array of shape ``(k, 1)``.

    Raises:
        ValueError: on bad shapes, NaN or inf in ``x`` or ``y_true``, ``x`` of rank
            below its number of columns (judged relative to its largest singular value,
            so scaling ``x`` does not change the verdict), a bad ``profit``/``cost``,
            or more than ``max_candidates`` vertices to try.
    """
    where = "exact_asymmetric_fit"
    profit = positive_finite(profit, "profit", where)
    cost = positive_finite(cost, "cost", where)
    x, y = _fit_data(x, y_true, where)
    n, k = x.shape
    if math.comb(n, k) > max_candidates:
        raise ValueError(
            f"{where}: {math.comb(n, k)} vertices to try for n={n}, k={k}; "
            f"more than max_candidates={max_candidates}"
        )
    _check_full_rank(x, where)
    scale = np.linalg.norm(x, 2)  # a vertex is skipped if nearly singular on this scale
    best_loss, best_w = np.inf, None
    for rows in itertools.combinations(range(n), k):
        a = x[list(rows)]
        if np.linalg.svd(a, compute_uv=False)[-1] <= 1e-10 * scale:
            continue
        w = np.linalg.solve(a, y[list(rows)])
        residual = y - x @ w
        loss = np.sum(np.where(residual > 0, profit * residual, -cost * residual))
        if loss < best_loss:
            best_loss, best_w = loss, w
    if best_w is None:  # pragma: no cover - rank k means some k rows are independent
        raise ValueError(f"{where}: no {k} rows of x are linearly independent")
    return best_w.reshape(k, 1)


class ResidualCounts(typing.NamedTuple):
    """How many samples a fit predicts too low (``short``), exactly, and too high."""

    short: int
    exact: int
    over: int


def count_residuals(x, y_true, w, *, tol: float = 1e-4) -> ResidualCounts:
    """Counts the samples that ``y = x @ w`` predicts too low, within ``tol``, too high.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``): with
    a bias column in ``x``, the minimiser of the profit/cost loss runs short on
    ``short`` days with ``short <= n * COST / (PROFIT + COST) <= short + exact``.
    Computed in float64.
    """
    where = "count_residuals"
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    if x.ndim != 2 or y.size != x.shape[0] or w.size != x.shape[1]:
        raise ValueError(
            f"{where}: x must have shape (n, k), y_true n values and w k values; got x "
            f"{x.shape}, y_true {np.shape(y_true)}, w {w.shape}"
        )
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(f"{where}: tol must be a finite number >= 0, got {tol!r}")
    residual = y - x @ w.reshape(-1)
    exact = np.abs(residual) <= tol
    return ResidualCounts(int(np.sum(residual > tol)), int(np.sum(exact)),
                          int(np.sum(residual < -tol)))


def newton_fit(x, y_true, loss_fn, *, init=None, tol: float = 1e-10, max_steps: int = 200):
    """The ``w`` minimising a smooth convex loss of ``y = x @ w``, by Newton's method.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``),
    to compare losses by their exact minimisers, without asking whether gradient descent
    has finished. Computes in float64: the mean of ``loss_fn(y_true, x @ w)``, its
    gradient and its Hessian (``k x k``) by TensorFlow's automatic differentiation. Each
    step solves ``(H + lam I) d = -g`` and keeps the step only if the loss goes down
    (then ``lam`` shrinks; otherwise it grows and the step is retried): Newton's steps
    near the minimum, short gradient steps where the Hessian is flat (Huber with every
    error beyond ``delta``). It stops when every entry of the gradient is <= ``tol``,
    and then checks that the Hessian has no negative eigenvalue (a minimum, not a
    maximum or a saddle).

    Args:
        x: inputs, shape ``(n, k)``, finite.
        y_true: known answers, ``n`` values (shape ``(n, 1)`` or ``(n,)``), finite.
        loss_fn: ``loss_fn(y_true, y_pred)``, per-sample values or a scalar, smooth and
            convex in ``y_pred`` (``mean_squared_error``, ``huber``, ``log_cosh``, ...).
            For the mean absolute error and the pinball loss, which have corners, use
            ``exact_asymmetric_fit``.
        init: starting ``w`` (``k`` values); by default the least-squares fit.
        tol: the largest gradient entry accepted at the minimum, >= 0.
        max_steps: how many steps to try, > 0.

    Returns:
        ``w`` as a float64 array of shape ``(k, 1)``.

    Raises:
        ValueError: on bad shapes, NaN or inf in the data, ``x`` of rank below its
            number of columns, a bad ``tol`` or ``max_steps``, a ``loss_fn`` that is not
            callable, has no gradient, does not compute in float64 (a ``Loss`` object
            of dtype float32, say), or turns NaN or inf; or if the point found is not a
            minimum (the loss is not convex there).
        RuntimeError: if the gradient is still above ``tol`` after ``max_steps`` steps,
            or no step lowers the loss while it is (the message gives it).
    """
    where = "newton_fit"
    if not callable(loss_fn):
        raise ValueError(f"{where}: loss_fn must be callable, got {loss_fn!r}")
    x, y = _fit_data(x, y_true, where)
    _check_full_rank(x, where)
    if not (isinstance(tol, numbers.Real) and math.isfinite(tol) and tol >= 0):
        raise ValueError(f"{where}: tol must be a finite number >= 0, got {tol!r}")
    if isinstance(max_steps, bool) or not (isinstance(max_steps, numbers.Integral)
                                           and max_steps > 0):
        raise ValueError(f"{where}: max_steps must be an integer > 0, got {max_steps!r}")
    k = x.shape[1]
    y = y.reshape(-1, 1)
    if init is None:
        w = np.linalg.lstsq(x, y, rcond=None)[0]
    else:
        w = np.asarray(init, dtype=np.float64).reshape(-1, 1)
        if w.shape[0] != k or not np.all(np.isfinite(w)):
            raise ValueError(f"{where}: init must be {k} finite values, got {np.shape(init)}")
    xt, yt = tf.constant(x), tf.constant(y)

    def value(w):
        loss = tf.convert_to_tensor(loss_fn(yt, xt @ w))
        if loss.dtype != tf.float64:
            raise ValueError(
                f"{where}: loss_fn returned {loss.dtype.name}; newton_fit needs the loss in "
                "float64 (use a function such as lossbook.losses.huber, or a Loss object "
                "made with dtype='float64')"
            )
        return _as_scalar_loss(loss)

    def derivatives(w):
        w = tf.constant(w)
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(w)
            with tf.GradientTape() as inner:
                inner.watch(w)
                loss = value(w)
            grad = inner.gradient(loss, w)
            if grad is None:
                raise ValueError(f"{where}: loss_fn has no gradient with respect to the "
                                 "predictions (NumPy inside it, or stop_gradient?)")
            rows = [grad[i, 0] for i in range(k)]
        hessian = np.zeros((k, k))
        for i, row in enumerate(rows):  # k is small: a row at a time, no retracing
            second = outer.gradient(row, w)
            if second is not None:
                hessian[i] = second.numpy().ravel()
        del outer
        return float(loss), grad.numpy(), hessian

    def checked(loss, w):
        if not math.isfinite(loss):
            raise ValueError(f"{where}: the loss is {loss} at w = {w.ravel().tolist()}")

    def minimum(w, hessian):
        lowest = np.linalg.eigvalsh(hessian).min()
        if lowest < -1e-9 * max(1.0, float(np.abs(hessian).max())):
            raise ValueError(
                f"{where}: w = {w.ravel().tolist()} has zero gradient but is not a minimum "
                f"(the Hessian has the eigenvalue {lowest:.3g} < 0): the loss is not convex"
            )
        return w

    loss, grad, hessian = derivatives(w)
    checked(loss, w)
    lam = 1e-8 * max(1.0, float(np.abs(hessian).max()))
    for _ in range(max_steps):
        if np.abs(grad).max() <= tol:
            return minimum(w, hessian)
        while True:
            step = np.linalg.solve(hessian + lam * np.eye(k), -grad)
            candidate = w + step
            new_loss = float(value(tf.constant(candidate)))
            if math.isfinite(new_loss) and new_loss <= loss:
                break
            lam = max(lam * 10.0, 1e-12)
            if lam > 1e30:
                raise RuntimeError(
                    f"{where}: no step lowers the loss at w = {w.ravel().tolist()}, but the "
                    f"largest gradient entry is {np.abs(grad).max():.3g} > tol={tol:g} (a "
                    "loss that is not smooth there, or a tol below its rounding)"
                )
        lam /= 10.0
        w = candidate
        loss, grad, hessian = derivatives(w)
        checked(loss, w)
    if np.abs(grad).max() <= tol:
        return minimum(w, hessian)
    raise RuntimeError(
        f"{where}: not converged in {max_steps} steps; the largest gradient entry is "
        f"{np.abs(grad).max():.3g} > tol={tol:g}"
    )
