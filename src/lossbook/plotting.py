"""The figures of the lessons, with labels in Chinese or English.

Importing this module registers the Noto Sans CJK SC font shipped by the ``mplfonts``
package with Matplotlib as a fallback after DejaVu Sans, so Chinese labels render on
Linux, macOS and Windows alike without a system font. Figures saved as SVG keep their
glyphs as paths, so they need no font where they are viewed.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

__all__ = [
    "LANGUAGES", "get_language", "language", "plot_bce_logits", "plot_predictions",
    "plot_training",
    "plot_gradient_magnitudes", "plot_imbalance_comparison", "plot_loss_map", "plot_neg_log",
    "plot_robust_fits", "plot_softmax_gradient", "plot_threshold_sweep",
    "plot_typos", "plot_weight_paths", "set_language",
]

LANGUAGES = ("en", "zh")
_CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
_CJK_FONT_NAME = "Noto Sans CJK SC"


def _register_cjk_font() -> None:
    try:
        path = resources.files("mplfonts").joinpath("fonts", _CJK_FONT_FILE)
    except ModuleNotFoundError:
        raise ImportError(
            'lossbook.plotting needs its figures extra: pip install "lossbook[figures]"'
        ) from None
    font_manager.fontManager.addfont(str(path))
    # Matplotlib falls back glyph by glyph only across the fonts named in font.family.
    mpl.rcParams["font.family"] = ["DejaVu Sans", _CJK_FONT_NAME]


_register_cjk_font()
_language = os.environ.get("LOSSBOOK_LANG", "en")

_TEXT = {
    "step": {"en": "training step", "zh": "训练步数"},
    "weights": {"en": "weights w1", "zh": "权重 w1"},
    "loss": {"en": "loss (log scale)", "zh": "损失（对数坐标）"},
    "weights_title": {"en": "w1 during training", "zh": "训练中 w1 的变化"},
    "loss_title": {"en": "loss during training", "zh": "训练中损失的变化"},
    "reference": {"en": "least squares", "zh": "最小二乘解"},
    # ŷ is U+0177 (not mathtext: a $…$ label is set in the math font alone, which has
    # no Chinese glyphs).
    "true_sales": {"en": "actual sales y", "zh": "真实销量 y"},
    "predicted": {"en": "prediction \u0177", "zh": "预测值 \u0177"},
    "perfect": {"en": "prediction = sales", "zh": "预测 = 销量"},
    "predictions_title": {"en": "predictions against the truth", "zh": "预测值与真实销量"},
    "paths_title": {"en": "w1 during training", "zh": "训练中 w1 的变化"},
    "exact": {"en": "exact minimiser", "zh": "精确最优解"},
    "prob_true": {"en": "predicted probability of the true class", "zh": "预测给正确类别的概率"},
    "softmax_p": {"en": "probabilities softmax(z)", "zh": "概率 softmax(z)"},
    "softmax_grad": {"en": "gradient softmax(z) − y", "zh": "梯度 softmax(z) − y"},
    "class_n": {"en": "class {i}", "zh": "类别 {i}"},
    "answer": {"en": "answer y", "zh": "答案 y"},
    "softmax_title": {"en": "z = {z}, class {label} the answer: loss {loss:.4f}",
                      "zh": "z = {z}，答案为类别 {label}：损失 {loss:.4f}"},
    "neg_log": {"en": "cross-entropy −ln p", "zh": "交叉熵 −ln p"},
    "neg_log_title": {"en": "the loss grows without bound as p → 0",
                      "zh": "p → 0 时损失无限增大"},
    "grad": {"en": "|gradient| w.r.t. the true class's logit",
             "zh": "对正确类别 logit 的梯度绝对值"},
    "grad_title": {"en": "gradient left as the prediction gets worse",
                   "zh": "预测越错，梯度还剩多少"},
    "colon": {"en": ": ", "zh": "："},
    "signal": {"en": "x1 + x2", "zh": "x1 + x2"},
    "recorded": {"en": "recorded sales", "zh": "记录的销量"},
    "good_days": {"en": "days recorded right", "zh": "正常的日子"},
    "bad_days": {"en": "days recorded ×5", "zh": "记错的日子（×5）"},
    "data_title": {"en": "three days recorded wrong", "zh": "记错了三天"},
    "truth": {"en": "w = [1, 1]", "zh": "w = [1, 1]"},
    "weights_found": {"en": "the w of each loss", "zh": "各损失的 w"},
    "residual": {"en": "error u = y − ŷ", "zh": "误差 u = y − ŷ"},
    "loss_value": {"en": "loss of one sample", "zh": "单个样本的损失"},
    "map_title": {"en": "loss", "zh": "损失"},
    "pull": {"en": "pull on ŷ: −∂loss/∂ŷ", "zh": "对 ŷ 的拉力：−∂loss/∂ŷ"},
    "pull_title": {"en": "gradient (influence)", "zh": "梯度（影响力）"},
}
# Names of losses, as a snippet labels its curves: shown in the figure's language.
_LOSS_NAMES = {
    "cross-entropy": {"zh": "交叉熵"},
    "MSE": {"zh": "均方误差"},
    "MAE": {"zh": "平均绝对误差"},
    "clean data": {"zh": "干净数据"},
}


def _loss_name(label: str) -> str:
    return _LOSS_NAMES.get(label, {}).get(_language, label)


def set_language(lang: str) -> None:
    """Sets the language of the labels of the figures made from now on: ``"en"`` or ``"zh"``."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"set_language: lang must be one of {LANGUAGES}, got {lang!r}")
    _language = lang


def get_language() -> str:
    """The language of figure labels (``LOSSBOOK_LANG`` in the environment sets the default)."""
    if _language not in LANGUAGES:
        raise ValueError(
            f"LOSSBOOK_LANG must be one of {LANGUAGES}, got {_language!r}"
        )
    return _language


@contextlib.contextmanager
def language(lang: str):
    """Makes figures in ``lang`` inside a ``with`` block."""
    previous = _language
    set_language(lang)
    try:
        yield
    finally:
        set_language(previous)


def _t(key: str) -> str:
    return _TEXT[key][get_language()]


def plot_training(history, *, reference=None, names=None):
    """Plots the weights and the loss of a ``fit_linear`` run against the step.

    Introduced in the lesson "Mean squared error" (``mse.md``).

    Args:
        history: the ``History`` that ``lossbook.train.fit_linear`` returned.
        reference: optional weights of shape ``(k, 1)`` (e.g. the least-squares answer),
            drawn as dashed lines.
        names: labels of the weights; ``w1[0]``, ``w1[1]``, ... by default.

    Returns:
        The Matplotlib figure.
    """
    weights = np.asarray(history.all_weights).reshape(len(history.all_loss), -1)
    loss = np.asarray(history.all_loss)
    steps = np.arange(len(loss))
    names = names or [f"w1[{i}]" for i in range(weights.shape[1])]
    fig, (ax_w, ax_l) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for i, name in enumerate(names):
        (line,) = ax_w.plot(steps, weights[:, i], label=name)
        if reference is not None:
            ax_w.axhline(
                np.ravel(reference)[i], color=line.get_color(), linestyle="--",
                linewidth=1, label=f"{name} {_t('reference')}",
            )
    ax_w.set(xlabel=_t("step"), ylabel=_t("weights"), title=_t("weights_title"))
    ax_w.legend(fontsize="small")
    ax_l.semilogy(steps, loss, color="tab:red")
    ax_l.set(xlabel=_t("step"), ylabel=_t("loss"), title=_t("loss_title"))
    for ax in (ax_w, ax_l):
        ax.grid(True, alpha=0.3)
    return fig


def plot_predictions(y_true, predictions):
    """Plots each model's predictions against the actual values, with the line y = y_.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``).

    Args:
        y_true: the actual values, shape ``(n,)`` or ``(n, 1)``.
        predictions: ``{label: predictions}``, each of the same length as ``y_true``.
            Labels are shown as given, so keep them language-neutral (``"MSE"``).

    Returns:
        The Matplotlib figure.
    """
    y_true = np.ravel(y_true)
    fig, ax = plt.subplots(figsize=(5.6, 4.4), layout="constrained")
    low, high = y_true.min(), y_true.max()
    pad = 0.05 * (high - low)
    ax.plot([low - pad, high + pad], [low - pad, high + pad], color="0.4", linestyle="--",
            linewidth=1, label=_t("perfect"))
    for (label, y_pred), marker in zip(predictions.items(), "os^vD", strict=False):
        ax.scatter(y_true, np.ravel(y_pred), s=18, marker=marker, label=label, alpha=0.8)
    ax.set(xlabel=_t("true_sales"), ylabel=_t("predicted"), title=_t("predictions_title"))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def plot_weight_paths(histories, *, exact=None, last=None):
    """Plots ``w1[0]`` and ``w1[1]`` against the step for several ``fit_linear`` runs.

    Introduced in the lesson "A custom loss: profit and cost" (``custom_loss.md``).

    Args:
        histories: ``{label: History}``, drawn in one colour each.
        exact: optional weights of shape ``(k, 1)``, drawn as dashed lines.
        last: if given, only the last ``last`` steps are drawn (to see the jumps).

    Returns:
        The Matplotlib figure.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained", sharex=True)
    for label, history in histories.items():
        weights = np.asarray(history.all_weights).reshape(len(history.all_loss), -1)
        steps = np.arange(len(weights))
        if last:
            steps, weights = steps[-last:], weights[-last:]
        for i, ax in enumerate(axes):
            ax.plot(steps, weights[:, i], linewidth=1, label=label)
    for i, ax in enumerate(axes):
        if exact is not None:
            ax.axhline(np.ravel(exact)[i], color="0.2", linestyle="--", linewidth=1,
                       label=_t("exact"))
        title = f"{_t('paths_title')}{_t('colon')}w1[{i}]"
        ax.set(xlabel=_t("step"), ylabel=f"w1[{i}]", title=title)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize="small")
    return fig


def plot_neg_log(marks):
    """Plots ``-ln p`` for p in (0, 1] and marks the given predictions on it.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``).

    Args:
        marks: ``{label: p}``, the probabilities given to the true class.

    Returns:
        The Matplotlib figure.
    """
    p = np.linspace(0.005, 1, 400)
    fig, ax = plt.subplots(figsize=(5.6, 3.8), layout="constrained")
    ax.plot(p, -np.log(p), color="tab:blue")
    for label, value in marks.items():
        ax.plot([value], [-np.log(value)], "o", color="tab:red")
        ax.annotate(f"{label}: −ln {value:g} = {-np.log(value):.3f}", (value, -np.log(value)),
                    textcoords="offset points", xytext=(8, 8), fontsize="small")
    ax.set(xlabel=_t("prob_true"), ylabel=_t("neg_log"), title=_t("neg_log_title"),
           ylim=(0, 5.5))
    ax.grid(True, alpha=0.3)
    return fig


def plot_softmax_gradient(logits, label):
    """Bars of softmax's probabilities and of the gradient softmax(z) − y of the
    cross-entropy with respect to the logits, for one example.

    Introduced in the lesson "Softmax with cross-entropy" (``softmax_cross_entropy.md``),
    where an explorable figure of the same quantities follows it. Computed in float64.

    Args:
        logits: the example's logits ``z`` (a few numbers).
        label: the index of the true class.

    Returns:
        The Matplotlib figure.
    """
    z = np.asarray(logits, dtype=np.float64).ravel()
    if z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"plot_softmax_gradient: logits must be two or more finite "
                         f"numbers, got {logits!r}")
    if (isinstance(label, bool) or not isinstance(label, (int, np.integer))
            or not 0 <= label < len(z)):
        raise ValueError(f"plot_softmax_gradient: label {label!r} is not a class index "
                         f"of {len(z)} logits (an integer from 0 to {len(z) - 1})")
    shifted = z - z.max()
    p = np.exp(shifted) / np.exp(shifted).sum()
    y = np.eye(len(z))[label]
    loss = float(np.log(np.exp(shifted).sum()) - shifted[label])
    names = [_t("class_n").format(i=i) for i in range(len(z))]
    fig, (ax_p, ax_g) = plt.subplots(1, 2, figsize=(6.4, 3.2), layout="constrained")
    ax_p.bar(names, p, color="tab:blue")
    ax_p.bar(names, y, fill=False, edgecolor="tab:red", linestyle="--", label=_t("answer"))
    ax_p.set(title=_t("softmax_p"), ylim=(0, 1.05))
    ax_p.legend(fontsize="small")
    ax_g.bar(names, p - y, color=np.where(p - y < 0, "tab:red", "tab:blue"))
    ax_g.axhline(0, color="black", linewidth=0.8)
    ax_g.set(title=_t("softmax_grad"), ylim=(-1.05, 1.05))
    for ax, values in ((ax_p, p), (ax_g, p - y)):
        for i, v in enumerate(values):
            ax.annotate(f"{v:.3f}", (i, v), ha="center", fontsize="small",
                        va="bottom" if v >= 0 else "top", xytext=(0, 2 if v >= 0 else -2),
                        textcoords="offset points")
        ax.grid(True, axis="y", alpha=0.3)
    shown = "[" + ", ".join(f"{v:g}" for v in z) + "]"
    fig.suptitle(_t("softmax_title").format(z=shown, label=label, loss=loss),
                 fontsize="medium")
    return fig


def plot_gradient_magnitudes(p, curves):
    """Plots gradient magnitudes against the probability given to the true class.

    Introduced in the lesson "Cross-entropy" (``cross_entropy.md``).

    Args:
        p: the probabilities of the true class (x axis, drawn on a log scale).
        curves: ``{label: |gradient|}``, one array per loss, the same length as ``p``.

    Returns:
        The Matplotlib figure.
    """
    fig, ax = plt.subplots(figsize=(5.6, 3.8), layout="constrained")
    for label, values in curves.items():
        ax.plot(p, values, label=_loss_name(label))
    ax.set_xscale("log")
    ax.set(xlabel=_t("prob_true"), ylabel=_t("grad"), title=_t("grad_title"))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def plot_typos(x, y_true, bad):
    """The yogurt data against ``x1 + x2``, the days recorded wrong marked.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).

    Args:
        x: the inputs, shape ``(n, 2)``.
        y_true: the recorded sales, ``n`` values.
        bad: the indices of the days recorded wrong.

    Returns:
        The Matplotlib figure.
    """
    x, y_true = np.asarray(x), np.ravel(y_true)
    good = np.setdiff1d(np.arange(len(y_true)), bad)
    signal = x.sum(axis=1)
    fig, ax = plt.subplots(figsize=(5.6, 3.6), layout="constrained")
    ax.scatter(signal[good], y_true[good], s=16, color="tab:blue", label=_t("good_days"))
    ax.scatter(signal[bad], y_true[bad], s=36, marker="x", color="tab:red",
               label=_t("bad_days"))
    ax.set(xlabel=_t("signal"), ylabel=_t("recorded"), title=_t("data_title"))
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig


def plot_robust_fits(fits):
    """The weights ``w`` each loss fits, as points of the ``(w1, w2)`` plane, beside the
    true ``[1, 1]``.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).

    Args:
        fits: ``{label: w}``, each ``w`` of shape ``(2, 1)``; labels such as ``"MSE"``
            are shown in the figure's language.

    Returns:
        The Matplotlib figure.
    """
    fig, ax = plt.subplots(figsize=(5.6, 3.8), layout="constrained")
    ax.plot([1], [1], marker="*", markersize=14, color="0.3", linestyle="none",
            label=_t("truth"))
    for (label, w), marker in zip(fits.items(), "osD^vP<>", strict=False):
        w = np.ravel(w)
        ax.plot([w[0]], [w[1]], marker=marker, linestyle="none", markersize=8, alpha=0.85,
                label=_loss_name(label))
    ax.set(xlabel="w\u2081", ylabel="w\u2082", title=_t("weights_found"))
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return fig


def plot_loss_map(u, losses, pulls):
    """Each loss and its pull on the prediction against the error ``u = y - y_pred``.

    Introduced in the lesson "Beyond MSE: robust regression" (``robust_regression.md``).

    Args:
        u: the errors (x axis).
        losses: ``{label: loss values}``, one array per loss, the length of ``u``.
        pulls: ``{label: -d loss / d y_pred}``, the same labels.

    Returns:
        The Matplotlib figure.
    """
    fig, (ax_l, ax_p) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
    for label, values in losses.items():
        (line,) = ax_l.plot(u, values, label=_loss_name(label))
        ax_p.plot(u, pulls[label], color=line.get_color(), label=_loss_name(label))
    ax_l.set(xlabel=_t("residual"), ylabel=_t("loss_value"), title=_t("map_title"),
             ylim=(0, None))
    ax_p.set(xlabel=_t("residual"), ylabel=_t("pull"), title=_t("pull_title"))
    ax_l.legend(fontsize="small")
    for ax in (ax_l, ax_p):
        ax.grid(True, alpha=0.3)
        ax.axhline(0, color="0.5", linewidth=0.8)
    return fig


# The labels of plot_bce_logits (lesson binary_cross_entropy.md).
_BCE_TEXT = {
    "logit": {"en": "logit z", "zh": "logit z"},
    "bce": {"en": "binary cross-entropy", "zh": "二元交叉熵"},
    "title": {"en": "float32: the definition breaks, the stable form does not",
              "zh": "float32 下照定义计算会出错，稳定写法不会"},
    "stable": {"en": "stable form", "zh": "稳定写法"},
    "naive": {"en": "by the definition", "zh": "照定义计算"},
    "broken": {"en": "the definition gives inf or nan", "zh": "照定义计算得到 inf 或 nan"},
}


def plot_bce_logits(z, curves):
    """Binary cross-entropy against the logit ``z``: the stable form, and the definition
    ``-(y ln sigmoid(z) + (1 - y) ln(1 - sigmoid(z)))`` dashed over it; where the
    definition is not finite, the background is shaded.

    Introduced in the lesson "Binary cross-entropy" (``binary_cross_entropy.md``).

    Args:
        z: the logits (x axis), in increasing order.
        curves: ``{y: (stable, naive)}``, one pair of arrays the length of ``z`` per
            label ``y``.

    Returns:
        The Matplotlib figure.
    """
    def text(key):
        return _BCE_TEXT[key][get_language()]

    z = np.asarray(z, dtype=np.float64)
    fig, ax = plt.subplots(figsize=(5.6, 3.8), layout="constrained")
    broken = np.zeros(len(z), dtype=bool)
    for y, (stable, naive) in curves.items():
        naive = np.asarray(naive, dtype=np.float64)
        broken |= ~np.isfinite(naive)
        (line,) = ax.plot(z, stable, linewidth=2.5, alpha=0.6,
                          label=f"y = {y:g}{_t('colon')}{text('stable')}")
        ax.plot(z, np.where(np.isfinite(naive), naive, np.nan), color=line.get_color(),
                linestyle=(0, (2, 2)), linewidth=1.2,
                label=f"y = {y:g}{_t('colon')}{text('naive')}")
    ax.fill_between(z, 0, 1, where=broken, transform=ax.get_xaxis_transform(),
                    color="tab:red", alpha=0.12, linewidth=0, label=text("broken"))
    ax.set(xlabel=text("logit"), ylabel=text("bce"), title=text("title"))
    ax.legend(fontsize="small", loc="upper center")
    ax.grid(True, alpha=0.3)
    return fig


# The labels of plot_imbalance_comparison and plot_threshold_sweep (lesson imbalanced.md),
# and the names of the methods and scores a snippet passes, shown in the figure's language.
_IMBALANCED_TEXT = {
    "epoch": {"en": "epoch (10 full-batch steps)", "zh": "迭代周期（10 个全批量步）"},
    "own_loss": {"en": "training loss (log scale)", "zh": "训练损失（对数坐标）"},
    "loss_title": {"en": "each method's own loss", "zh": "各方法自己的损失"},
    "score": {"en": "score on the test set", "zh": "测试集上的得分"},
    "score_title": {"en": "precision, recall and F1", "zh": "精确率、召回率与 F1"},
    "threshold": {"en": "threshold", "zh": "阈值"},
    "sweep_title": {"en": "moving the threshold (test set)", "zh": "移动阈值（测试集）"},
    "cost": {"en": "mean cost per sample", "zh": "平均每个样本的代价"},
    "cost_title": {"en": "the cost of the decisions (test set)",
                   "zh": "决策的代价（测试集）"},
    "plain BCE": {"en": "plain BCE", "zh": "普通交叉熵"},
    "class_weight": {"en": "class_weight", "zh": "class_weight"},
    "focal, gamma=1": {"en": "focal, γ = 1", "zh": "焦点损失，γ = 1"},
    "focal, gamma=2": {"en": "focal, γ = 2", "zh": "焦点损失，γ = 2"},
    # A threshold chosen on the training set ("tuned"); one tick label line per comma.
    "plain BCE, tuned threshold": {"en": "plain BCE, tuned", "zh": "普通交叉熵，调阈值"},
    "class_weight, tuned threshold": {"en": "class_weight, tuned",
                                      "zh": "class_weight，调阈值"},
    "focal, gamma=1, tuned threshold": {"en": "focal, γ = 1, tuned",
                                        "zh": "焦点损失，γ = 1，调阈值"},
    "focal, gamma=2, tuned threshold": {"en": "focal, γ = 2, tuned",
                                        "zh": "焦点损失，γ = 2，调阈值"},
    "precision": {"en": "precision", "zh": "精确率"},
    "recall": {"en": "recall", "zh": "召回率"},
    "F1": {"en": "F1", "zh": "F1"},
}


def _imbalanced_name(label: str) -> str:
    return _IMBALANCED_TEXT.get(label, {}).get(get_language(), label)


def plot_imbalance_comparison(losses, table):
    """Training loss curves, and precision, recall and F1 per method as grouped bars.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``).

    Args:
        losses: ``{method: loss per epoch}``; each curve is its method's own loss.
        table: ``{method: (accuracy, precision, recall, f1)}``, scores in ``[0, 1]``.
            Method names such as ``"plain BCE"`` are shown in the figure's language.

    Returns:
        The Matplotlib figure.
    """
    fig, (ax_l, ax_s) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained",
                                     width_ratios=(1, 1.9))
    for label, values in losses.items():
        values = np.ravel(values)
        ax_l.semilogy(np.arange(1, len(values) + 1), values, label=_imbalanced_name(label))
    ax_l.set(xlabel=_imbalanced_name("epoch"), ylabel=_imbalanced_name("own_loss"),
             title=_imbalanced_name("loss_title"))
    ax_l.legend(fontsize="small")
    names = list(table)
    positions = np.arange(len(names))
    width = 0.26
    for i, score in enumerate(("precision", "recall", "F1")):
        values = [table[name][i + 1] for name in names]
        ax_s.bar(positions + (i - 1) * width, values, width, label=_imbalanced_name(score))
    ticks = [_imbalanced_name(name).replace("，", "\n").replace(", ", "\n") for name in names]
    ax_s.set_xticks(positions, ticks, fontsize="x-small")
    ax_s.set(ylabel=_imbalanced_name("score"), title=_imbalanced_name("score_title"),
             ylim=(0, 1))
    ax_s.legend(fontsize="small", loc="upper left")
    for ax in (ax_l, ax_s):
        ax.grid(True, alpha=0.3)
    return fig


def plot_threshold_sweep(thresholds, scores, costs, *, marks=None):
    """Scores and the mean cost of one model's decisions against the threshold.

    Introduced in the lesson "Imbalanced classes" (``imbalanced.md``).

    Args:
        thresholds: the thresholds (x axis), in increasing order.
        scores: ``{name: values}`` such as ``{"precision": ..., "recall": ...}``, each
            the length of ``thresholds``; names are shown in the figure's language.
        costs: the mean cost at each threshold.
        marks: ``{label: threshold}``, drawn as dashed vertical lines on both panels.

    Returns:
        The Matplotlib figure.
    """
    thresholds = np.ravel(thresholds)
    fig, (ax_s, ax_c) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained",
                                     sharex=True)
    for name, values in scores.items():
        ax_s.plot(thresholds, np.ravel(values), label=_imbalanced_name(name))
    ax_c.plot(thresholds, np.ravel(costs), color="tab:red")
    for (label, at), color in zip((marks or {}).items(), ("0.35", "tab:purple", "tab:olive"),
                                  strict=False):
        for ax in (ax_s, ax_c):
            ax.axvline(at, color=color, linestyle="--", linewidth=1,
                       label=label if ax is ax_c else None)
    ax_s.set(xlabel=_imbalanced_name("threshold"), title=_imbalanced_name("sweep_title"),
             ylim=(0, 1))
    ax_c.set(xlabel=_imbalanced_name("threshold"), ylabel=_imbalanced_name("cost"),
             title=_imbalanced_name("cost_title"), ylim=(0, None))
    ax_s.legend(fontsize="small")
    ax_c.legend(fontsize="small")
    for ax in (ax_s, ax_c):
        ax.grid(True, alpha=0.3)
    return fig
