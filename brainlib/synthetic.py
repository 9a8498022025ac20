"""A small synthetic stand-in data set, so the study completes where no real data is available."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from brainlib import CLASS_NAMES

SYNTHETIC_MARKER = "SYNTHETIC.txt"


def _slice(rng: np.random.Generator, class_name: str, size: int) -> np.ndarray:
    """Draw one grayscale 'slice': a noisy head ellipse with a class-specific bright spot."""
    y, x = np.mgrid[0:size, 0:size] / size
    cx, cy = 0.5 + rng.normal(0, 0.02), 0.5 + rng.normal(0, 0.02)
    head = ((x - cx) / 0.38) ** 2 + ((y - cy) / 0.45) ** 2 < 1
    image = 70 * head + rng.normal(0, 12, (size, size))
    # Where the spot sits differs per class, loosely like the tumours' usual positions.
    spots = {
        "glioma_tumor": (cx + rng.uniform(-0.15, 0.15), cy + rng.uniform(-0.2, 0.0), 0.08),
        "meningioma_tumor": (cx + rng.choice([-0.3, 0.3]), cy + rng.uniform(-0.25, 0.25), 0.06),
        "pituitary_tumor": (cx + rng.normal(0, 0.02), cy + 0.2, 0.04),
    }
    if class_name in spots:
        sx, sy, radius = spots[class_name]
        image += 120 * (((x - sx) ** 2 + (y - sy) ** 2) < radius**2)
    return np.clip(image, 0, 255).astype(np.uint8)


def make_synthetic(folder: str | Path, images_per_class: int = 40, size: int = 96, seed: int = 0) -> Path:
    """Write a synthetic data set in the flat class-folder layout and return its folder.

    An existing synthetic set in `folder` (marked by SYNTHETIC.txt) is reused as it is.
    """
    folder = Path(folder)
    if (folder / SYNTHETIC_MARKER).is_file():
        return folder
    rng = np.random.default_rng(seed)
    for class_name in CLASS_NAMES:
        class_folder = folder / class_name
        class_folder.mkdir(parents=True, exist_ok=True)
        for index in range(images_per_class):
            Image.fromarray(_slice(rng, class_name, size)).save(class_folder / f"synthetic_{index:03d}.png")
    (folder / SYNTHETIC_MARKER).write_text(
        "Synthetic stand-in made by brainlib.synthetic; not MRI data. Results on it say nothing "
        "about tumour classification.\n"
    )
    return folder


def is_synthetic(folder: str | Path) -> bool:
    """Return whether `folder` contains a synthetic stand-in made by brainlib."""
    return (Path(folder) / SYNTHETIC_MARKER).is_file()
