"""``make bench``: how fast lossbook is, as ratios measured in one run.

Writes ``bench/results.json`` and the tables ``bench/results.{zh,en}.md`` that the
Performance page includes, and prints the English table. Every time is a median over
repeats; every comparison is a ratio of two medians from the same run. The two sides of
a loss comparison are timed in one process, call by call in turn, so a busy machine
slows both alike; peak memory is each side's own, measured in a fresh process.

TensorFlow has two sets of CPU kernels: Eigen's and oneDNN's (``TF_ENABLE_ONEDNN_OPTS``
=0 or 1, read when TensorFlow is imported). By default, on x86, it uses oneDNN only under
Linux on CPUs with AVX-512 VNNI/BF16, AVX-VNNI or AMX; on other x86 machines, Eigen.
Op timings differ between the two, so ``softmax_cross_entropy_with_logits`` and the
control row are measured on both, each in processes of their own, and the results say
which one is this machine's default; the other rows run on the default.

A ratio is judged against its target with the control row's spread (the same mode and
kernels): "yes" at or below the target, "within noise" above it by no more than the
control's own largest stray from 1, "no" beyond that.

Usage: ``python -m lossbook.bench [--parts training,losses,site,tests]``; with a subset,
the other parts keep their values from the existing ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench"

LOSS_CASES = {
    # name: (lossbook expression, TensorFlow built-in expression, shape, target ratio)
    "softmax_cross_entropy_with_logits": (
        "lossbook.losses.softmax_cross_entropy_with_logits(labels, logits)",
        "tf.nn.softmax_cross_entropy_with_logits(labels, logits)", (65536, 1000), 1.10),
    "categorical_crossentropy": (
        "lossbook.losses.categorical_crossentropy(labels, probs)",
        "keras.losses.categorical_crossentropy(labels, probs)", (65536, 1000), 1.00),
    "MeanSquaredError": (
        "lossbook.losses.MeanSquaredError()(labels, logits)",
        "keras.losses.MeanSquaredError()(labels, logits)", (65536, 1000), 1.00),
    "MeanSquaredError 1e6x1": (
        "lossbook.losses.MeanSquaredError()(labels, logits)",
        "keras.losses.MeanSquaredError()(labels, logits)", (1_000_000, 1), 1.00),
    # The noise floor: Keras against itself, measured exactly as the rows above.
    "control: Keras MSE vs Keras MSE": (
        "keras.losses.MeanSquaredError()(labels, logits)",
        "keras.losses.MeanSquaredError()(labels, logits)", (65536, 1000), None),
    "asymmetric_loss 1e6x1": (
        "tf.reduce_sum(lossbook.losses.asymmetric_loss(labels, logits, profit=99, cost=1))",
        "tf.reduce_sum(tf.where(tf.greater(logits, labels), 1 * (logits - labels),"
        " 99 * (labels - logits)))", (1_000_000, 1), None),
}

# The rows measured on both kernel sets; the others run on the machine's default.
BOTH_PATHS = ("softmax_cross_entropy_with_logits", "control: Keras MSE vs Keras MSE")
PATH_ENV = {"eigen": "0", "onednn": "1"}  # TF_ENABLE_ONEDNN_OPTS for each kernel set
# TensorFlow's rule (tensorflow/core/util/util.cc, IsMklEnabled): oneDNN is on by default
# on Linux x86 CPUs with any of these features.
ONEDNN_CPU_FLAGS = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8",
                    "amx_bf16")
ONEDNN_LOG = "oneDNN custom operations are on"

CASE_SCRIPT = r'''
import json, resource, statistics, sys, time
import numpy as np, tensorflow as tf, keras
import lossbook.losses
expressions = json.loads(sys.argv[1])  # {"lossbook": ..., "tensorflow": ...}
shape, mode, budget = tuple(json.loads(sys.argv[2])), sys.argv[3], float(sys.argv[4])
rng = np.random.default_rng(0)
logits = tf.constant(rng.normal(size=shape).astype(np.float32))
if shape[-1] > 1:
    labels = tf.one_hot(rng.integers(0, shape[-1], shape[0]), shape[-1])
else:
    labels = tf.constant(rng.normal(size=shape).astype(np.float32))
probs = tf.nn.softmax(logits)
variable = tf.Variable(logits)
kind, compiled = mode.split("/")
def make(expression, graph=compiled == "graph"):
    def forward():
        return eval(expression, {"tf": tf, "keras": keras, "lossbook": lossbook,
                                 "labels": labels, "logits": logits, "probs": probs})
    def forward_backward():
        with tf.GradientTape() as tape:
            value = eval(expression, {"tf": tf, "keras": keras, "lossbook": lossbook,
                                      "labels": labels, "logits": variable,
                                      "probs": variable})
            value = tf.reduce_sum(value)
        return tape.gradient(value, variable)
    fn = forward if kind == "forward" else forward_backward
    return tf.function(fn) if graph else fn
fns = {side: make(expression) for side, expression in expressions.items()}
for fn in fns.values():  # warm up (and trace)
    np.asarray(fn()); np.asarray(fn())
start = time.perf_counter()
for fn in fns.values():
    np.asarray(fn())
# Interleaved calls, so both sides meet the same machine (each goes first every other
# time, so neither finds the other's data in cache more often), for about `budget` s.
per_pair = time.perf_counter() - start
repeats = int(min(401, max(15, budget / per_pair)))
times = {side: [] for side in fns}
for i in range(repeats):
    for side, fn in (list(fns.items()) if i % 2 == 0 else list(fns.items())[::-1]):
        start = time.perf_counter()
        np.asarray(fn())
        times[side].append(time.perf_counter() - start)
# The ops each side runs (eager mode runs the same ops one by one), constants aside.
ops = {side: [op.type for op in tf.function(make(expression, graph=False))
              .get_concrete_function().graph.get_operations()
              if op.type not in ("Const", "Placeholder", "NoOp")]
       for side, expression in expressions.items()}
print(json.dumps({"repeats": repeats, "ops": ops,
                  "median": {side: statistics.median(t) for side, t in times.items()},
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> set:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def default_kernels() -> dict:
    """Which kernels TensorFlow uses here when ``TF_ENABLE_ONEDNN_OPTS`` is unset: asked of
    TensorFlow itself (a fresh import logs "oneDNN custom operations are on" when it uses
    them), with the CPU flags its rule looks at."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="0")
    env.pop("TF_ENABLE_ONEDNN_OPTS", None)
    out = subprocess.run([sys.executable, "-c", "import tensorflow as tf; tf.constant(1.0) + 1"],
                         env=env, capture_output=True, text=True, check=True)
    logged = ONEDNN_LOG in out.stderr + out.stdout
    flags = sorted(cpu_flags() & set(ONEDNN_CPU_FLAGS))
    return {"default": "onednn" if logged else "eigen", "tensorflow_log": logged,
            "cpu_flags": flags, "rule_says": "onednn" if flags else "eigen"}


def judge(ratio: float, target, control_range) -> str | None:
    """ "yes" (ratio <= target), "within noise" (above it by no more than the control's
    largest stray from 1, either way) or "no"; None without a target."""
    if target is None:
        return None
    if ratio <= target:
        return "yes"
    if control_range:
        low, high = control_range
        if ratio <= target * max(high, 1 / low):
            return "within noise"
    return "no"


def spread(values) -> list:
    return [min(values), max(values)]


def median_and_times(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def bench_training(repeats_fast=7, repeats_eager=3):
    """fit_linear against the note's eager loop: MSE 15000 steps, profit/cost 10000."""
    import numpy as np
    import tensorflow as tf

    from lossbook.data import seed_weights, yogurt_sales
    from lossbook.losses import AsymmetricLoss, mean_squared_error
    from lossbook.train import fit_linear

    x, y_ = yogurt_sales()
    w0 = seed_weights()
    cases = {
        "MSE, 15000 steps": (
            15000, mean_squared_error,
            lambda y: tf.reduce_mean(tf.square(y_ - y)),
        ),
        "profit/cost, 10000 steps": (
            10000, AsymmetricLoss(99, 1, reduction="sum"),
            lambda y: tf.reduce_sum(tf.where(tf.greater(y, y_), 1 * (y - y_), 99 * (y_ - y))),
        ),
    }
    rows = []
    for name, (steps, loss_fn, note_loss) in cases.items():
        def eager(steps=steps, note_loss=note_loss):
            w1 = tf.Variable(w0)
            for _ in range(steps):
                with tf.GradientTape() as tape:
                    loss = note_loss(tf.matmul(x, w1))
                w1.assign_sub(0.002 * tape.gradient(loss, w1))
            return w1.numpy()

        start = time.perf_counter()
        fit_linear(x, y_, loss_fn, steps=steps, learning_rate=0.002, init=w0)
        first = time.perf_counter() - start
        w_fast = fit_linear(x, y_, loss_fn, steps=steps, learning_rate=0.002, init=w0)[0]
        fast, fast_times = median_and_times(lambda loss_fn=loss_fn, steps=steps: fit_linear(
            x, y_, loss_fn, steps=steps, learning_rate=0.002, init=w0), repeats_fast)
        w_eager = eager()
        slow, slow_times = median_and_times(eager, repeats_eager)
        rows.append({
            "case": name, "eager_s": slow, "fit_linear_s": fast, "first_call_s": first,
            "eager_range_s": spread(slow_times), "fit_linear_range_s": spread(fast_times),
            # The widest the speed-up could be read from these repeats, either way.
            "speedup_range": [min(slow_times) / max(fast_times),
                              max(slow_times) / min(fast_times)],
            "speedup": slow / fast, "target": 50.0, "met": slow / fast >= 50,
            "max_abs_diff_w1": float(np.max(np.abs(w_fast - w_eager))),
        })
        print(f"  {name}: eager {slow:.2f} s, fit_linear {fast * 1e3:.1f} ms", file=sys.stderr)
    return rows


PROCESSES = 3


MODES = ("forward/eager", "forward/graph", "forward+gradient/eager", "forward+gradient/graph")


def bench_losses(kernels=None, cases=None, modes=MODES, earlier=()):
    """Each lossbook loss against TensorFlow's built-in: in each of PROCESSES processes,
    the two sides' medians of interleaved calls and their ratio; the median ratio and the
    range. Peak memory (max RSS) of each side alone, in a process of its own. The rows in
    BOTH_PATHS run on Eigen's and on oneDNN's kernels, the others on the default.

    ``cases`` (name prefixes) and ``modes`` limit what is measured; then the rows of
    ``earlier`` for the other cases are kept, with the control rows they were judged by.
    """
    kernels = kernels or default_kernels()
    selected = [name for name in LOSS_CASES
                if cases is None or any(name.startswith(prefix) for prefix in cases)]
    base_env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    base_env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), base_env.get("PYTHONPATH", "")])

    def case(expressions, shape, mode, budget, path):
        env = dict(base_env, TF_ENABLE_ONEDNN_OPTS=PATH_ENV[path])  # read at import
        out = subprocess.run(
            [sys.executable, "-c", CASE_SCRIPT, json.dumps(expressions), json.dumps(shape),
             mode.replace("forward+gradient", "backward"), str(budget)],
            env=env, capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    kept = [row for row in earlier if row["loss"] not in selected
            or (row["loss"].startswith("control") and "path" not in row)]
    rows = []
    for name in selected:
        ours, theirs, shape, target = LOSS_CASES[name]
        paths = tuple(PATH_ENV) if name in BOTH_PATHS else (kernels["default"],)
        for path in paths:
            for mode in modes:
                # Processes differ (memory layout, what else the machine does): the ratio
                # is the median of PROCESSES processes' ratios, and their range is kept.
                runs = [case({"lossbook": ours, "tensorflow": theirs}, shape, mode, 2.5, path)
                        for _ in range(PROCESSES)]
                ratios = sorted(r["median"]["lossbook"] / r["median"]["tensorflow"]
                                for r in runs)
                ratio = statistics.median(ratios)
                peak = {side: case({side: expression}, shape, mode, 0.2, path)["peak_mib"]
                        for side, expression in (("lossbook", ours), ("tensorflow", theirs))}
                rows.append({
                    "loss": name, "shape": list(shape), "mode": mode, "path": path,
                    "repeats": sum(r["repeats"] for r in runs), "processes": PROCESSES,
                    "lossbook_ms": statistics.median(r["median"]["lossbook"] for r in runs)
                    * 1e3,
                    "tensorflow_ms": statistics.median(r["median"]["tensorflow"] for r in runs)
                    * 1e3,
                    "ratio": ratio, "ratio_range": [ratios[0], ratios[-1]], "target": target,
                    "same_ops": all(r["ops"]["lossbook"] == r["ops"]["tensorflow"]
                                    for r in runs),
                    "lossbook_peak_mib": peak["lossbook"],
                    "tensorflow_peak_mib": peak["tensorflow"],
                })
                print(f"  {name} [{path}] {mode}: ratio {ratio:.3f} "
                      f"(range {ratios[0]:.3f}-{ratios[-1]:.3f})", file=sys.stderr)
    return judge_rows(kept + rows)


def control_of(rows, row):
    """The control row measured in the same mode on the same kernels as ``row``."""
    for other in rows:
        if (other["loss"].startswith("control") and other["mode"] == row["mode"]
                and other.get("path") == row.get("path")):
            return other
    return None


def judge_rows(rows):
    """Sets each row's ``met`` (``judge``) and the control range it was judged with."""
    for row in rows:
        control = None if row["loss"].startswith("control") else control_of(rows, row)
        row["control_range"] = control["ratio_range"] if control else None
        row["met"] = judge(row["ratio"], row["target"], row["control_range"])
    return rows


# What a cold build or test run starts without: recorded snippet runs and notebooks.
BUILD_CACHES = ("build/run", "build/notebooks", "build/mkdocs-jupyter")


def bench_site():
    """Cold build (no recorded runs, no notebooks) against a rebuild with nothing changed."""
    import shutil

    for cache in BUILD_CACHES:
        shutil.rmtree(ROOT / cache, ignore_errors=True)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(ROOT / "build/bench-site")]
    times = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run(mkdocs, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    cold, warm = times
    return {"cold_build_s": cold, "rebuild_s": warm, "ratio": warm / cold, "target": 0.20,
            "met": warm / cold <= 0.20}


TESTS_TARGET_S = 300.0  # five minutes on the 2-core build machine


def bench_tests():
    """Wall time of the whole test suite (what `make test` runs after set-up), cold: no
    recorded snippet runs or notebooks, as on a fresh clone."""
    import shutil

    for cache in BUILD_CACHES:
        shutil.rmtree(ROOT / cache, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    return {"wall_s": wall, "passed": result.returncode == 0, "target_s": TESTS_TARGET_S,
            "met": wall <= TESTS_TARGET_S and result.returncode == 0}


LABELS = {
    "en": {"training": "Training loop: fit_linear against the note's eager loop "
                       "(median of the repeats, their range in brackets)",
           "losses": "Losses against TensorFlow's built-ins (median time, ratio = lossbook / TF)",
           "site": "Site build", "tests": "Test suite",
           "case": "case", "eager": "eager", "cores": "cores",
           "speedup": "speed-up", "target": "target",
           "diff": "max \\|Δw1\\|", "mode": "mode",
           "ratio": "ratio (range)", "peak": "peak MiB, lossbook / TF", "met": "met",
           "time": "ms, lossbook / TF",
           "same": "same ops", "no_target": "no target (the note's formula)",
           "control": "the noise floor: the same code on both sides",
           "cold": "cold build", "rebuild": "rebuild, nothing changed",
           "wall": "make test wall time, cold (fresh clone, after set-up)",
           "yes": "yes", "no": "no", "within noise": "within noise", "none": "—",
           "machine": "Machine: ",
           "paths": {"eigen": "Eigen kernels (TF_ENABLE_ONEDNN_OPTS=0)",
                     "onednn": "oneDNN kernels (TF_ENABLE_ONEDNN_OPTS=1)"},
           "unset": "this machine's default kernels (TF_ENABLE_ONEDNN_OPTS unset)",
           "default": "this machine's default", "names": {"eigen": "Eigen", "onednn": "oneDNN"},
           "kernels": "TensorFlow's default kernels here: {path} ({why})",
           "logged": "its start-up log says \"oneDNN custom operations are on\"",
           "not_logged": "its start-up log does not mention oneDNN",
           "flags": "CPU flags that turn oneDNN on: {flags}", "no_flags": "none",
           "judged": "met: yes = ratio ≤ target; within noise = above the target by no more "
                     "than the control row's spread (same mode and kernels); no = beyond "
                     "that"},
    "zh": {"training": "训练循环：fit_linear 对比原笔记的即时执行循环"
                       "（取多次重复的中位数，括号里是范围）",
           "losses": "损失函数对比 TensorFlow 内置实现（时间取中位数，比值 = lossbook / TF）",
           "site": "网站构建", "tests": "测试",
           "case": "实验", "eager": "即时执行", "cores": "核",
           "cases": {"MSE, 15000 steps": "MSE，15000 步",
                     "profit/cost, 10000 steps": "利润/成本，10000 步"},
           "speedup": "加速比", "target": "目标",
           "diff": "max \\|Δw1\\|", "mode": "模式",
           "ratio": "比值（范围）", "peak": "峰值内存 MiB，lossbook / TF", "met": "达标",
           "time": "毫秒，lossbook / TF",
           "same": "算子相同", "no_target": "无目标（对比原笔记的公式）",
           "control": "噪声基准：两边是同一份代码",
           "cold": "冷构建", "rebuild": "无改动重建",
           "wall": "make test 耗时（冷启动：如同新克隆，环境已装好）",
           "yes": "是", "no": "否", "within noise": "在噪声内", "none": "—",
           "machine": "机器：",
           "paths": {"eigen": "Eigen 内核（TF_ENABLE_ONEDNN_OPTS=0）",
                     "onednn": "oneDNN 内核（TF_ENABLE_ONEDNN_OPTS=1）"},
           "unset": "本机默认内核（未设置 TF_ENABLE_ONEDNN_OPTS）",
           "default": "本机默认", "names": {"eigen": "Eigen", "onednn": "oneDNN"},
           "kernels": "本机 TensorFlow 默认使用的内核：{path}（{why}）",
           "logged": "启动日志显示“oneDNN custom operations are on”",
           "not_logged": "启动日志没有提到 oneDNN",
           "flags": "本机 CPU 支持的指令集中，使 oneDNN 默认开启的有 {flags}", "no_flags": "无",
           "judged": "达标：是 = 比值 ≤ 目标；在噪声内 = 超出目标，但不超过同一模式、同一内核下"
                     "对照行的波动；否 = 超出更多"},
}


def ratio_cell(row) -> str:
    low, high = row.get("ratio_range") or (row["ratio"], row["ratio"])
    return f"{row['ratio']:.3f} ({low:.3f}–{high:.3f})" if high > low else f"{row['ratio']:.3f}"


def tables(results, lang):
    """The results as Markdown tables, in one language."""
    t = LABELS[lang]

    def yes(met):
        if met is None:
            return t["none"]
        if isinstance(met, str):
            return t[met]
        return t["yes"] if met else t["no"]

    m = results["machine"]
    comma = "，" if lang == "zh" else ", "  # a list inside Chinese prose takes full-width commas
    lines = [t["machine"] + comma.join([m["cpu"], f"{m['cores']} {t['cores']}",
                                        f"Python {m['python']}", f"TensorFlow {m['tensorflow']}",
                                        results["date"]]), ""]
    k = results.get("kernels")
    if k:
        why = [t["logged"] if k["tensorflow_log"] else t["not_logged"],
               t["flags"].format(flags=("、" if lang == "zh" else ", ").join(k["cpu_flags"])
                                 or t["no_flags"])]
        sep = "；" if lang == "zh" else "; "
        lines += [t["kernels"].format(path=t["names"][k["default"]], why=sep.join(why)), ""]
    lines += [f"**{t['training']}**", "",
              f"| {t['case']} | {t['eager']} | fit_linear | {t['speedup']} | {t['target']} | "
              f"{t['met']} | {t['diff']} |", "|---|---|---|---|---|---|---|"]
    for r in results.get("training", []):
        case = t.get("cases", {}).get(r["case"], r["case"])
        eager, speedup = f"{r['eager_s']:.2f} s", f"{r['speedup']:.0f}×"
        if "eager_range_s" in r:  # the repeats' range, so the noise shows
            eager += " ({:.2f}–{:.2f})".format(*r["eager_range_s"])
            speedup += " ({:.0f}–{:.0f})".format(*r["speedup_range"])
        lines.append(f"| {case} | {eager} | {r['fit_linear_s'] * 1e3:.1f} ms | "
                     f"{speedup} | ≥ {r['target']:.0f}× | {yes(r['met'])} | "
                     f"{r['max_abs_diff_w1']:.1e} |")
    lines += ["", f"**{t['losses']}**", "", t["judged"]]
    # One narrow table per loss and kernel set, so no column is pushed off a phone's screen.
    cases: dict = {}
    for r in results.get("losses", []):
        cases.setdefault((r["loss"], tuple(r["shape"]), r["target"], r.get("path")),
                         []).append(r)
    for (loss, shape, target, path), rows in cases.items():
        aim = (f"{t['target']} ≤ {target:.2f}" if target is not None
               else t["control"] if loss.startswith("control") else t["no_target"])
        kernels = [t["unset"]]
        if path:
            kernels = [t["paths"][path]]
            if k and path == k["default"]:
                kernels.append(t["default"])
        caption = comma.join([f"`{loss}`", "×".join(map(str, shape)), *kernels, aim])
        lines += ["", caption, "",
                  f"| {t['mode']} | {t['time']} | {t['ratio']} | {t['met']} | {t['same']} "
                  f"| {t['peak']} |", "|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(
                f"| {r['mode']} | {r['lossbook_ms']:.1f} / {r['tensorflow_ms']:.1f} | "
                f"{ratio_cell(r)} | {yes(r['met'])} | {yes(r.get('same_ops'))} | "
                f"{r['lossbook_peak_mib']:.0f} / {r['tensorflow_peak_mib']:.0f} |")
    if results.get("site"):
        s = results["site"]
        lines += ["", f"**{t['site']}**: {t['cold']} {s['cold_build_s']:.0f} s, "
                  f"{t['rebuild']} {s['rebuild_s']:.1f} s ({s['ratio']:.0%}; "
                  f"{t['target']} ≤ 20%, {t['met']}: {yes(s['met'])})"]
    if results.get("tests"):
        s = results["tests"]
        lines += ["", f"**{t['tests']}**: {t['wall']} {s['wall_s']:.0f} s "
                  f"({t['target']} ≤ {s['target_s']:.0f} s, {t['met']}: {yes(s['met'])})"]
    text = "\n".join(lines) + "\n"
    if lang == "zh":  # Chinese punctuation in the Chinese prose around the numbers
        from lossbook._site.zh_typography import fix

        text = fix(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="training,losses,site,tests",
                        help="comma-separated parts to measure (default: all)")
    parser.add_argument("--cases", help="losses: comma-separated name prefixes to measure "
                        "(default: all); the other cases keep their rows")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="losses: comma-separated modes to measure (default: all)")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    import tensorflow as tf

    # Parts not measured this time keep their last values (shown until replaced).
    results = {}
    if (OUT / "results.json").exists():
        results = json.loads((OUT / "results.json").read_text())
    results.update({
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(),
                    "python": platform.python_version(), "tensorflow": tf.__version__},
    })
    if "losses" in parts:
        results["kernels"] = default_kernels()
    # Results are written after each part, so the site and test timings run against a
    # Performance page that already shows the parts measured before them.
    for part, measure in (("training", bench_training),
                          ("losses", lambda: bench_losses(
                              results["kernels"],
                              args.cases.split(",") if args.cases else None,
                              tuple(args.modes.split(",")), results.get("losses", ()))),
                          ("site", bench_site), ("tests", bench_tests)):
        if part in parts:
            print(f"{part} ...", file=sys.stderr)
            results[part] = measure()
            write(results)
    print(tables(results, "en"))
    return 0


def write(results) -> None:
    text = json.dumps(results, indent=1) + "\n"
    (ROOT / "build" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "build" / "bench" / "results.json").write_text(text)  # this run
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(text)  # to commit: the Performance page shows it
    for lang in LABELS:
        (OUT / f"results.{lang}.md").write_text(tables(results, lang))


if __name__ == "__main__":
    sys.exit(main())
