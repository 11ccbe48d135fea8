"""From eager to compiled: the note's training loop four ways, timed in one run.

Lesson: speed.md. Shows: the eager GradientTape loop, a tf.function per step, the
whole loop in one tf.function (with and without XLA) and the least-squares floor:
same data, same initial weights, same w1, with the speed-ups measured here.
"""
# lossbook: run alone (it times code: the build runs it when no other snippet runs)

# --8<-- [start:machine]
import os
import platform
import time

import numpy as np
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales


def cpu_name():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; TensorFlow {tf.__version__}")
x, y_ = yogurt_sales()
w_start = seed_weights()  # the note's tf.random.normal([2, 1], stddev=1, seed=1)
STEPS, LR = 15000, 0.002
assert x.shape == (32, 2) and w_start.shape == (2, 1)  # 32 rows, two weights
# --8<-- [end:machine]


# --8<-- [start:eager]
def train_eager():
    w1 = tf.Variable(w_start)
    for _ in range(STEPS):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w1)))
        w1.assign_sub(LR * tape.gradient(loss, w1))
    return w1.numpy()


start = time.perf_counter()
w_eager = train_eager()
t_eager = time.perf_counter() - start
print(f"eager loop:            {t_eager:8.3f} s  w1 = {w_eager.ravel()}")
# --8<-- [end:eager]


# --8<-- [start:step_function]
@tf.function
def train_step(w1):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w1)))
    w1.assign_sub(LR * tape.gradient(loss, w1))


def train_step_function():
    w1 = tf.Variable(w_start)
    for _ in range(STEPS):
        train_step(w1)  # the step is a graph; the loop is still Python
    return w1.numpy()


start = time.perf_counter()
w_step = train_step_function()
t_step = time.perf_counter() - start
print(f"tf.function per step:  {t_step:8.3f} s  w1 = {w_step.ravel()}")
# --8<-- [end:step_function]
# How many operations one eager step dispatches from Python (the page quotes it).
step_graph = train_step.get_concrete_function(tf.Variable(w_start)).graph
step_ops = sum(
    op.type not in ("Const", "Placeholder", "NoOp", "Identity")
    for op in step_graph.get_operations()
)


# --8<-- [start:whole_loop]
def make_whole_loop(jit_compile):
    @tf.function(jit_compile=jit_compile)
    def train(w):
        for _ in tf.range(
            STEPS
        ):  # tf.range: the loop itself becomes part of the graph
            with tf.GradientTape() as tape:
                tape.watch(w)
                loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w)))
            w = w - LR * tape.gradient(loss, w)
        return w

    return train


timings, runs, w_loops = {}, {}, {}
for jit in (False, True):
    train = make_whole_loop(jit)
    start = time.perf_counter()
    train(tf.constant(w_start))  # first call: trace (and compile) + run
    first = time.perf_counter() - start
    runs[jit] = []
    for _ in range(5):
        start = time.perf_counter()
        w_loops[jit] = train(tf.constant(w_start)).numpy()
        runs[jit].append(time.perf_counter() - start)
    timings[jit] = (first, float(np.median(runs[jit])))
    label = "whole loop, XLA:   " if jit else "whole loop, no XLA:"
    print(
        f"{label}    {timings[jit][1]:8.4f} s  (first call {first:.3f} s)  "
        f"w1 = {w_loops[jit].ravel()}"
    )
t_loop, t_xla = timings[False][1], timings[True][1]
w_loop, w_xla = w_loops[False], w_loops[True]
# --8<-- [end:whole_loop]

# --8<-- [start:floor]
x64, y64 = x.astype(np.float64), y_.astype(np.float64)
times = []
for _ in range(6):  # the first call also loads NumPy's LAPACK routines
    start = time.perf_counter()
    w_lstsq, *_ = np.linalg.lstsq(x64, y64, rcond=None)
    times.append(time.perf_counter() - start)
t_lstsq = float(np.median(times[1:]))  # the median after the first, as for loops
print(f"least squares (floor): {t_lstsq * 1e3:.3f} ms  w1 = {w_lstsq.ravel()}")

loops = {"per step": w_step, "whole loop": w_loop, "whole loop, XLA": w_xla}
for name, w in loops.items():
    assert np.array_equal(w, w_eager), f"{name} ends elsewhere: {w.ravel()}"
print(f"the other three loops differ from the eager one by "
      f"{max(np.abs(w - w_eager).max() for w in loops.values()):.1e}")
gap_lstsq = float(np.abs(w_eager - w_lstsq).max())
print(f"gradient descent differs from least squares by {gap_lstsq:.1e}")
speedup_step = t_eager / t_step
speedup_loop = t_eager / t_loop
speedup_xla = t_eager / t_xla
print(
    f"speed-up over eager: per-step tf.function {speedup_step:.1f}x, "
    f"whole loop {speedup_loop:.0f}x, with XLA {speedup_xla:.0f}x"
)
# How far apart the 5 timed calls of each whole loop were: the noise.
spread_loop, spread_xla = (
    max(runs[jit]) / min(runs[jit]) - 1 for jit in (False, True)
)
print(f"the 5 calls of each whole loop: slowest / fastest - 1 = "
      f"{spread_loop:.0%} (no XLA), {spread_xla:.0%} (XLA)")
# --8<-- [end:floor]
# Least squares is the floor for the time: faster than every loop.
assert t_lstsq < min(t_eager, t_step, t_loop, t_xla), t_lstsq
