"""lossbook.plotting draws its labels in the chosen language, with every glyph present."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lossbook import plotting
from lossbook.train import History


def history(steps=50):
    w = np.linspace(0, 1, 2 * steps).reshape(steps, 2, 1)
    loss = np.exp(-np.arange(steps) / 10)
    return History(step=np.arange(steps), weights=w, loss=loss, all_weights=w, all_loss=loss)


class TestPlotTraining:
    @pytest.mark.parametrize("lang,label", [("zh", "训练步数"), ("en", "training step")])
    def test_labels_follow_the_language(self, lang, label):
        """The axis labels are in the language set with plotting.language()."""
        with plotting.language(lang):
            fig = plotting.plot_training(history(), reference=np.array([[1.0], [1.0]]))
        try:
            assert fig.axes[0].get_xlabel() == label
        finally:
            plt.close(fig)

    def test_chinese_labels_have_every_glyph(self):
        """Saving a Chinese figure warns of no missing glyph (the CJK font is found)."""
        with plotting.language("zh"):
            fig = plotting.plot_training(history())
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg")
        plt.close(fig)
        assert b"<path" in buffer.getvalue()

    def test_unknown_language_raises(self):
        """Only zh and en are offered."""
        with pytest.raises(ValueError, match="fr"):
            plotting.set_language("fr")


class TestRobustFigures:
    @pytest.mark.parametrize("lang,title,name", [("zh", "记错了三天", "均方误差"),
                                                 ("en", "three days recorded wrong", "MSE")])
    def test_fits_figures_follow_the_language(self, lang, title, name):
        x = np.random.default_rng(0).uniform(size=(32, 2))
        with plotting.language(lang):
            data = plotting.plot_typos(x, x.sum(axis=1), [1, 5])
            fits = plotting.plot_robust_fits({"MSE": [[1.5], [0.8]]})
        try:
            assert data.axes[0].get_title() == title
            assert len(data.axes[0].collections[1].get_offsets()) == 2  # the bad days
            labels = [t.get_text() for t in fits.axes[0].get_legend().get_texts()]
            assert labels == ["w = [1, 1]", name]
        finally:
            plt.close(data)
            plt.close(fits)

    @pytest.mark.parametrize("lang,name", [("zh", "平均绝对误差"), ("en", "MAE")])
    def test_loss_map_names_the_losses_in_the_language(self, lang, name):
        u = np.linspace(-1, 1, 5)
        with plotting.language(lang):
            fig = plotting.plot_loss_map(u, {"MAE": np.abs(u)}, {"MAE": np.sign(u)})
        try:
            assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [name]
            assert len(fig.axes[1].get_lines()) == 2  # the pull, and the zero line
        finally:
            plt.close(fig)


class TestImbalancedFigures:
    TABLE = {"plain BCE": (0.98, 0.5, 0.03, 0.05),
             "plain BCE, moved threshold": (0.97, 0.3, 0.33, 0.31)}

    @pytest.mark.parametrize("lang,name,score", [("zh", "普通交叉熵", "召回率"),
                                                 ("en", "plain BCE", "recall")])
    def test_comparison_follows_the_language(self, lang, name, score):
        """Method and score names are shown in the language; one bar per method and score."""
        with plotting.language(lang):
            fig = plotting.plot_imbalance_comparison(
                {"plain BCE": np.linspace(1, 0.1, 30)}, self.TABLE)
        try:
            ax_loss, ax_scores = fig.axes
            assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == [name]
            assert score in [t.get_text() for t in ax_scores.get_legend().get_texts()]
            assert len(ax_scores.patches) == 3 * len(self.TABLE)
            assert ax_scores.get_xticklabels()[0].get_text() == name
        finally:
            plt.close(fig)

    @pytest.mark.parametrize("lang,label", [("zh", "阈值"), ("en", "threshold")])
    def test_threshold_sweep_marks_both_panels(self, lang, label):
        """Each mark is a dashed line on both panels, named in the cost panel's legend."""
        t = np.linspace(0.01, 0.5, 20)
        with plotting.language(lang):
            fig = plotting.plot_threshold_sweep(t, {"recall": 1 - t}, t ** 2,
                                                marks={"0.5": 0.5, "formula": 0.05})
        try:
            ax_scores, ax_cost = fig.axes
            assert ax_scores.get_xlabel() == label
            assert len(ax_scores.get_lines()) == 1 + 2 and len(ax_cost.get_lines()) == 1 + 2
            assert [t.get_text() for t in ax_cost.get_legend().get_texts()] == ["0.5", "formula"]
        finally:
            plt.close(fig)


class TestBinaryCrossEntropyFigure:
    @pytest.mark.parametrize("lang,label", [("zh", "二元交叉熵"), ("en", "binary cross-entropy")])
    def test_shades_where_the_definition_breaks(self, lang, label):
        """One solid and one dashed line a label; the shading covers exactly the logits
        where the definition is not finite."""
        z = np.linspace(-10, 10, 21)
        naive = np.where(np.abs(z) > 8, np.inf, np.log1p(np.exp(-z)))
        with plotting.language(lang):
            fig = plotting.plot_bce_logits(z, {1: (np.log1p(np.exp(-z)), naive),
                                               0: (np.log1p(np.exp(z)), naive)})
        try:
            (ax,) = fig.axes
            assert ax.get_ylabel() == label
            assert len(ax.get_lines()) == 4
            [shade] = ax.collections
            regions = sorted((path.vertices[:, 0].min(), path.vertices[:, 0].max())
                             for path in shade.get_paths())
            assert regions == [(-10, -9), (9, 10)], regions
            # The dashed curves leave out the logits where the definition broke.
            assert np.isnan(ax.get_lines()[1].get_ydata()[0])
        finally:
            plt.close(fig)


class TestSoftmaxGradientFigure:
    @pytest.mark.parametrize("lang,title", [("zh", "梯度 softmax(z) − y"),
                                            ("en", "gradient softmax(z) − y")])
    def test_bars_are_softmax_and_softmax_minus_y(self, lang, title):
        import tensorflow as tf

        z = [2.0, 1.0, 0.1]
        with plotting.language(lang):
            fig = plotting.plot_softmax_gradient(z, label=0)
        try:
            ax_p, ax_g = fig.axes
            assert ax_g.get_title() == title
            p = tf.nn.softmax(tf.constant(z, tf.float64)).numpy()
            heights = [bar.get_height() for bar in ax_p.patches]
            np.testing.assert_allclose(heights[:3], p, rtol=1e-12)
            assert heights[3:] == [1.0, 0.0, 0.0]  # the answer's outline
            np.testing.assert_allclose([bar.get_height() for bar in ax_g.patches],
                                       p - [1, 0, 0], rtol=1e-12)
            loss = tf.nn.softmax_cross_entropy_with_logits([[1.0, 0, 0]], [z])[0]
            assert f"{float(loss):.4f}" in fig.get_suptitle()  # the loss its title shows
        finally:
            plt.close(fig)

    @pytest.mark.parametrize("label", [3, -1, 1.5, True])
    def test_a_label_that_is_not_a_class_index_is_named(self, label):
        with pytest.raises(ValueError, match=rf"label {label!r} is not a class index of 3"):
            plotting.plot_softmax_gradient([1.0, 2.0, 3.0], label=label)

    @pytest.mark.parametrize("logits", [[1.0], [1.0, float("nan")], [float("inf"), 0.0]])
    def test_logits_that_cannot_be_drawn_are_named(self, logits):
        with pytest.raises(ValueError, match="logits must be two or more finite numbers"):
            plotting.plot_softmax_gradient(logits, label=0)
