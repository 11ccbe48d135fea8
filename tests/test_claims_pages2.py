"""Claims of the cross-entropy and softmax-cross-entropy lessons that a page can get wrong.

The numbers themselves are asserted in the snippets, so the build fails when one stops
being true; these tests check what the snippets cannot: that an error output shows the
sentence that explains it, that inline math stays short enough to wrap on a phone, and
that Keras still rescues (and fails to rescue) ``from_logits=True`` the way the
softmax lesson says, independently of the snippet's own run.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from conftest import LANGS, ROOT

PAGES = ["cross_entropy.md", "softmax_cross_entropy.md"]
SLICED_ERROR_RE = re.compile(r"str\(\s*err\s*\)[^\n]*\[\s*:\s*\d+\s*\]")
INLINE_MATH_RE = re.compile(r"(?<![$\\])\$(?!\$)(?P<tex>[^$\n]+?)\$")
TEXT_RE = re.compile(r"\\text\{(?P<words>[^}]*)\}")


class TestErrorOutputs:
    def test_no_snippet_cuts_an_error_message_at_a_fixed_length(self):
        """A message sliced at N characters hides the part that explains it."""
        for snippet in sorted((ROOT / "snippets").glob("*.py")):
            for number, line in enumerate(snippet.read_text(encoding="utf-8").splitlines(), 1):
                assert not SLICED_ERROR_RE.search(line), f"{snippet.name}:{number}: {line}"

    def test_keras_out_of_range_message_is_shown(self, built_site):
        """The recorded output names the bad label and the valid range."""
        shown = (ROOT / "build" / "run" / "softmax_ce_pitfalls" / "bad_ids.txt").read_text(
            encoding="utf-8"
        )
        assert "Received a label value of 3 which is outside the valid range of [0, 3)" in shown


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_inline_math_has_no_long_text(page, lang):
    """A long ``\\text{…}`` in inline math cannot wrap and scrolls a phone sideways."""
    text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
    text = re.sub(r"^\$\$\n.*?^\$\$\n", "", text, flags=re.MULTILINE | re.DOTALL)
    for math in INLINE_MATH_RE.finditer(text):
        for words in TEXT_RE.finditer(math["tex"]):
            width = sum(2 if ord(c) > 0x2E80 else 1 for c in words["words"])  # CJK: 2
            assert width <= 20, f"{lang}/{page}: ${math['tex']}$"


@pytest.mark.parametrize("lang", LANGS)
def test_cross_entropy_is_not_called_a_distance(lang):
    """Cross-entropy is asymmetric and its minimum is H(p) > 0: not a distance."""
    text = (ROOT / "docs" / lang / "cross_entropy.md").read_text(encoding="utf-8")
    wrong = {"en": "distance between two probability distributions", "zh": "两个概率分布的距离"}
    assert wrong[lang] not in text and "之间的距离" not in text


class TestKerasRescuesFromLogits:
    """Keras 3 uses the logits behind a softmax it can see, and warns; otherwise not."""

    @staticmethod
    def evaluate(last_layer, run_eagerly):
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(3)
        x = np.random.default_rng(3).normal(size=(16, 4)).astype(np.float32)
        y = np.eye(3, dtype=np.float32)[np.arange(16) % 3]
        inputs = keras.Input((4,))
        dense = keras.layers.Dense(3)
        model = keras.Model(inputs, last_layer(dense(inputs)))
        model.compile(
            loss=keras.losses.CategoricalCrossentropy(from_logits=True), run_eagerly=run_eagerly
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = model.evaluate(x, y, batch_size=16, verbose=0)
        kernel, bias = dense.get_weights()
        logits = x @ kernel + bias
        right = float(np.mean(tf.nn.softmax_cross_entropy_with_logits(y, logits)))
        twice = float(np.mean(tf.nn.softmax_cross_entropy_with_logits(y, tf.nn.softmax(logits))))
        warned = any("from_logits=True" in str(w.message) for w in caught)
        return loss, right, twice, warned

    @pytest.mark.parametrize("run_eagerly", [False, True])
    def test_a_keras_softmax_is_seen(self, run_eagerly):
        """An Activation("softmax") layer is rescued, in a graph and eagerly."""
        import keras

        loss, right, twice, warned = self.evaluate(keras.layers.Activation("softmax"), run_eagerly)
        assert warned and np.isclose(loss, right, rtol=1e-5) and not np.isclose(loss, twice)

    def test_tf_nn_softmax_is_seen_only_in_a_graph(self):
        """tf.nn.softmax in a layer of one's own: a Softmax op in a graph, nothing eagerly."""
        import keras
        import tensorflow as tf

        class TfNnSoftmax(keras.layers.Layer):
            def call(self, z):
                return tf.nn.softmax(z)

        loss, right, _, warned = self.evaluate(TfNnSoftmax(), run_eagerly=False)
        assert warned and np.isclose(loss, right, rtol=1e-5)
        loss, right, twice, warned = self.evaluate(TfNnSoftmax(), run_eagerly=True)
        assert not warned and np.isclose(loss, twice, rtol=1e-5)

    def test_a_softmax_written_out_is_not_seen(self):
        """exp divided by a sum is no Softmax op: the loss is softmax applied twice."""
        import keras
        import tensorflow as tf

        class SoftmaxByHand(keras.layers.Layer):
            def call(self, z):
                e = tf.exp(z)
                return e / tf.reduce_sum(e, axis=-1, keepdims=True)

        loss, _, twice, warned = self.evaluate(SoftmaxByHand(), run_eagerly=False)
        assert not warned and np.isclose(loss, twice, rtol=1e-5)
