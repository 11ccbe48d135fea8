"""Pitfalls of compiled training loops, each with its number from this run.

Lesson: speed.md. Shows: retracing when a Python number changes, Python side effects
(print, counters) that run once at trace time, and the cost of the first call.
"""
# lossbook: run alone (it times code: the build runs it when no other snippet runs)

# --8<-- [start:retracing]
import time

import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales

x, y_ = yogurt_sales()
w = tf.constant(seed_weights())


@tf.function
def one_step(w, lr):
    with tf.GradientTape() as tape:
        tape.watch(w)
        loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w)))
    return w - lr * tape.gradient(loss, w)


for lr in (0.001, 0.002, 0.003, 0.004):
    one_step(
        w, lr
    )  # a Python float is part of the signature: a new trace each time
print("traces with Python floats:", one_step.experimental_get_tracing_count())
assert one_step.experimental_get_tracing_count() == 4

for lr in (0.005, 0.006, 0.007, 0.008):
    one_step(w, tf.constant(lr))  # a tensor: one trace serves every value
print("traces after 4 tensor values:", one_step.experimental_get_tracing_count())
assert one_step.experimental_get_tracing_count() == 5  # one more, for them all
# --8<-- [end:retracing]

# --8<-- [start:side_effects]
python_calls = []
graph_steps = tf.Variable(0)


@tf.function
def loop(w):
    for _ in tf.range(1000):
        python_calls.append(1)  # Python: runs while tracing, not in the loop
        graph_steps.assign_add(1)  # a TensorFlow op: runs every step
        w = w - 0.002 * w
    return w


loop(w)
loop(w)
print("Python list appends:", len(python_calls), " graph steps:", int(graph_steps))
assert len(python_calls) == 1 and int(graph_steps) == 2 * 1000
# --8<-- [end:side_effects]


# --8<-- [start:first_call]
@tf.function(jit_compile=True)
def fresh_step(w):
    return w - 0.002 * tf.matmul(tf.transpose(x), tf.matmul(x, w) - y_)


timings = []
for _ in range(4):
    start = time.perf_counter()
    fresh_step(w)
    timings.append(time.perf_counter() - start)
first_call_ms, later_ms = timings[0] * 1e3, min(timings[1:]) * 1e3
print(f"first call {first_call_ms:.1f} ms (trace + XLA compile)")
print(f"later calls {later_ms:.3f} ms")
assert first_call_ms > later_ms
# --8<-- [end:first_call]
