"""The TensorFlow and Keras versions lossbook supports (neither is imported here: the site's
build quotes them too). ``_requires`` checks them on import; ``make test-oldest`` runs the
oldest: TensorFlow 2.16 is the first with Keras 3, Keras 3.8 the first with the "mean" and
"mean_with_sample_weight" reductions."""

TENSORFLOW = ((2, 16), (2, 22))  # oldest supported, first unsupported (major, minor)
KERAS = ((3, 8), (4, 0))


def supported_span(versions=TENSORFLOW) -> tuple[str, str]:
    """("2.16", "2.21"): the oldest and newest supported minor versions, for prose."""
    (a, b), (c, d) = versions
    return f"{a}.{b}", f"{c}.{d - 1}"
