"""The custom-loss lesson's explorable figure (widget-pinball.js), from the Python side:
what it must show for a setting, computed with lossbook (tests/test_widgets.py)."""

from __future__ import annotations

import numpy as np

NAME = "pinball"
PAGE = "custom_loss"
# The page's default first. The others avoid an integer n(1 - tau) = 32 COST / (PROFIT +
# COST), where the minimiser need not be unique (then the JavaScript and NumPy may pick
# different vertices of equal loss): tau = 0.9, 0.01, 0.3 give 3.2, 31.68, 22.4.
SETTINGS = [
    {"profit": 99, "cost": 1, "bias": False},
    {"profit": 99, "cost": 1, "bias": True},
    {"profit": 9, "cost": 1, "bias": True},
    {"profit": 1, "cost": 99, "bias": True},
    {"profit": 3, "cost": 7, "bias": False},
]
# Both sides search the same vertices in float64; they solve the small systems in
# different ways (LAPACK, and Gaussian elimination in the script): 1e-9 is far above
# that rounding and far below any difference between two vertices.
TOLERANCE = {"default": {"rtol": 1e-9, "atol": 1e-9}}


def features(data: dict, bias: bool) -> np.ndarray:
    x = np.asarray(data["x"], dtype=np.float64)
    return np.hstack([x, np.ones((len(x), 1))]) if bias else x


def expected(data: dict, setting: dict) -> dict:
    import tensorflow as tf

    from lossbook.losses import asymmetric_loss
    from lossbook.train import count_residuals, exact_asymmetric_fit

    profit, cost = setting["profit"], setting["cost"]
    x, y = features(data, setting["bias"]), np.asarray(data["y"], dtype=np.float64)
    w = exact_asymmetric_fit(x, y, profit=profit, cost=cost)
    counts = count_residuals(x, y, w, tol=1e-9)
    # Per day (float64 in, float64 out), summed: the note's reduce_sum.
    loss = tf.reduce_sum(asymmetric_loss(tf.constant(y.reshape(-1, 1)), tf.constant(x @ w),
                                         profit=profit, cost=cost))
    n = len(y)
    limit = n * cost / (profit + cost)
    shown = {"tau": profit / (profit + cost), "limit": limit, "loss": float(loss),
             "short": counts.short, "exact": counts.exact, "over": counts.over,
             "status": counts.short <= limit <= counts.short + counts.exact}
    for i, value in enumerate(w.ravel()):
        shown[f"w{i}"] = float(value)
    return shown


def at_default(data: dict, setting: dict) -> dict | None:
    """What the build's run recorded for a setting, if it did (the page's defaults)."""
    if (setting["profit"], setting["cost"]) != (data["profit"], data["cost"]):
        return None
    run = data["at_default"]["bias" if setting["bias"] else "plain"]
    shown = {key: run[key] for key in ("short", "exact", "over")}
    shown.update({f"w{i}": value for i, value in enumerate(run["w"])})
    return shown
