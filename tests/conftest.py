"""Fixtures: tiny image folders in both public layouts, and one trained smoke run shared by tests."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from brainlib import CLASS_NAMES


def write_images(folder, count: int, seed: int, size: int = 40, mode: str = "L") -> None:
    """Write `count` random images to `folder` as JPEG files."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        shape = (size, size) if mode == "L" else (size, size, 3)
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(folder / f"image({index}).jpg")


@pytest.fixture
def flat_dataset(tmp_path):
    """Four flat class folders (the "Brain Tumors 256x256" layout) with 10 grayscale images each."""
    root = tmp_path / "flat"
    for seed, name in enumerate(CLASS_NAMES):
        write_images(root / name, 10, seed)
    return root


@pytest.fixture
def sartaj_dataset(tmp_path):
    """Training/ and Testing/ folders with the Sartaj class names, `no_tumor` included."""
    root = tmp_path / "sartaj"
    names = ["glioma_tumor", "meningioma_tumor", "no_tumor", "pituitary_tumor"]
    for seed, name in enumerate(names):
        write_images(root / "Training" / name, 8, seed, mode="RGB")
        write_images(root / "Testing" / name, 3, seed + 10, mode="RGB")
    return root


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """Train ResNet-50 for one epoch on a synthetic set, asking for ImageNet weights while offline.

    The weights download is replaced by a failure, so the run must fall back to random weights.
    """
    from brainlib import models
    from brainlib.synthetic import make_synthetic
    from brainlib.training import TrainConfig, train

    base = tmp_path_factory.mktemp("smoke")
    data_dir = make_synthetic(base / "data", images_per_class=10, size=48)

    def offline(depth):
        raise Exception("URL fetch failure: no network in tests")

    original, models._download_weights = models._download_weights, offline
    original_home = models.keras_cache_dir
    models.keras_cache_dir = lambda: base / "keras"
    try:
        run_dir = train(
            TrainConfig(
                depth=50,
                profile="smoke",
                data_dir=str(data_dir),
                results_dir=str(base / "results"),
                cache_dir=str(base / "cache"),
                weights="imagenet",
                image_size=32,
                batch_size=8,
                epochs=2,
            )
        )
    finally:
        models._download_weights = original
        models.keras_cache_dir = original_home
    return run_dir
