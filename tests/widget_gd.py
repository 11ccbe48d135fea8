"""The gradient-descent widget of the mean squared error lesson (mse.md).

The widget draws the MSE of ``y = x @ w`` on the yogurt data over the (w1, w2) plane and
the path of full-batch gradient descent from the note's start ``seed_weights()``. Its
learning-rate slider holds log10(lr) on a grid of 0.01; ``expected`` turns a setting back
into the rate with ``10 ** value``, as the page's script does, and trains with
``lossbook.train.fit_linear`` (float32, compiled) while the page computes in float64.
"""

import numpy as np

import lossbook.data
import lossbook.losses
import lossbook.train

NAME = "gd"
PAGE = "mse"

LOG_MIN = -3.0  # log10(0.001), the slider's left end
LOG_STEP = 0.01


def _data():
    x, y = lossbook.data.yogurt_sales()
    w_init = lossbook.data.seed_weights()
    return x, y, w_init


def _hessian(x):
    x64 = np.asarray(x, dtype=np.float64)
    return 2.0 / len(x64) * x64.T @ x64


def _limit(x):
    """2 / lambda_max of H = (2/n) X^T X: gradient descent converges below this rate."""
    return float(2.0 / np.linalg.eigvalsh(_hessian(x)).max())


def _on_grid(value):
    """``value`` rounded to the slider's grid (two decimals), as the browser snaps it."""
    return round(LOG_MIN + round((value - LOG_MIN) / LOG_STEP) * LOG_STEP, 2)


def _settings():
    x, _, _ = _data()
    limit = _limit(x)
    return [
        # The default: half the limit (= 1/lambda_max, the rate that removes the steep
        # direction in one step), 50 steps: the path drops into the valley, then runs
        # along it to w*.
        {"lr": _on_grid(np.log10(0.5 * limit)), "steps": 50},
        # Just below the limit: converges, the steep direction flipping sign every step.
        {"lr": _on_grid(np.log10(0.95 * limit)), "steps": 100},
        # Above the limit: diverges.
        {"lr": _on_grid(np.log10(1.1 * limit)), "steps": 50},
        # The note's rate (0.002 is 10**-2.699; the slider's nearest value is -2.70).
        {"lr": _on_grid(np.log10(0.002)), "steps": 200},
    ]


SETTINGS = _settings()
DEFAULT = SETTINGS[0]


def _fit(x, y, w_init, lr, steps):
    w, _ = lossbook.train.fit_linear(
        x,
        y,
        lossbook.losses.mean_squared_error,
        steps=int(steps),
        learning_rate=float(lr),
        init=w_init,
    )
    return np.asarray(w, dtype=np.float64).reshape(-1)


def _mse(x, y, w):
    """MSE of y = x @ w by lossbook, in float64 (w is fit_linear's float32 result)."""
    x64 = np.asarray(x, dtype=np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    pred = x64 @ np.asarray(w, dtype=np.float64).reshape(-1, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean(lossbook.losses.mean_squared_error(y64, pred).numpy()))


def page_data() -> dict:
    x, y, w_init = _data()
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    w_star = np.linalg.lstsq(x64, y64, rcond=None)[0].reshape(-1)
    lam = np.linalg.eigvalsh(_hessian(x))
    lr = float(10.0 ** DEFAULT["lr"])
    steps = int(DEFAULT["steps"])
    w = _fit(x, y, w_init, lr, steps)
    return {
        "x": [[float(v) for v in row] for row in x],
        "y": [float(v) for v in y.reshape(-1)],
        "w_init": [float(v) for v in w_init.reshape(-1)],
        "w_star": [float(v) for v in w_star],
        "lam": [float(lam[0]), float(lam[-1])],
        "lr": lr,
        "steps": steps,
        "at_default": {"w": [float(v) for v in w], "loss": _mse(x, y, w)},
    }


def expected(data: dict, setting: dict) -> dict:
    x = np.asarray(data["x"], dtype=np.float32)
    y = np.asarray(data["y"], dtype=np.float32).reshape(-1, 1)
    w_init = np.asarray(data["w_init"], dtype=np.float32).reshape(-1, 1)
    lr = float(10.0 ** setting["lr"])
    steps = int(setting["steps"])
    limit = _limit(x)
    # In every setting above fit_linear finishes (at 1.1 x the limit the weights grow by
    # 1.2 per step, about 1e4 after 50 steps: far from float32's overflow). Should a
    # setting ever make its loss non-finite, fit_linear raises FloatingPointError; the
    # weights then come from the float64 recurrence instead.
    try:
        w = _fit(x, y, w_init, lr, steps)
    except FloatingPointError:
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        w = w_init.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                w = w - lr * (2.0 / len(x64)) * x64.T @ (x64 @ w - y64)
        w = w.reshape(-1)
    return {
        "lr": lr,
        "w0": float(w[0]),
        "w1": float(w[1]),
        "loss": _mse(x, y, w),
        "limit": limit,
        "diverges": bool(lr >= limit),
    }


# fit_linear trains in float32, the page in float64. Measured in Chromium on the four
# settings (/tmp/w_gd/check.py): the weights agree to 4.7e-6 relative after the 50
# diverging steps (weights near -1.5e4), to 4.3e-7 relative / 6.9e-7 absolute at
# lr = 10**-2.7 over 200 steps, and to 6e-8 in the other two; the loss, computed from those
# weights, to 9.3e-6 relative (diverging) and 2.6e-7 otherwise. rtol 1e-4 / atol 1e-5
# leaves a margin of 10 or more. "lr" is 10**value on both sides and "limit" the same
# float64 2/lambda_max (closed form in JavaScript, LAPACK here): only rounding.
TOLERANCE = {
    "default": {"rtol": 1e-4, "atol": 1e-5},
    "lr": {"rtol": 1e-12, "atol": 0.0},
    "limit": {"rtol": 1e-9, "atol": 0.0},
}


def at_default(data: dict, setting: dict) -> dict | None:
    """What the build's run recorded at the page's first learning rate and steps."""
    if (abs(10 ** setting["lr"] - data["lr"]) > 1e-12 * data["lr"]
            or setting["steps"] != data["steps"]):
        return None
    run = data["at_default"]
    return {"w0": run["w"][0], "w1": run["w"][1], "loss": run["loss"]}
