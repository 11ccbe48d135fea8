"""lossbook.data reproduces the study note's data and initial weights exactly."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales


def note_data():
    """The study note's own lines, verbatim apart from layout."""
    rdm = np.random.RandomState(seed=23455)
    x = rdm.rand(32, 2)
    y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x]
    x = tf.cast(x, dtype=tf.float32)
    return x.numpy(), tf.convert_to_tensor(y_, dtype=tf.float32).numpy(), np.asarray(y_)


class TestYogurtSales:
    def test_is_the_notes_data_bit_for_bit(self):
        """x and y_ equal what the note's code computes with."""
        x, y_ = yogurt_sales()
        note_x, note_y, _ = note_data()
        assert x.dtype == np.float32 and y_.dtype == np.float32
        assert x.shape == (32, 2) and y_.shape == (32, 1)
        np.testing.assert_array_equal(x, note_x)
        np.testing.assert_array_equal(y_, note_y)

    def test_noise_lies_in_the_stated_interval(self):
        """y_ - (x1 + x2) is within [-noise, noise)."""
        _, _, y64 = note_data()
        rdm = np.random.RandomState(23455)
        x64 = rdm.rand(32, 2)
        noise = y64.ravel() - x64.sum(axis=1)
        assert noise.min() >= -0.05 and noise.max() < 0.05

    def test_other_sizes_and_noise_levels(self):
        """n and noise change the data as documented; noise=0 gives y_ = x1 + x2."""
        x, y_ = yogurt_sales(n=5, noise=0.0)
        assert x.shape == (5, 2)
        np.testing.assert_allclose(y_.ravel(), x.sum(axis=1), rtol=1e-6)

    @pytest.mark.parametrize("kwargs", [{"n": 0}, {"n": 2.5}, {"noise": -1}, {"noise": np.nan}])
    def test_bad_arguments_raise(self, kwargs):
        """A non-positive n or a negative/NaN noise is named in a ValueError."""
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            yogurt_sales(**kwargs)


class TestSeedWeights:
    def test_equals_the_first_call_in_a_fresh_process(self):
        """Same values as the note's tf.random.normal([2, 1], stddev=1, seed=1) in a new process."""
        code = (
            "import tensorflow as tf;"
            "print(tf.random.normal([2, 1], stddev=1, seed=1).numpy().ravel().tolist())"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        first_call = eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own output
        np.testing.assert_array_equal(seed_weights((2, 1)).ravel(), np.float32(first_call))

    def test_does_not_depend_on_earlier_draws(self):
        """Calling it again, or drawing in between, gives the same weights."""
        first = seed_weights()
        tf.random.normal([2, 1], stddev=1, seed=1)
        np.testing.assert_array_equal(seed_weights(), first)


class TestYogurtSalesWithTypos:
    def test_only_the_bad_days_differ_by_the_factor(self):
        """x and 29 days are yogurt_sales()' exactly; the 3 bad days are x5, by the seed."""
        from lossbook.data import yogurt_sales_with_typos

        x, y_, bad = yogurt_sales_with_typos()
        x_clean, y_clean = yogurt_sales()
        np.testing.assert_array_equal(x, x_clean)
        expected = np.sort(np.random.default_rng(4).choice(32, size=3, replace=False))
        np.testing.assert_array_equal(bad, expected)
        good = np.setdiff1d(np.arange(32), bad)
        np.testing.assert_array_equal(y_[good], y_clean[good])
        np.testing.assert_allclose(y_[bad], 5 * y_clean[bad], rtol=1e-7)
        assert x.dtype == y_.dtype == np.float32 and bad.dtype == np.int64
        # yogurt_sales' own arrays are not changed by it
        np.testing.assert_array_equal(yogurt_sales()[1], y_clean)

    @pytest.mark.parametrize("days,factor,seed", [(0, 5.0, 4), (32, 2, 1), (8, 0.5, 9)])
    def test_other_settings(self, days, factor, seed):
        from lossbook.data import yogurt_sales_with_typos

        _, y_, bad = yogurt_sales_with_typos(days=days, factor=factor, seed=seed)
        assert len(bad) == len(set(bad.tolist())) == days
        np.testing.assert_allclose(y_[bad], factor * yogurt_sales()[1][bad], rtol=1e-6)

    @pytest.mark.parametrize("kwargs,message", [
        ({"days": -1}, "days must be an integer from 0 to 32"),
        ({"days": 33}, "days must be an integer from 0 to 32"),
        ({"days": 2.5}, "days must be an integer"),
        ({"days": True}, "days must be an integer"),
        ({"factor": 0}, "factor must be a finite number > 0"),
        ({"factor": np.inf}, "factor must be a finite number > 0"),
        ({"factor": "5"}, "factor must be a finite number > 0"),
    ])
    def test_bad_settings_are_named(self, kwargs, message):
        from lossbook.data import yogurt_sales_with_typos

        with pytest.raises(ValueError, match=message):
            yogurt_sales_with_typos(**kwargs)


class TestRarePositives:
    def test_shapes_dtypes_and_exact_positive_count(self):
        """float32 (n, 2) and (n, 1); exactly round(n * positive_rate) labels are 1."""
        from lossbook.data import rare_positives

        x, y = rare_positives(n=1000, positive_rate=0.02, seed=3)
        assert x.shape == (1000, 2) and y.shape == (1000, 1)
        assert x.dtype == y.dtype == np.float32
        assert set(np.unique(y).tolist()) == {0.0, 1.0}
        assert int(y.sum()) == 20

    def test_seeded(self):
        """The same seed gives the same data; another seed, other data."""
        from lossbook.data import rare_positives

        a, b, c = (rare_positives(n=500, seed=s) for s in (7, 7, 8))
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        assert not np.array_equal(a[0], c[0])

    def test_positives_are_shifted_by_separation(self):
        """Negatives are centred at 0, positives at separation * (0.8, 0.6)."""
        from lossbook.data import rare_positives

        x, y = rare_positives(n=40_000, positive_rate=0.25, separation=2.0, seed=0)
        positive = y.ravel() == 1
        np.testing.assert_allclose(x[~positive].mean(axis=0), [0, 0], atol=0.03)
        np.testing.assert_allclose(x[positive].mean(axis=0), [1.6, 1.2], atol=0.05)
        np.testing.assert_allclose(x[~positive].std(axis=0), [1, 1], atol=0.03)

    def test_separation_zero_gives_identical_classes(self):
        """With separation = 0 the two classes have the same features' distribution."""
        from lossbook.data import rare_positives

        x, y = rare_positives(n=20_000, positive_rate=0.5, separation=0, seed=1)
        positive = y.ravel() == 1
        np.testing.assert_allclose(x[positive].mean(axis=0), x[~positive].mean(axis=0),
                                   atol=0.05)

    @pytest.mark.parametrize("kwargs,message", [
        ({"n": 1}, "n must be an integer >= 2"),
        ({"n": 100.0}, "n must be an integer >= 2"),
        ({"n": True}, "n must be an integer >= 2"),
        ({"positive_rate": 0.0}, "positive_rate must be a number"),
        ({"positive_rate": 1.0}, "positive_rate must be a number"),
        ({"n": 10, "positive_rate": 0.02}, "at least one row of each class"),
        ({"positive_rate": np.nan}, "positive_rate must be a number"),
        ({"positive_rate": "0.02"}, "positive_rate must be a number"),
        ({"separation": -1.0}, "separation must be a finite number >= 0"),
        ({"separation": np.inf}, "separation must be a finite number >= 0"),
    ])
    def test_bad_arguments_are_named(self, kwargs, message):
        from lossbook.data import rare_positives

        with pytest.raises(ValueError, match=message):
            rare_positives(**kwargs)
