"""Notebook and command-line setup: one seeding call and a description of the machine."""

from __future__ import annotations

import os
import platform


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow in one call."""
    import keras

    keras.utils.set_random_seed(seed)


def describe() -> str:
    """Describe library versions, the CPU and GPUs, and bfloat16 support, one fact per line."""
    import keras
    import numpy
    import pandas
    import sklearn
    import tensorflow as tf

    from brainlib import __version__
    from brainlib.hardware import bfloat16_support
    from brainlib.runs import cpu_model

    gpus = tf.config.list_physical_devices("GPU")
    bf16, why = bfloat16_support()
    lines = [
        f"brainlib {__version__}, Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, NumPy {numpy.__version__}, pandas {pandas.__version__}, scikit-learn {sklearn.__version__}",
        f"CPU: {cpu_model()} ({os.cpu_count()} logical cores)",
        f"GPUs: {', '.join(gpu.name for gpu in gpus) if gpus else 'none (training runs on the CPU; the paper profile will be slow)'}",
        f"bfloat16 mixed precision: {'available' if bf16 else 'not available'} ({why})",
    ]
    return "\n".join(lines)
