"""The `robust` widget on robust_regression: three fitted lines y = a + b*s, one per loss.

The picture plots the 32 days' sales y against s = x1 + x2 (the lesson's first figure)
and fits a line with an intercept in that one input, for the picture only (the lesson's
model has two weights and no bias). One day, "the dragged point", is moved by the reader;
the widget refits mean squared error (least squares), mean absolute error (exact vertex
search) and Huber with delta = 1 (Newton's method) in JavaScript, and this module
computes the same three fits with lossbook: ``newton_fit`` for MSE and Huber,
``exact_asymmetric_fit(profit=1, cost=1)`` for MAE.
"""

from __future__ import annotations

import numpy as np

NAME = "robust"
PAGE = "robust_regression"

# The sliders the widget shows (the plot box is the same range); step 0.01 each.
PX_RANGE = (0.0, 2.0)
PY_RANGE = (-1.0, 6.0)


def _data():
    from lossbook.data import yogurt_sales_with_typos

    x, y, bad = yogurt_sales_with_typos(days=3, factor=5.0, seed=4)
    s = x[:, 0].astype(np.float64) + x[:, 1].astype(np.float64)
    return s, y.astype(np.float64).ravel(), bad


def _fits(s, y) -> dict:
    from lossbook.losses import huber, mean_squared_error
    from lossbook.train import exact_asymmetric_fit, newton_fit

    design = np.column_stack([np.ones_like(s), s])  # X = [1, s], float64
    fits = {
        "mse": newton_fit(design, y, mean_squared_error),
        "mae": exact_asymmetric_fit(design, y, profit=1, cost=1),
        "huber": newton_fit(design, y, huber),  # lossbook's default delta = 1.0 (Keras')
    }
    return {key: [float(v) for v in w.ravel()] for key, w in fits.items()}


def page_data() -> dict:
    s, y, bad = _data()
    point = int(bad[np.argmax(y[bad])])  # the bad day with the largest recorded sales
    return {
        "s": [float(v) for v in s],
        "y": [float(v) for v in y],
        "bad": [int(i) for i in bad],
        "delta": 1.0,
        "point": point,
        "at_default": _fits(s, y),
    }


# Keys are filled in this order; "point" first, because choosing a day puts every day
# back where it was recorded (px, py become that day's s and y). A key left out keeps
# the recorded value. Values of px/py are multiples of the sliders' step 0.01.
SLIDER_STEP = 0.01  # the s and y sliders of the page's script

SETTINGS: list[dict] = [
    {"point": 29},                          # the default: the recorded data
    {"point": 29, "px": 0.89, "py": 0.89},  # the bad day put down onto the line y = s
                                            # (0.89 is within half a step of its s)
    {"point": 29, "py": 6.0},               # the bad day moved up to the top of the range
    {"point": 7, "py": -1.0},               # the ordinary day with the largest s, far down
    {"point": 25, "px": 0.35, "py": 5.0},   # an ordinary day with small s, made a 4th outlier
]


def expected(data: dict, setting: dict) -> dict[str, float]:
    s = np.array(data["s"], dtype=np.float64)
    y = np.array(data["y"], dtype=np.float64)
    i = int(setting.get("point", data["point"]))
    # The sliders move on a grid of 0.01 and the recorded values are off it: within half
    # a step of where the day was recorded, the page puts it back there.
    for values, key in ((s, "px"), (y, "py")):
        if key in setting and abs(float(setting[key]) - values[i]) > SLIDER_STEP / 2:
            values[i] = float(setting[key])
    fits = _fits(s, y)
    out = {}
    for key, (a, b) in fits.items():
        out[f"{key}_a"], out[f"{key}_b"] = a, b
    return out


# Both sides compute in float64. MSE: closed form in JS vs lstsq/Newton here (a few ulp
# apart). MAE: the same vertex in both (first pair i<j with the smallest loss; every
# setting above has a unique minimiser, by a margin far above rounding), solved as a 2x2
# system: ~1e-15 apart. Huber: lossbook stops at a gradient <= 1e-10, the widget at
# <= 1e-12; on a fixed active set Newton's step is exact, so they agree to ~1e-12 or
# better. rtol 1e-6 / atol 1e-8 leave ample room without hiding a wrong vertex or line.
TOLERANCE = {"default": {"rtol": 1e-6, "atol": 1e-8}}


def at_default(data: dict, setting: dict) -> dict | None:
    """The build's run's three lines, for the recorded data (no day moved)."""
    if set(setting) != {"point"}:
        return None
    shown = {}
    for key, (a, b) in data["at_default"].items():
        shown[f"{key}_a"], shown[f"{key}_b"] = a, b
    return shown
