"""ResNet-50/101/152 from keras.applications with the paper's classification head.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from brainlib import CLASS_NAMES, DEPTHS

BACKBONES = {50: keras.applications.ResNet50, 101: keras.applications.ResNet101, 152: keras.applications.ResNet152}
WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# keras.applications.resnet subtracts these ImageNet channel means, in BGR order ("caffe" mode).
IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)


class WeightsUnavailable(RuntimeError):
    """ImageNet weights could not be found in the Keras cache nor downloaded."""


@keras.saving.register_keras_serializable(package="brainlib")
class ResNetPreprocess(keras.layers.Layer):
    """Turn 0-255 RGB images into the input keras.applications ResNets expect (BGR, mean removed).

    Having it inside the model means a saved model takes raw images, in training and in predict.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)

    def call(self, images):
        bgr = keras.ops.flip(keras.ops.cast(images, self.compute_dtype), axis=-1)
        return bgr - keras.ops.convert_to_tensor(IMAGENET_BGR_MEAN, dtype=self.compute_dtype)


def weights_file_name(depth: int) -> str:
    """Return the file name Keras uses for the ImageNet weights of ResNet-`depth` without its top."""
    return f"resnet{depth}_weights_tf_dim_ordering_tf_kernels_notop.h5"


def keras_cache_dir() -> Path:
    """Return the folder where Keras keeps downloaded model weights."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def _download_weights(depth: int) -> str:
    return keras.utils.get_file(weights_file_name(depth), WEIGHTS_URL + weights_file_name(depth), cache_subdir="models")


def imagenet_weights_path(depth: int) -> str:
    """Return a local path to the ImageNet weights of ResNet-`depth`, downloading them if needed.

    Raises:
        WeightsUnavailable: the file is not cached and could not be downloaded; the message
            names the file, its URL and where to place it by hand.
    """
    cached = keras_cache_dir() / weights_file_name(depth)
    if cached.is_file():
        return str(cached)
    try:
        return _download_weights(depth)
    except Exception as error:  # get_file raises plain Exception for network failures.
        raise WeightsUnavailable(
            f"ImageNet weights for ResNet-{depth} are not available ({error}). Download "
            f"{WEIGHTS_URL}{weights_file_name(depth)} on a machine with internet access and copy it "
            f"to {cached} (the Keras cache; KERAS_HOME moves it), or pass a weights file path."
        ) from error


def resolve_weights(weights: str, depth: int) -> tuple[str | None, str]:
    """Map a weights option to what keras.applications takes, and a label for run records.

    Returns:
        (path or None, label). When ImageNet weights are unavailable, prints why and returns
        (None, "none (imagenet unavailable)"), so training continues from scratch.
    """
    if weights in ("none", None):
        return None, "none"
    if weights == "imagenet":
        try:
            return imagenet_weights_path(depth), "imagenet"
        except WeightsUnavailable as error:
            print(f"{error}\nTraining ResNet-{depth} from scratch (random initialisation) instead.")
            return None, "none (imagenet unavailable)"
    path = Path(weights).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"Weights file {path} not found. Pass `imagenet`, `none` or the path of an .h5 file.")
    return str(path), f"file: {path}"


def build_model(
    depth: int,
    image_size: int,
    weights_path: str | None = None,
    freeze_backbone: bool = False,
    num_classes: int = len(CLASS_NAMES),
) -> keras.Model:
    """Build ResNet-`depth` with the paper's head: GAP, dropout 0.2, dense 128 relu, dropout 0.2, softmax.

    Args:
        depth: 50, 101 or 152.
        image_size: side of the square 0-255 RGB input, in pixels.
        weights_path: backbone weights file (for example from `resolve_weights`); None for random.
        freeze_backbone: keep the backbone's weights fixed and run it in inference mode, so its
            BatchNorm statistics stay as loaded.
        num_classes: size of the softmax output, which is float32 even under mixed precision.
    """
    if depth not in BACKBONES:
        raise ValueError(f"Unknown ResNet depth {depth}; choose one of {', '.join(map(str, DEPTHS))}.")
    inputs = keras.Input((image_size, image_size, 3), name="image")
    try:
        backbone = BACKBONES[depth](include_top=False, weights=weights_path, input_shape=(image_size, image_size, 3))
    except (ValueError, OSError) as error:
        if weights_path is None:
            raise
        raise ValueError(
            f"Weights file {weights_path} does not fit ResNet-{depth} without its top ({error}). Pass the "
            f"weights saved for this depth, for example {weights_file_name(depth)}, or `none`."
        ) from error
    backbone.trainable = not freeze_backbone
    features = backbone(ResNetPreprocess(name="preprocess")(inputs), training=False if freeze_backbone else None)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(features)
    x = keras.layers.Dropout(0.2, name="dropout_1")(x)
    x = keras.layers.Dense(128, activation="relu", name="dense_128")(x)
    x = keras.layers.Dropout(0.2, name="dropout_2")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=f"resnet{depth}_brain_mri")


def load_model(path: str | Path) -> keras.Model:
    """Load a model saved by a run, for inference; this module registers its custom layer."""
    return keras.models.load_model(path, compile=False)
