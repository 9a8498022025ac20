"""Find a data set on disk, map its class folders to the four classes, and split it.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

from brainlib import CLASS_NAMES
from brainlib.synthetic import is_synthetic, make_synthetic

__all__ = ["scan_images", "find_images", "limit_per_class", "split_table", "fingerprint", "resolve_data_dir", "is_synthetic"]

DATA_ENV = "BRAINLIB_DATA"
# The paper's data set on Kaggle: flat class folders of 256x256 grayscale images.
KAGGLE_DATASET = "thomasdubail/brain-tumors-256x256"
# One image per class for each of train, validation and test, and one more so training has two.
MIN_IMAGES_PER_CLASS = 4
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}

# Folder names used by the public brain-MRI sets, mapped to the four canonical classes.
CLASS_ALIASES = {
    "glioma_tumor": "glioma_tumor",
    "glioma": "glioma_tumor",
    "meningioma_tumor": "meningioma_tumor",
    "meningioma": "meningioma_tumor",
    "normal": "normal",
    "no_tumor": "normal",
    "notumor": "normal",
    "pituitary_tumor": "pituitary_tumor",
    "pituitary": "pituitary_tumor",
}
SPLIT_ALIASES = {"training": "train", "train": "train", "testing": "test", "test": "test"}


class DataError(ValueError):
    """A data set folder that cannot be used as it is; the message names the change to make."""


def _canonical_class(folder: Path) -> str:
    name = folder.name.strip().lower().replace(" ", "_").replace("-", "_")
    if name not in CLASS_ALIASES:
        accepted = ", ".join(sorted(CLASS_ALIASES))
        raise DataError(
            f"Unknown class folder {folder}. Rename it to one of: {accepted}; "
            "or move it out of the data folder."
        )
    return CLASS_ALIASES[name]


def _subfolders(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.name.startswith("."))


def scan_images(root: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """List the images of a data set, and the other files found beside them.

    Two layouts are recognised: class folders directly under `root` (the paper's
    "Brain Tumors 256x256" set) or `Training/` and `Testing/` folders that each hold class
    folders (the Sartaj set). Class folder aliases such as `no_tumor` map to `normal`.

    Returns:
        images: one row per image file, with `file`, `class` and `source_split`.
        ignored: `file` and `reason` for files that are not images by their suffix (for
            example `.DS_Store` or `notes.txt`) and for broken symbolic links.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DataError(
            f"Data folder {root} does not exist. Set {DATA_ENV} to the folder that holds the "
            "class folders (or Training/ and Testing/), or unset it to use the fallbacks."
        )
    subfolders = _subfolders(root)
    split_folders = [path for path in subfolders if path.name.lower() in SPLIT_ALIASES]
    if split_folders:
        sources = [(SPLIT_ALIASES[path.name.lower()], path) for path in split_folders]
    elif len(subfolders) == 1 and subfolders[0].name.lower() not in CLASS_ALIASES:
        # Downloads often wrap the data set in one extra folder.
        return scan_images(subfolders[0])
    else:
        sources = [("all", root)]

    rows, ignored = [], []
    for source_split, folder in sources:
        seen: dict[str, Path] = {}
        for class_folder in _subfolders(folder):
            class_name = _canonical_class(class_folder)
            if class_name in seen:
                raise DataError(
                    f"Both {seen[class_name]} and {class_folder} map to class {class_name}. Keep one folder "
                    "(merge their images into it if both are wanted) so no image is counted twice."
                )
            seen[class_name] = class_folder
            for path in sorted(class_folder.rglob("*")):
                if path.is_symlink() and not path.exists():
                    ignored.append((str(path), "broken symbolic link"))
                elif not path.is_file():
                    continue
                elif path.suffix.lower() in IMAGE_SUFFIXES:
                    rows.append((str(path), class_name, source_split))
                else:
                    ignored.append((str(path), f"not an image file (suffix {path.suffix or 'none'})"))
    table = pd.DataFrame(rows, columns=["file", "class", "source_split"])
    if table.empty:
        raise DataError(
            f"No images found under {root}. Expected class folders ({', '.join(CLASS_NAMES)}) "
            "holding .jpg or .png files, directly or inside Training/ and Testing/."
        )
    missing = sorted(set(CLASS_NAMES) - set(table["class"]))
    if missing:
        raise DataError(
            f"Data folder {root} has no images of class {', '.join(missing)}. "
            "All four classes are needed; add the missing class folders."
        )
    return table, pd.DataFrame(ignored, columns=["file", "reason"])


def find_images(root: str | Path) -> pd.DataFrame:
    """List the images of a data set, one row per file: `file`, `class`, `source_split`.

    See `scan_images` for the layouts; files that are not images are left out.
    """
    return scan_images(root)[0]


def limit_per_class(table: pd.DataFrame, images_per_class: int | None, seed: int) -> pd.DataFrame:
    """Keep at most `images_per_class` rows of each class, chosen with `seed`."""
    if images_per_class is None:
        return table
    shuffled = table.sample(frac=1.0, random_state=seed)
    return shuffled.groupby("class").head(images_per_class).sort_values("file").reset_index(drop=True)


SPLIT_MODES = ("naive", "grouped")


def _check_class_sizes(table: pd.DataFrame) -> None:
    counts = table["class"].value_counts()
    too_small = counts[counts < MIN_IMAGES_PER_CLASS]
    if len(too_small):
        listed = ", ".join(f"{name} ({count})" for name, count in too_small.items())
        raise DataError(
            f"Too few images to split class {listed}: each class needs at least {MIN_IMAGES_PER_CLASS}, "
            "one each for training, validation and test. Add images to that class."
        )


def _group_fold(indices: np.ndarray, labels: np.ndarray, groups: np.ndarray, fraction: float, seed: int):
    """Split `indices` into (rest, held out) with about `fraction` held out, whole groups on one side.

    StratifiedGroupKFold rejects more folds than the largest class has images. Tiny data sets
    therefore get fewer folds and hold out more than `fraction`, which the split counts show.
    """
    largest_class = int(np.unique(labels[indices], return_counts=True)[1].max())
    folds = max(2, min(int(round(1 / fraction)), largest_class))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    rest, held_out = next(splitter.split(indices, labels[indices], groups[indices]))
    return indices[rest], indices[held_out]


def split_table(
    table: pd.DataFrame,
    seed: int,
    test_fraction: float = 0.2,
    validation_fraction: float = 0.1,
    mode: str = "naive",
    groups=None,
) -> pd.DataFrame:
    """Pool all images and assign each to `train`, `validation` or `test`, stratified by class.

    The paper splits the pool 80/20 into training and test images; we keep that test fraction
    and also hold out `validation_fraction` of the pool from the training part, so that the
    per-epoch validation curves never look at the test images.

    Args:
        mode: `naive` splits image by image, as the paper does; each held-out part has at
            least one image per class. `grouped` keeps every group (duplicate cluster or
            patient) on one side, with fractions met approximately (StratifiedGroupKFold).
        groups: one group id per row, needed by `grouped`.
    """
    if mode not in SPLIT_MODES:
        raise ValueError(f"Unknown split mode {mode!r}; choose one of {', '.join(SPLIT_MODES)}.")
    _check_class_sizes(table)
    counts = table["class"].value_counts()
    num_classes = len(counts)
    indices = np.arange(len(table))
    labels = table["class"].to_numpy()
    if mode == "grouped":
        if groups is None:
            raise ValueError("The grouped split needs a group per image (duplicate clusters or patient ids).")
        groups = np.asarray(groups)
        rest, test = _group_fold(indices, labels, groups, test_fraction, seed)
        train, validation = _group_fold(rest, labels, groups, validation_fraction / (1 - test_fraction), seed)
    else:
        test_count = max(num_classes, int(round(test_fraction * len(table))))
        rest, test = train_test_split(indices, test_size=test_count, stratify=labels, random_state=seed)
        validation_count = max(num_classes, int(round(validation_fraction * len(table))))
        train, validation = train_test_split(rest, test_size=validation_count, stratify=labels[rest], random_state=seed)
    assigned = np.empty(len(table), dtype=object)
    assigned[train], assigned[validation], assigned[test] = "train", "validation", "test"
    result = table.copy()
    result["split"] = assigned
    return result


def group_kfold(table: pd.DataFrame, groups, folds: int = 5, seed: int = 0):
    """Yield (train indices, test indices) for stratified group k-fold, for repeated estimates."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    yield from splitter.split(np.arange(len(table)), table["class"].to_numpy(), np.asarray(groups))


def fingerprint(files) -> str:
    """Return a SHA-256 over the bytes of `files` in sorted order, naming the data a run saw."""
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(hashlib.sha256(Path(file).read_bytes()).digest())
    return digest.hexdigest()


def kagglehub_cached_copy() -> Path | None:
    """Return the newest copy of the paper's data set that kagglehub downloaded earlier, if any."""
    cache = Path(os.environ.get("KAGGLEHUB_CACHE", Path.home() / ".cache" / "kagglehub"))
    versions = cache / "datasets" / KAGGLE_DATASET / "versions"
    if not versions.is_dir():
        return None
    copies = sorted(versions.iterdir(), key=lambda path: path.name)
    return copies[-1] if copies else None


def resolve_data_dir(
    data_dir: str | Path | None = None, allow_download: bool = True, synthetic_dir: str | Path = ".cache/synthetic"
) -> tuple[Path, str]:
    """Find the data set to use and report where it came from.

    Order: `data_dir`, then BRAINLIB_DATA, then a copy kagglehub downloaded earlier, then a
    kagglehub download (when `allow_download`), then a synthetic stand-in made on the spot.

    Returns:
        The folder and its source: `argument`, `BRAINLIB_DATA`, `kagglehub cache`,
        `kagglehub download` or `synthetic`.
    """
    from_environment = os.environ.get(DATA_ENV)
    if data_dir:
        source = DATA_ENV if str(data_dir) == from_environment else "argument"
        return Path(data_dir).expanduser(), source
    if from_environment:
        return Path(from_environment).expanduser(), DATA_ENV
    cached = kagglehub_cached_copy()
    if cached is not None:
        return cached, "kagglehub cache"
    if allow_download:
        try:
            import kagglehub

            return Path(kagglehub.dataset_download(KAGGLE_DATASET)), "kagglehub download"
        except Exception as error:  # kagglehub raises several types for network and auth failures.
            print(
                f"Could not download the Kaggle data set {KAGGLE_DATASET} ({type(error).__name__}: "
                f"{error}). Using a small synthetic stand-in instead; set {DATA_ENV} to a local "
                "copy to run the study on real images."
            )
    return make_synthetic(synthetic_dir), "synthetic"
