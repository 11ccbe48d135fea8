"""The TensorFlow and Keras lossbook supports, checked before either is used.

lossbook does not install TensorFlow by itself: a reader who already has ``tensorflow``
(the GPU build) or ``tensorflow-cpu`` keeps it, and ``pip install "lossbook[cpu]"`` adds
the CPU build to an environment that has none. Whichever is installed must be in the
supported range, or the import fails here, naming what was found and what to install,
before TensorFlow's own errors could.
"""

from __future__ import annotations

import importlib.metadata
import re

from lossbook._versions import KERAS, TENSORFLOW

INSTALL = 'pip install "lossbook[cpu]"  (or pip install "tensorflow>=2.16,<2.22")'


def _major_minor(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2])) if match else (0, 0)


def _in(version: str, supported) -> bool:
    low, high = supported
    return low <= _major_minor(version) < high


def _span(supported) -> str:
    (a, b), (c, d) = supported
    return f">={a}.{b},<{c}.{d}"


def check(tensorflow_version: str | None, keras_version: str | None) -> None:
    """Raises ImportError naming the problem if the versions found are not supported."""
    if tensorflow_version is None:
        raise ImportError(f"lossbook needs TensorFlow {_span(TENSORFLOW)}, and none is "
                          f"installed. Install it with: {INSTALL}")
    if not _in(tensorflow_version, TENSORFLOW):
        raise ImportError(f"lossbook supports TensorFlow {_span(TENSORFLOW)}; found "
                          f"{tensorflow_version}. Install a supported one with: {INSTALL}")
    if keras_version is None or not _in(keras_version, KERAS):
        raise ImportError(f"lossbook needs Keras {_span(KERAS)} (TensorFlow's Keras 3); found "
                          f"{keras_version or 'none'}. Install it with: "
                          f'pip install "keras{_span(KERAS)}"')


def _installed_version(module) -> str:
    return getattr(module, "__version__", None) or importlib.metadata.version(module.__name__)


def require_tensorflow() -> None:
    """Checks the installed TensorFlow and Keras (imports both: call it where they are used)."""
    try:
        import tensorflow
    except ImportError as error:
        if error.name != "tensorflow":
            raise
        check(None, None)
    try:
        import keras
    except ModuleNotFoundError:
        keras = None
    check(_installed_version(tensorflow), keras and _installed_version(keras))


require_tensorflow()
