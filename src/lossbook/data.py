"""The example data of the lessons, made exactly as the original study note makes it."""

from __future__ import annotations

# isort: off
import lossbook._requires  # noqa: F401  (TensorFlow and Keras checked before use)
# isort: on
import numpy as np
import tensorflow as tf

__all__ = ["rare_positives", "seed_weights", "yogurt_sales", "yogurt_sales_with_typos"]


def yogurt_sales(seed: int = 23455, n: int = 32, noise: float = 0.05):
    """Daily yogurt sales ``y_`` driven by two factors ``x1, x2``: ``y_ = x1 + x2 + noise``.

    Introduced in the lesson "Mean squared error" (``mse.md``). The draws are the study
    note's, in its order: ``RandomState(seed).rand(n, 2)`` for ``x``, then one
    ``rand()`` per row for the noise, mapped to ``[-noise, noise)``.

    Returns:
        ``(x, y_)``: float32 arrays of shape ``(n, 2)`` and ``(n, 1)``, the values the
        note's TensorFlow code computes with.
    """
    if not (isinstance(n, (int, np.integer)) and n > 0):
        raise ValueError(f"yogurt_sales: n must be a positive integer, got {n!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"yogurt_sales: noise must be finite and >= 0, got {noise!r}")
    rdm = np.random.RandomState(seed=seed)
    x = rdm.rand(n, 2)
    # rand() / 10.0 - 0.05 for noise=0.05, written so that it is bit-for-bit the note's.
    scale = 0.5 / noise if noise > 0 else np.inf
    y_ = [[x1 + x2 + (rdm.rand() / scale - noise)] for (x1, x2) in x]
    return x.astype(np.float32), np.asarray(y_, dtype=np.float32)


def yogurt_sales_with_typos(days: int = 3, factor: float = 5.0, seed: int = 4):
    """The yogurt data with a few days whose sales were recorded ``factor`` times too high.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).
    The story: on ``days`` days the till counted every sale ``factor`` times. ``x`` and the
    other days are exactly ``yogurt_sales()``'s; the bad days are
    ``np.random.default_rng(seed).choice(32, days, replace=False)``, sorted.

    Returns:
        ``(x, y_, bad)``: ``x`` of shape ``(32, 2)`` and ``y_`` of shape ``(32, 1)``,
        float32 as ``yogurt_sales()`` returns them, with ``y_[bad]`` multiplied by
        ``factor``; ``bad``, the indices of those days (int64, sorted).
    """
    x, y_ = yogurt_sales()
    n = len(x)
    if isinstance(days, bool) or not (isinstance(days, (int, np.integer)) and 0 <= days <= n):
        raise ValueError(
            f"yogurt_sales_with_typos: days must be an integer from 0 to {n}, got {days!r}"
        )
    with np.errstate(over="ignore", under="ignore"):
        ok = not isinstance(factor, (bool, complex, np.complexfloating)) and (
            isinstance(factor, (int, float, np.number))
            and np.isfinite(factor) and factor > 0
            and np.isfinite(np.float32(factor) * y_.max()) and np.float32(factor) > 0
        )
    if not ok:
        raise ValueError(
            "yogurt_sales_with_typos: factor must be a finite number > 0 that keeps the "
            f"sales finite and > 0 in float32, got {factor!r}"
        )
    bad = np.sort(np.random.default_rng(seed).choice(n, size=days, replace=False))
    y_ = y_.copy()
    y_[bad] *= np.float32(factor)
    return x, y_, bad.astype(np.int64)


def seed_weights(shape=(2, 1), stddev: float = 1.0, seed: int = 1) -> np.ndarray:
    """The weights ``tf.random.normal(shape, stddev=stddev, seed=seed)`` gives on its first call.

    Introduced in the lesson "Mean squared error" (``mse.md``). In eager mode an op seed
    alone does not fix the value: a second call in the same process draws the next
    numbers. Drawing in a fresh graph reproduces the first call, whatever ran before.
    """

    with tf.Graph().as_default():
        draw = tf.random.normal(shape, stddev=stddev, seed=seed)
        with tf.compat.v1.Session() as session:
            return session.run(draw)


def rare_positives(n: int = 20_000, positive_rate: float = 0.02, separation: float = 1.5,
                   seed: int = 0):
    """Two features and a label that is 1 (positive) for a few rows only.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``). Exactly
    ``round(n * positive_rate)`` rows are positive, in an order shuffled with
    ``np.random.default_rng(seed)``. A negative's features are drawn from the standard
    normal distribution in two dimensions, a positive's from the same distribution
    shifted by ``separation * (0.8, 0.6)`` (a shift of length ``separation``). The two
    classes overlap, so no model separates them; the probability of a positive given
    ``x`` is a sigmoid of a linear function of ``x``, so logistic regression is the
    right model.

    Returns:
        ``(x, y)``: float32 arrays of shape ``(n, 2)`` and ``(n, 1)``, ``y`` of 0s and 1s.

    Raises:
        ValueError: if ``n`` is not a positive integer, ``positive_rate`` is not a number
            that gives at least one row of each class, or ``separation`` is not a
            finite number >= 0.
    """
    where = "rare_positives"
    if isinstance(n, bool) or not (isinstance(n, (int, np.integer)) and n > 1):
        raise ValueError(f"{where}: n must be an integer >= 2, got {n!r}")
    ok = isinstance(positive_rate, (int, float, np.integer, np.floating)) and not isinstance(
        positive_rate, bool
    ) and np.isfinite(positive_rate)
    n_positive = int(round(n * positive_rate)) if ok else 0
    if not (ok and 0 < n_positive < n):
        raise ValueError(
            f"{where}: positive_rate must be a number that makes at least one row of each "
            f"class among n = {n} (round(n * positive_rate) from 1 to {n - 1}), "
            f"got {positive_rate!r}"
        )
    if isinstance(separation, bool) or not (
        isinstance(separation, (int, float, np.integer, np.floating))
        and np.isfinite(separation) and separation >= 0
    ):
        raise ValueError(f"{where}: separation must be a finite number >= 0, got {separation!r}")
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.float32)
    y[:n_positive] = 1.0
    rng.shuffle(y)
    shift = float(separation) * np.array([0.8, 0.6])
    x = rng.normal(size=(n, 2)) + y[:, None] * shift
    return x.astype(np.float32), y[:, None]
