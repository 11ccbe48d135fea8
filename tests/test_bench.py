"""lossbook.bench: how "met" is judged, what the committed results hold, and whether the
speed page's timings agree with `make bench`'s."""

from __future__ import annotations

import json
import os
import platform

import pytest

from lossbook import bench
from lossbook.bench import OUT, judge

RESULTS = json.loads((OUT / "results.json").read_text())


class TestJudge:
    def test_at_or_below_the_target_is_met(self):
        assert judge(0.9, 1.10, None) == "yes"
        assert judge(1.10, 1.10, [0.98, 1.02]) == "yes"

    def test_above_the_target_within_the_controls_spread_is_within_noise(self):
        """The issue's row: 1.002 against a target of 1.00, control 0.990-1.003."""
        assert judge(1.002, 1.00, [0.990, 1.003]) == "within noise"
        # The control's largest stray from 1 counts either way (1 / 0.95 > 1.02).
        assert judge(1.04, 1.00, [0.95, 1.02]) == "within noise"

    def test_beyond_the_controls_spread_is_not_met(self):
        assert judge(1.5, 1.10, [0.98, 1.02]) == "no"
        assert judge(1.002, 1.00, None) == "no"

    def test_no_target_no_verdict(self):
        assert judge(3.0, None, [0.9, 1.1]) is None


class TestCommittedResults:
    def test_every_verdict_follows_from_its_ratio_and_its_control(self):
        """Each loss row's "met" is judge() of its ratio, target and the control row of
        the same mode and kernels, as stored."""
        rows = RESULTS["losses"]
        for row in rows:
            if row["loss"].startswith("control"):
                continue
            control = bench.control_of(rows, row)
            assert control is not None, f"{row['loss']} {row['mode']}: no control row"
            assert row["control_range"] == control["ratio_range"]
            assert row["met"] == judge(row["ratio"], row["target"], control["ratio_range"]), (
                f"{row['loss']} [{row.get('path')}] {row['mode']}")

    def test_softmax_cross_entropy_and_the_control_ran_on_both_kernel_sets(self):
        """Every mode measured for them was measured on Eigen's and on oneDNN's kernels,
        forward+gradient in tf.function (the one the target is about) at least."""
        for loss in bench.BOTH_PATHS:
            measured = {(r.get("path"), r["mode"]) for r in RESULTS["losses"]
                        if r["loss"] == loss and "path" in r}
            modes = {mode for _, mode in measured}
            assert "forward+gradient/graph" in modes, loss
            assert measured == {(p, m) for p in bench.PATH_ENV for m in modes}, loss

    def test_the_default_kernels_are_stated(self):
        kernels = RESULTS["kernels"]
        assert kernels["default"] in bench.PATH_ENV
        for lang in bench.LABELS:
            table = (OUT / f"results.{lang}.md").read_text()
            assert bench.LABELS[lang]["kernels"].split("{")[0] in table


class TestDefaultKernels:
    def test_tensorflow_is_asked_and_the_cpu_flags_are_read(self):
        kernels = bench.default_kernels()
        assert kernels["default"] in bench.PATH_ENV
        assert set(kernels["cpu_flags"]) <= set(bench.ONEDNN_CPU_FLAGS)
        if platform.system() == "Linux" and platform.machine() == "x86_64":
            # On Linux x86, TensorFlow's log and its rule (the CPU flags) agree.
            assert kernels["rule_says"] == kernels["default"]


# The speed page's run against `make bench` on the same machine: the build runs the
# timing snippets alone, but beside the unit tests of `make test` (conftest starts the
# build first); on 2 cores one other busy process can halve the CPU the eager loop gets
# (x2), and make bench's own repeats spread a little more: a factor of 3 either way. The
# disagreement the issue reported (35.0 s against 6.54 s) was over 5.
TOLERANCE = 3.0


def test_speed_page_agrees_with_make_bench(built_site):
    """The page's XLA loop is the bare loop; make bench times fit_linear, the same loop plus
    its checks and set-up, so the page's speed-up (a ratio of two times taken in one run)
    can only be larger, never smaller beyond the tolerance. The page's absolute times are
    not compared: they depend on what else the shared machine runs (ratios do not)."""
    values_file = OUT.parent / "build" / "run" / "speed_loops" / "values.json"  # the build's
    machine = RESULTS["machine"]
    if (machine["cpu"], machine["cores"]) != (bench.cpu_name(), os.cpu_count()):
        pytest.skip("bench/results.json was measured on another kind of machine")
    page = json.loads(values_file.read_text())
    row = next(r for r in RESULTS["training"] if r["case"] == "MSE, 15000 steps")
    low, _ = row.get("speedup_range", [row["speedup"]] * 2)
    assert page["speedup_xla"] >= low / TOLERANCE, (
        f"the speed page's XLA speed-up is {page['speedup_xla']:.0f}x; make bench's "
        f"fit_linear: from {low:.0f}x")
