"""Training-time augmentation (Keras preprocessing layers) and class balancing by oversampling.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images".
"""

from __future__ import annotations

import keras
import numpy as np

# The paper lists rotation, horizontal and vertical shift, zoom and shear but not their ranges.
# These are moderate values for MRI slices: the anatomy stays recognisable, and the black
# background is filled with black (fill_mode="constant") rather than mirrored anatomy.
ROTATION_DEGREES = 15
SHIFT_FRACTION = 0.1
ZOOM_FRACTION = 0.1
SHEAR_FACTOR = 0.1


def build_augmenter(seed: int | None = None, horizontal_flip: bool = False) -> keras.Sequential:
    """Build the augmentation pipeline: rotation, horizontal and vertical shift, zoom, shear.

    With `horizontal_flip`, images are also mirrored left to right at random, first. The layers
    act only when called with `training=True`, on batches of 0-255 images.
    """
    fill = {"fill_mode": "constant", "fill_value": 0.0}
    # Each layer gets its own seed: layers built from one seed draw the same random stream, which
    # would tie, for example, every image's rotation angle to its zoom factor.
    seeds = [None] * 5 if seed is None else [seed + offset for offset in range(5)]
    flip = [keras.layers.RandomFlip("horizontal", seed=seeds[4])] if horizontal_flip else []
    return keras.Sequential(
        flip
        + [
            keras.layers.RandomRotation(ROTATION_DEGREES / 360, seed=seeds[0], **fill),
            keras.layers.RandomTranslation(SHIFT_FRACTION, SHIFT_FRACTION, seed=seeds[1], **fill),
            keras.layers.RandomZoom(ZOOM_FRACTION, seed=seeds[2], **fill),
            keras.layers.RandomShear(x_factor=SHEAR_FACTOR, y_factor=SHEAR_FACTOR, seed=seeds[3], **fill),
        ],
        name="augmentation",
    )


def balance_indices(labels: np.ndarray, seed: int) -> np.ndarray:
    """Return training indices in which every class appears as often as the largest one.

    Smaller classes (`normal` in both public sets) are repeated, whole copies first and then a
    seeded random remainder. Each repeat is augmented differently, which is how the paper's
    extra augmentation of the `normal` class balances class counts. Call it on the training
    split only, after splitting, so no test image is copied.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    target = counts.max()
    chosen = []
    for class_index in classes:
        members = np.flatnonzero(labels == class_index)
        repeats, remainder = divmod(target, len(members))
        chosen.append(np.tile(members, repeats))
        chosen.append(rng.choice(members, size=remainder, replace=False))
    return np.sort(np.concatenate(chosen))
