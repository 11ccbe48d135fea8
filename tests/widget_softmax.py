"""The softmax widget on softmax_cross_entropy: its page data and what it must show.

The widget computes softmax, the cross-entropy loss and its gradient p - y for three
logits in float32, either the stable way (what lossbook's
softmax_cross_entropy_with_logits does) or the naive way (exp(z) / sum(exp(z)), then
-log p). Here the same numbers come from lossbook and TensorFlow in float32.
"""

NAME = "softmax"
PAGE = "softmax_cross_entropy"

# The note's example (softmax_ce_seed.py) is a 5x3 batch, not a single example, so the
# widget starts from the classic logits [2.0, 1.0, 0.1] with class 0 as the answer.
DEFAULT_LOGITS = [2.0, 1.0, 0.1]
DEFAULT_LABEL = 0
# step 0.1, not 0.5: 0.1 (the default's third logit) must be a position of the slider.
RANGE = {"min": -120, "max": 120, "step": 0.1}


def _tf():
    import tensorflow as tf

    return tf


def _stable(logits, label):
    """p from tf.nn.softmax; loss and its gradient from lossbook (float32)."""
    tf = _tf()
    import lossbook.losses

    z = tf.Variable([logits], dtype=tf.float32)
    y = tf.one_hot([label], len(logits), dtype=tf.float32)
    with tf.GradientTape() as tape:
        loss = lossbook.losses.softmax_cross_entropy_with_logits(y, z)[0]
    grad = tape.gradient(loss, z)[0]
    p = tf.nn.softmax(z)[0]
    return p.numpy(), float(loss), grad.numpy()


def _naive(logits, label):
    """exp(z) / sum(exp(z)), -log p[label], and p - y from that p (float32)."""
    tf = _tf()
    z = tf.constant([logits], dtype=tf.float32)
    e = tf.exp(z)
    p = e / tf.reduce_sum(e, axis=-1, keepdims=True)
    loss = -tf.math.log(p[0, label])
    grad = p - tf.one_hot([label], len(logits), dtype=tf.float32)
    return p[0].numpy(), float(loss), grad[0].numpy()


def page_data() -> dict:
    p, loss, grad = _stable(DEFAULT_LOGITS, DEFAULT_LABEL)
    return {
        "logits": list(DEFAULT_LOGITS),
        "label": DEFAULT_LABEL,
        **RANGE,
        "at_default": {
            "p": [float(v) for v in p],
            "loss": loss,
            "grad": [float(v) for v in grad],
        },
    }


def _setting(z, label, naive):
    return {"z0": z[0], "z1": z[1], "z2": z[2], "label": label, "naive": naive}


SETTINGS = [
    _setting(DEFAULT_LOGITS, DEFAULT_LABEL, False),  # the default
    _setting(DEFAULT_LOGITS, DEFAULT_LABEL, True),  # no overflow: both formulas agree
    _setting([3, -2, 0.5], 2, False),
    _setting([3, -2, 0.5], 2, True),
    _setting([100, 0, -100], 0, False),  # stable: loss 0, finite
    _setting([100, 0, -100], 0, True),  # exp(100) = inf: inf/inf = nan, loss nan
    _setting([100, 0, -100], 1, True),  # p1 = 1/inf = 0: loss inf, p0 nan
    _setting([-110, 0, 0], 0, False),  # stable: loss 110.69
    _setting([-110, 0, 0], 0, True),  # exp(-110) flushed to 0: p0 = 0, loss inf
    _setting([88.5, 88.5, 0], 2, True),  # each exp finite, their sum inf: p = 0, loss inf
    _setting([-100, -100, -90], 0, True),  # every exp is 0: 0/0 = nan
    _setting([-100, -100, -90], 0, False),
    # Where the page says the naive formula breaks, the other logits at their defaults:
    # exp overflows float32 above ln(3.4e38) = 88.72, and the answer's probability is
    # flushed to 0 once below float32's smallest normal number, 1.2e-38: from -86.0.
    _setting([88.7, 1.0, 0.1], 0, True),  # finite
    _setting([88.8, 1.0, 0.1], 0, True),  # exp(88.8) = inf: nan
    _setting([-85.9, 1.0, 0.1], 0, True),  # finite
    _setting([-86.0, 1.0, 0.1], 0, True),  # p0 = 0: loss inf
    _setting([12, 3, 2], 0, False),  # the note's first example: a tiny loss (1.7e-4)
    _setting([120, -120, 120], 1, False),  # two equal maxima, the largest loss: 240.69
]


def expected(data: dict, setting: dict) -> dict:
    logits = [float(setting[f"z{i}"]) for i in range(3)]
    label = int(setting["label"])
    p, loss, grad = (_naive if setting["naive"] else _stable)(logits, label)
    out = {"loss": loss}
    for i in range(3):
        out[f"p{i}"] = float(p[i])
        out[f"g{i}"] = float(grad[i])
    return out


# Both sides compute in float32, but JavaScript's float32 exp is Math.exp rounded with
# Math.fround (correctly rounded), TensorFlow's is Eigen's polynomial (within 1 ulp over
# the slider's range), and sums may be taken in another order: finite values agree to a
# few ulps, so rtol 1e-5; atol 1e-7 for values that are 0 on one side and a few ulps of
# 1 away from it on the other (a gradient 1 - p near 0). inf and nan compare exactly.
TOLERANCE = {"default": {"rtol": 1e-5, "atol": 1e-7}}


def at_default(data: dict, setting: dict) -> dict | None:
    """What the build's run recorded at the page's default logits (stable formula)."""
    logits = [setting["z0"], setting["z1"], setting["z2"]]
    if logits != data["logits"] or setting["label"] != data["label"] or setting["naive"]:
        return None
    run = data["at_default"]
    shown = {"loss": run["loss"]}
    for i in range(3):
        shown[f"p{i}"], shown[f"g{i}"] = run["p"][i], run["grad"][i]
    return shown
