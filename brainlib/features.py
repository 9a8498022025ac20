"""Train the head of a frozen backbone on features computed once, instead of every epoch.

With the backbone frozen (transfer learning's first phase), every epoch would push the same
images through the same fixed backbone. Here the pooled backbone features are computed once per
image and augmented view, and the head (dropout, dense 128, dropout, softmax) trains on them.
The head's layers are the model's own, so the full model predicts with what the head learned.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np
import tensorflow as tf

from brainlib.pipeline import make_dataset

POOL_LAYER = "pool"
HEAD_LAYERS = ("dropout_1", "dense_128", "dropout_2", "probabilities")


def feature_extractor(model: keras.Model) -> keras.Model:
    """Return the part of `model` (from `models.build_model`) from the image to the pooled features."""
    return keras.Model(model.inputs, model.get_layer(POOL_LAYER).output, name="feature_extractor")


def head_model(model: keras.Model) -> keras.Model:
    """Return a model from pooled features to class probabilities that shares `model`'s head layers."""
    features = keras.Input(model.get_layer(POOL_LAYER).output.shape[1:], name="features")
    x = features
    for name in HEAD_LAYERS:
        x = model.get_layer(name)(x)
    return keras.Model(features, x, name="head")


def compute_features(extractor: keras.Model, images: np.ndarray, batch_size: int, augmenter=None, views: int = 1) -> np.ndarray:
    """Return pooled features of shape (views, images, features), in image order.

    Without `augmenter` there is one view, the images as they are; with it, `views` augmented
    passes, each drawn anew by the augmenter.
    """
    views = 1 if augmenter is None else views
    labels = np.zeros(len(images), dtype=np.int32)
    passes = []
    for _ in range(views):
        dataset = make_dataset(images, labels, 1, batch_size, augmenter=augmenter).map(lambda x, _: x)
        passes.append(extractor.predict(dataset, verbose=0).astype(np.float32))
    return np.stack(passes)


def feature_dataset(features: np.ndarray, labels: np.ndarray, num_classes: int, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
    """Batch cached features with one-hot labels: every image once per epoch, each in a random view.

    Args:
        features: (views, images, features) from `compute_features`.
        shuffle_seed: when set, reshuffle images and draw views every epoch from this seed; None
            keeps image order and the first view (used by tests to match uncached training).
    """
    views, count = features.shape[:2]
    one_hot = tf.one_hot(labels.astype(np.int32), num_classes)
    dataset = tf.data.Dataset.from_tensor_slices((np.transpose(features, (1, 0, 2)), one_hot))
    if shuffle_seed is None:
        dataset = dataset.map(lambda x, y: (x[0], y))
    else:
        dataset = dataset.shuffle(count, seed=shuffle_seed, reshuffle_each_iteration=True)
        draws = tf.data.Dataset.random(seed=shuffle_seed, rerandomize_each_iteration=True)
        dataset = tf.data.Dataset.zip(dataset, draws).map(lambda pair, draw: (pair[0][draw % views], pair[1]))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def cache_head_training(
    model: keras.Model,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    validation_images: np.ndarray,
    validation_labels: np.ndarray,
    num_classes: int,
    batch_size: int,
    augmenter=None,
    views: int = 1,
    shuffle_seed: int | None = None,
) -> dict:
    """Compute features once and return what `keras.Model.fit` needs to train `model`'s head on them.

    Returns:
        `head` (to compile and fit), `train` and `validation` datasets, `steps_per_epoch`, and
        `seconds` spent computing the features.
    """
    started = time.perf_counter()
    extractor = feature_extractor(model)
    train_features = compute_features(extractor, train_images, batch_size, augmenter, views)
    validation_features = compute_features(extractor, validation_images, batch_size)
    return {
        "head": head_model(model),
        "train": feature_dataset(train_features, train_labels, num_classes, batch_size, shuffle_seed),
        "validation": feature_dataset(validation_features, validation_labels, num_classes, batch_size),
        "steps_per_epoch": math.ceil(len(train_images) / batch_size),
        "seconds": time.perf_counter() - started,
    }
