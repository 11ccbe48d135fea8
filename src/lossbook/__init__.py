"""Lossbook: the loss functions, data and training loop that the lessons use.

``lossbook.losses``, ``lossbook.data``, ``lossbook.train`` and ``lossbook.plotting`` load
on first use, so tools that only need ``lossbook._site`` do not import TensorFlow.
"""

import importlib

__all__ = ["data", "losses", "plotting", "train"]
__version__ = "0.1.0"


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"lossbook.{name}")
    raise AttributeError(f"module 'lossbook' has no attribute {name!r}")
