"""Decode images once, as uint8 RGB arrays of the profile's size, and cache them on disk."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError
from tqdm import tqdm

CACHE_ENV = "BRAINLIB_CACHE"


def default_cache_dir() -> Path:
    """Return BRAINLIB_CACHE if set, else `.cache` under the working directory."""
    return Path(os.environ.get(CACHE_ENV, ".cache"))


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode to 8-bit RGB: grayscale is copied to three channels, alpha dropped."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float grayscale: stretch the file's own range to 0-255.
        values = np.asarray(image, dtype=np.float64)
        low, high = values.min(), values.max()
        scaled = (values - low) / (high - low) * 255 if high > low else np.zeros_like(values)
        image = Image.fromarray(scaled.astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def decode(file: str | Path, size: int) -> np.ndarray:
    """Read one image file and return it as a (size, size, 3) uint8 array."""
    with Image.open(file) as image:
        image.load()
        rgb = to_rgb(image)
    return np.asarray(rgb.resize((size, size), Image.Resampling.BILINEAR), dtype=np.uint8)


def image_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """Read each file's width and height from its header, without decoding the pixels."""
    sizes = []
    for file in table["file"]:
        try:
            with Image.open(file) as image:
                sizes.append(f"{image.width}x{image.height}")
        except (UnidentifiedImageError, OSError):
            sizes.append("unreadable")
    return table.assign(size=sizes)


def _decode_or_reason(file: str, size: int) -> tuple[np.ndarray | None, str | None]:
    try:
        return decode(file, size), None
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as error:
        # PIL reports truncated and corrupt files as OSError and some broken headers as SyntaxError.
        return None, f"{type(error).__name__}: {error}"


def _cache_key(files: list[str], size: int) -> str:
    digest = hashlib.sha256(str(size).encode())
    for file in files:
        try:
            stat = os.stat(file)
            digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{file}\0missing\n".encode())  # decoding reports it as skipped
    return digest.hexdigest()[:20]


def load_images(
    table: pd.DataFrame, size: int, cache_dir: str | Path | None = None, progress: bool = True
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Decode every file in `table` at `size` pixels, reusing an earlier decode from the cache.

    Returns:
        images: (n, size, size, 3) uint8 array, in the order of `kept`.
        kept: the rows of `table` that decoded.
        skipped: `file` and `reason` for each file that could not be read.
    """
    files = table["file"].tolist()
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache_file = cache_dir / "images" / f"{_cache_key(files, size)}.npz"
    if cache_file.is_file():
        with np.load(cache_file, allow_pickle=False) as cached:
            images, ok = cached["images"], cached["ok"]
            reasons = cached["reasons"].tolist()
    else:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            results = list(
                tqdm(
                    pool.map(lambda file: _decode_or_reason(file, size), files),
                    total=len(files),
                    desc=f"Decoding at {size} px",
                    disable=not progress,
                    mininterval=5,
                )
            )
        ok = np.array([array is not None for array, _ in results], dtype=bool)
        reasons = [reason or "" for _, reason in results]
        images = np.stack([array for array, _ in results if array is not None]) if ok.any() else np.zeros(
            (0, size, size, 3), np.uint8
        )
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp.npz")
            np.savez(temporary, images=images, ok=ok, reasons=np.array(reasons))
            os.replace(temporary, cache_file)
        except OSError as error:
            print(f"Could not write the image cache {cache_file} ({error.strerror}); images will be decoded again next time.")
    kept = table[ok].reset_index(drop=True)
    skipped = pd.DataFrame(
        {"file": [f for f, good in zip(files, ok) if not good], "reason": [r for r, good in zip(reasons, ok) if not good]}
    )
    return images, kept, skipped
