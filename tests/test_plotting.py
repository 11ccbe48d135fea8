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
