"""Solutions to the exercises of the speed lesson.

Lesson: speed.md, section "Exercises". Shows: range unrolls the loop into the graph,
tf.range does not; each new input shape is a new trace.
"""

# --8<-- [start:ex1]
import tensorflow as tf

from lossbook.data import seed_weights, yogurt_sales

x, y_ = yogurt_sales()
w = tf.constant(seed_weights())


def make(loop_range):
    @tf.function
    def train(w):
        for _ in loop_range(100):
            w = w - 0.002 * tf.matmul(tf.transpose(x), tf.matmul(x, w) - y_)
        return w

    return train


sizes = {}
for name, loop_range in (("range", range), ("tf.range", tf.range)):
    graph = make(loop_range).get_concrete_function(w).graph
    sizes[name] = len(graph.get_operations())
    print(f"{name:8s}: {sizes[name]:4d} operations for 100 steps")
assert sizes["range"] > 20 * sizes["tf.range"]  # unrolled: ~100 copies of a step
# --8<-- [end:ex1]


# --8<-- [start:ex2]
@tf.function
def predict(w):
    return tf.matmul(tf.ones([4, w.shape[0]]), w)


predict(tf.zeros([2, 1]))
predict(tf.ones([2, 1]))  # same shape: the trace is reused
predict(tf.zeros([3, 1]))  # new shape: a new trace
print("traces:", predict.experimental_get_tracing_count())
assert predict.experimental_get_tracing_count() == 2
# --8<-- [end:ex2]
