import numpy as np
import pandas as pd
import pytest
from PIL import Image

from brainlib import images


def test_decode_grayscale_to_three_equal_channels(tmp_path):
    path = tmp_path / "gray.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8), (64, 1)), "L").save(path)
    array = images.decode(path, 32)
    assert array.shape == (32, 32, 3)
    assert array.dtype == np.uint8
    assert np.array_equal(array[..., 0], array[..., 1])
    assert np.array_equal(array[..., 0], array[..., 2])


def test_decode_rgba_drops_alpha_on_black(tmp_path):
    path = tmp_path / "alpha.png"
    pixels = np.zeros((8, 8, 4), np.uint8)
    pixels[..., 0] = 200
    pixels[:4, ..., 3] = 255  # top half opaque red, bottom half transparent
    Image.fromarray(pixels, "RGBA").save(path)
    array = images.decode(path, 8)
    assert array[0, 0].tolist() == [200, 0, 0]
    assert array[7, 0].tolist() == [0, 0, 0]


def test_decode_16_bit_png_uses_full_range(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.uint16)).save(path)
    array = images.decode(path, 2)
    assert array.min() == 0
    assert array.max() == 255


def test_load_images_skips_unreadable_file(flat_dataset):
    broken = flat_dataset / "normal" / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    table = pd.DataFrame({"file": [str(broken), str(next((flat_dataset / "normal").glob("image*")))], "class": "normal"})
    pixels, kept, skipped = images.load_images(table, 16, flat_dataset.parent / "cache", progress=False)
    assert pixels.shape == (1, 16, 16, 3)
    assert len(kept) == 1
    assert skipped["file"].tolist() == [str(broken)]
    assert "UnidentifiedImageError" in skipped["reason"].iloc[0]


def test_load_images_reuses_cache(flat_dataset, monkeypatch):
    table = pd.DataFrame({"file": sorted(map(str, (flat_dataset / "normal").glob("*.jpg"))), "class": "normal"})
    first, _, _ = images.load_images(table, 16, flat_dataset.parent / "cache", progress=False)

    def fail(file, size):
        raise AssertionError("decoded again despite the cache")

    monkeypatch.setattr(images, "decode", fail)
    again, kept, _ = images.load_images(table, 16, flat_dataset.parent / "cache", progress=False)
    assert np.array_equal(first, again)
    assert len(kept) == 10


def test_cache_key_changes_with_size(flat_dataset):
    files = sorted(map(str, (flat_dataset / "normal").glob("*.jpg")))
    assert images._cache_key(files, 16) != images._cache_key(files, 32)


def test_image_sizes_reads_headers(flat_dataset):
    table = pd.DataFrame({"file": sorted(map(str, (flat_dataset / "normal").glob("*.jpg")))})
    assert set(images.image_sizes(table)["size"]) == {"40x40"}


@pytest.mark.parametrize("mode", ["CMYK", "P"])
def test_decode_other_modes(tmp_path, mode):
    path = tmp_path / f"{mode}.{'jpg' if mode == 'CMYK' else 'png'}"
    Image.new(mode, (10, 10)).save(path)
    assert images.decode(path, 4).shape == (4, 4, 3)
