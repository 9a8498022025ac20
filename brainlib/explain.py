"""Grad-CAM: where in the slice the evidence for a class comes from."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def _feature_layer_index(model: keras.Model, feature_layer: str | None) -> int:
    layers = model.layers
    if feature_layer is not None:
        return [layer.name for layer in layers].index(feature_layer)
    # Our ResNets hold the backbone as one nested model; its output is the last convolutional block.
    for index, layer in enumerate(layers):
        if isinstance(layer, keras.Model):
            return index
    raise ValueError("Pass feature_layer: the model has no nested backbone to take feature maps from.")


def gradcam_model(model: keras.Model, feature_layer: str | None = None) -> keras.Model:
    """Rebuild a chain-shaped model so it returns the feature maps of `feature_layer` and the probabilities.

    Args:
        feature_layer: name of a top-level layer; None takes the nested backbone (for the ResNets
            built by `brainlib.models`, its output is the last block, conv5_block3_out).
    """
    index = _feature_layer_index(model, feature_layer)
    inputs = keras.Input(model.input_shape[1:])
    x = inputs
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    split = index - (len(model.layers) - len(layers))
    for layer in layers[: split + 1]:
        x = layer(x)
    features = x
    for layer in layers[split + 1 :]:
        x = layer(x)
    return keras.Model(inputs, [features, x])


def grad_cam(model: keras.Model, images: np.ndarray, class_indices=None, feature_layer: str | None = None) -> np.ndarray:
    """Compute Grad-CAM heatmaps, one per image, in [0, 1] and at the images' size.

    Args:
        images: (n, size, size, 3) images as the model takes them (0-255 for our ResNets).
        class_indices: the class to explain per image; None explains each image's predicted class.

    NOTE: the gradient is taken of the softmax probability, not of the pre-softmax score that
    Grad-CAM is usually defined on. For very confident predictions the map is therefore
    fainter and partly contrastive, showing evidence against the other classes.
    """
    explainer = gradcam_model(model, feature_layer)
    batch = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    with tf.GradientTape() as tape:
        features, probabilities = explainer(batch, training=False)
        if class_indices is None:
            class_indices = tf.argmax(probabilities, axis=1)
        chosen = tf.gather(probabilities, tf.convert_to_tensor(class_indices, tf.int64), axis=1, batch_dims=1)
    # Under mixed precision the feature maps are bfloat16; take the gradient there, then widen both.
    gradients = tf.cast(tape.gradient(chosen, features), tf.float32)
    features = tf.cast(features, tf.float32)
    channel_weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    cams = tf.nn.relu(tf.reduce_sum(channel_weights * features, axis=-1, keepdims=True))
    cams = tf.image.resize(cams, batch.shape[1:3], method="bilinear")[..., 0].numpy()
    peaks = cams.reshape(len(cams), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(cams, peaks, out=np.zeros_like(cams), where=peaks > 0)


def overlay(image: np.ndarray, cam: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """Blend a heatmap (jet colours) over a uint8 image; returns a uint8 RGB image."""
    import matplotlib

    colours = matplotlib.colormaps["jet"](cam)[..., :3] * 255
    return np.clip((1 - alpha) * image + alpha * colours, 0, 255).astype(np.uint8)
