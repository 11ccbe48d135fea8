"""Binary cross-entropy from probabilities in Keras: clipping, and the logits Keras
recovers from a sigmoid.

Lesson: binary_cross_entropy.md. Shows: probabilities are clipped to [eps,
1 - eps], eps = keras.config.epsilon() = 1e-7, so a loss lies between 1.19e-7 and
16.118 (15.942 for y = 0 in float32; 16.118 both ways in float64) and its gradient
is 0 where the clip acts (asserted, equal to Keras'); the output of a Keras sigmoid
(keras.activations, Dense(activation="sigmoid")) carries its logits and gets the
exact loss, as does a Sigmoid op in a graph, while tf.sigmoid run eagerly is
clipped, and so is any op between the sigmoid and the loss (a slice, a cast,
tf.identity) (asserted, for lossbook and Keras alike); the same in model.evaluate.
"""

# --8<-- [start:clipping]
import keras
import numpy as np
import tensorflow as tf

import lossbook.losses

p = tf.constant([0.0, 1e-9, 1e-7, 0.5, 1 - 1e-7, 1.0])  # probabilities of "yes"
p_var = tf.Variable(p)
print("         p     loss, y = 1   loss, y = 0   gradient, y = 1")
with tf.GradientTape() as tape:
    loss_1 = lossbook.losses.binary_crossentropy(tf.ones((6, 1)), p_var[:, None])
loss_0 = lossbook.losses.binary_crossentropy(tf.zeros((6, 1)), p[:, None])
gradient_1 = tape.gradient(loss_1, p_var)  # of the sum of the losses
for row in zip(
    p.numpy(), loss_1.numpy(), loss_0.numpy(), gradient_1.numpy(), strict=True
):
    print("{:10.7g}  {:11.4g}  {:11.4g}  {:15.4g}".format(*row))
# --8<-- [end:clipping]

ceiling_1 = float(-np.log(np.float32(1e-7)))  # -ln(1e-7)
one_minus_eps = np.float32(1 - 1e-7)  # float32 rounds 1 - 1e-7 to 1 - 2^-23
ceiling_0 = float(-np.log(np.float32(1) - one_minus_eps))  # -ln(2^-23)
floor = float(-np.log(one_minus_eps))
assert round(ceiling_1, 3) == 16.118 and round(ceiling_0, 3) == 15.942
assert np.allclose(loss_1, [ceiling_1] * 3 + [np.log(2), floor, floor], rtol=1e-6)
assert np.allclose(
    loss_0, [floor] * 3 + [np.log(2), ceiling_0, ceiling_0], rtol=1e-6
)
# The gradient is 0 where the clip acts (below 1e-7, above 1 - 1e-7).
assert gradient_1[0] == 0 and gradient_1[1] == 0 and gradient_1[5] == 0
with tf.GradientTape() as tape:
    keras_loss_1 = keras.losses.binary_crossentropy(tf.ones((6, 1)), p_var[:, None])
assert np.array_equal(tape.gradient(keras_loss_1, p_var), gradient_1)
assert keras.config.epsilon() == 1e-7  # the eps of the clip, by default
# 15.942 is float32's: float64 keeps 1 - 1e-7, and both ceilings are 16.118.
p64 = tf.constant([[0.0], [1.0]], tf.float64)
for loss_fn in (
    lossbook.losses.binary_crossentropy,
    keras.losses.binary_crossentropy,
):
    ceilings_64 = loss_fn(tf.constant([[1.0], [0.0]], tf.float64), p64).numpy()
    assert np.allclose(ceilings_64, -np.log(1e-7), rtol=1e-6), ceilings_64
for ours, theirs in ((loss_1, tf.ones((6, 1))), (loss_0, tf.zeros((6, 1)))):
    assert np.allclose(
        ours, keras.losses.binary_crossentropy(theirs, p[:, None]), rtol=1e-6
    )

# --8<-- [start:recover]
import warnings

z = tf.constant([[-20.0], [-5.0], [5.0], [20.0]])  # logits
y = tf.ones_like(z)  # the answer is "yes" every time


@tf.function
def bce_of_tf_sigmoid_in_a_graph(y, z):
    return lossbook.losses.binary_crossentropy(y, tf.sigmoid(z))


with np.printoptions(precision=4):  # whatever was set before
    print(
        "from logits:              ",
        lossbook.losses.binary_crossentropy(y, z, from_logits=True).numpy(),
    )
    print(
        "keras.activations.sigmoid:",
        lossbook.losses.binary_crossentropy(
            y, keras.activations.sigmoid(z)
        ).numpy(),
    )
    print(
        "tf.sigmoid:               ",
        lossbook.losses.binary_crossentropy(y, tf.sigmoid(z)).numpy(),
    )
    print(
        "tf.nn.sigmoid:            ",
        lossbook.losses.binary_crossentropy(y, tf.nn.sigmoid(z)).numpy(),
    )
    print("tf.sigmoid in tf.function:", bce_of_tf_sigmoid_in_a_graph(y, z).numpy())
    print(
        "keras sigmoid, then [:, :1]:",
        lossbook.losses.binary_crossentropy(
            y, keras.activations.sigmoid(z)[:, :1]
        ).numpy(),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        told_logits = lossbook.losses.binary_crossentropy(
            y, keras.activations.sigmoid(z), from_logits=True
        )
    print("keras sigmoid, from_logits=True:", told_logits.numpy())
print("warning:", caught[0].message)
# --8<-- [end:recover]

exact = lossbook.losses.binary_crossentropy(y, z, from_logits=True).numpy()
recovered = {
    "keras.activations.sigmoid": keras.activations.sigmoid(z),
    "keras.ops.sigmoid": keras.ops.sigmoid(z),
}
for name, probabilities in recovered.items():
    for loss_fn in (
        lossbook.losses.binary_crossentropy,
        keras.losses.binary_crossentropy,
    ):
        assert np.allclose(loss_fn(y, probabilities), exact, rtol=1e-6), name
assert np.allclose(bce_of_tf_sigmoid_in_a_graph(y, z), exact, rtol=1e-6)
assert np.allclose(told_logits, exact, rtol=1e-6)
assert "received `from_logits=True`" in str(caught[0].message)
for sigmoid in (tf.sigmoid, tf.nn.sigmoid):  # eager: plain probabilities, clipped
    clipped = lossbook.losses.binary_crossentropy(y, sigmoid(z)).numpy()
    assert np.allclose(
        clipped, keras.losses.binary_crossentropy(y, sigmoid(z)), rtol=1e-6
    )
    assert np.isclose(clipped[0], ceiling_1, rtol=1e-6) and exact[0] > 19.9
    assert clipped[3] > 50 * exact[3]  # the floor 1.19e-7, not e^-20 = 2.1e-9
clipped_first = float(clipped[0])
# Only the sigmoid's own output is recognised: any op in between hides it.
keras_probabilities = keras.activations.sigmoid(z)
hidden = {
    "a slice": keras_probabilities[:, :1],
    "a cast": tf.cast(tf.cast(keras_probabilities, tf.float64), tf.float32),
    "tf.identity": tf.identity(keras_probabilities),
}
for name, probabilities in hidden.items():
    for loss_fn in (
        lossbook.losses.binary_crossentropy,
        keras.losses.binary_crossentropy,
    ):
        assert np.allclose(loss_fn(y, probabilities), clipped, rtol=1e-6), name


@tf.function
def keras_bce_of_tf_sigmoid_in_a_graph(y, z):
    return keras.losses.binary_crossentropy(y, tf.sigmoid(z))


@tf.function
def keras_bce_of_identity_in_a_graph(y, z):  # the loss sees an Identity op
    return keras.losses.binary_crossentropy(y, tf.identity(tf.sigmoid(z)))


assert np.allclose(keras_bce_of_tf_sigmoid_in_a_graph(y, z), exact, rtol=1e-6)
assert np.allclose(keras_bce_of_identity_in_a_graph(y, z), clipped, rtol=1e-6)


# --8<-- [start:model]
class TfSigmoid(keras.layers.Layer):  # sigmoid inside a layer of our own
    def call(self, logits):
        return tf.sigmoid(logits)


x = np.array([[-4.0], [-1.0], [1.0], [4.0]], np.float32)
labels = np.array([[1.0], [1.0], [0.0], [0.0]], np.float32)  # all four wrong
steep = keras.initializers.Constant(10.0)  # logits 10 x: confident, and wrong
inputs = keras.Input((1,))
models = {
    "Dense(sigmoid)": keras.Model(
        inputs, keras.layers.Dense(1, "sigmoid", kernel_initializer=steep)(inputs)
    ),
    "Dense + tf.sigmoid": keras.Model(
        inputs, TfSigmoid()(keras.layers.Dense(1, kernel_initializer=steep)(inputs))
    ),
}
true_loss = lossbook.losses.binary_crossentropy(labels, 10 * x, from_logits=True)
print(f"true loss (from the logits 10 x): {np.mean(true_loss):.4f}")
results = {}
for name, model in models.items():
    for eager in (False, True):
        model.compile(loss=lossbook.losses.BinaryCrossentropy(), run_eagerly=eager)
        results[name, eager] = model.evaluate(x, labels, verbose=0)
        print(
            f"{name:18}  run_eagerly={eager!s:5}  loss {results[name, eager]:.4f}"
        )
# --8<-- [end:model]

true_model_loss = float(np.mean(true_loss))
clipped_model_loss = results["Dense + tf.sigmoid", True]
for (name, eager), loss in results.items():
    if (name, eager) != (
        "Dense + tf.sigmoid",
        True,
    ):  # Keras sees through the others
        assert np.isclose(loss, true_model_loss, rtol=1e-6), (name, eager, loss)
assert clipped_model_loss < true_model_loss - 10
# Predicting from a model that outputs logits: apply the sigmoid yourself; then
# p > 0.5 exactly where z > 0.
logits_model = keras.Model(
    inputs, keras.layers.Dense(1, kernel_initializer=steep)(inputs)
)
model_logits = logits_model(x)
model_p = keras.ops.sigmoid(model_logits)
assert np.array_equal(np.asarray(model_p) > 0.5, np.asarray(model_logits) > 0)
# Keras' own class gives the same numbers, seen through or clipped.
for name, eager in (("Dense(sigmoid)", False), ("Dense + tf.sigmoid", True)):
    models[name].compile(loss=keras.losses.BinaryCrossentropy(), run_eagerly=eager)
    keras_loss = models[name].evaluate(x, labels, verbose=0)
    assert np.isclose(keras_loss, results[name, eager], rtol=1e-6), (
        name,
        keras_loss,
    )
