"""From eager to compiled: the note's training loop four ways, timed in one run.

Lesson: speed.md. Shows: the eager GradientTape loop, a tf.function per step, the
whole loop in one tf.function (with and without XLA) and the least-squares floor:
same data, same initial weights, same w1, with the speed-ups measured here.
"""

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


timings = {}
for jit in (False, True):
    train = make_whole_loop(jit)
    start = time.perf_counter()
    train(tf.constant(w_start))  # first call: trace (and compile) + run
    first = time.perf_counter() - start
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        w_loop = train(tf.constant(w_start)).numpy()
        runs.append(time.perf_counter() - start)
    timings[jit] = (first, float(np.median(runs)))
    label = "whole loop, XLA:   " if jit else "whole loop, no XLA:"
    print(
        f"{label}    {timings[jit][1]:8.4f} s  (first call {first:.3f} s)  "
        f"w1 = {w_loop.ravel()}"
    )
t_loop, t_xla = timings[False][1], timings[True][1]
# --8<-- [end:whole_loop]

# --8<-- [start:floor]
start = time.perf_counter()
w_lstsq, *_ = np.linalg.lstsq(
    x.astype(np.float64), y_.astype(np.float64), rcond=None
)
t_lstsq = time.perf_counter() - start
print(f"least squares (floor): {t_lstsq:8.5f} s  w1 = {w_lstsq.ravel()}")

same = max(np.abs(w - w_eager).max() for w in (w_step, w_loop))
print(f"largest difference from the eager loop: {same:.1e}")
print(
    f"speed-up over eager: per-step tf.function {t_eager / t_step:.1f}x, "
    f"whole loop {t_eager / t_loop:.0f}x, with XLA {t_eager / t_xla:.0f}x"
)
speedup_step = t_eager / t_step
speedup_loop = t_eager / t_loop
speedup_xla = t_eager / t_xla
# --8<-- [end:floor]
