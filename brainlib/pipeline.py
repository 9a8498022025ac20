"""tf.data pipelines over images decoded once and held in memory."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    batch_size: int,
    shuffle_seed: int | None = None,
    augmenter=None,
) -> tf.data.Dataset:
    """Batch uint8 images and one-hot labels as float32, optionally shuffled and augmented.

    Args:
        images: (n, size, size, 3) uint8 array, already decoded and resized.
        labels: (n,) class indices.
        shuffle_seed: when set, reshuffle every epoch from this seed; None keeps file order.
        augmenter: a Keras model applied to each whole batch with `training=True`.
    """
    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)

    def to_float(batch_images, batch_labels):
        return tf.cast(batch_images, tf.float32), tf.one_hot(batch_labels, num_classes)

    dataset = dataset.map(to_float, num_parallel_calls=tf.data.AUTOTUNE)
    if augmenter is not None:
        dataset = dataset.map(
            lambda batch_images, one_hot: (augmenter(batch_images, training=True), one_hot),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.prefetch(tf.data.AUTOTUNE)
