"""Find exact and near-duplicate images, and group them so no group straddles a split."""

from __future__ import annotations

import hashlib
from pathlib import Path

import imagehash
import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from brainlib.images import to_rgb

# Perceptual hashes (imagehash.phash, 64 bits) of two images that differ by at most this many bits
# count as near duplicates. On the Sartaj set (3,264 slices), thresholds 0 to 5 give groups of at
# most 10 images, while 6 chains distinct slices into groups of 50 and more, so 4 keeps a margin.
# NOTE: phash is shift-sensitive: a copy shifted by 1% of its width stays within 4 bits, by 2%
# it is about 8 bits away, so shifted copies beyond that are not found at this threshold.
# Check the gallery in notebook 01 and change it with the `threshold` arguments if needed.
DEFAULT_THRESHOLD = 4


def hash_images(table: pd.DataFrame, progress: bool = True) -> pd.DataFrame:
    """Add `sha256` (file bytes), `pixel_sha256` (decoded grayscale pixels) and `phash` columns.

    Files that cannot be decoded get empty pixel and perceptual hashes.
    """
    byte_hashes, pixel_hashes, perceptual = [], [], []
    for file in tqdm(table["file"], desc="Hashing images", disable=not progress, mininterval=5):
        with open(file, "rb") as stream:
            byte_hashes.append(hashlib.sha256(stream.read()).hexdigest())
        try:
            with Image.open(file) as image:
                gray = to_rgb(image).convert("L")
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
            pixel_hashes.append("")
            perceptual.append("")
            continue
        pixels = np.asarray(gray)
        pixel_hashes.append(hashlib.sha256(f"{pixels.shape}".encode() + pixels.tobytes()).hexdigest())
        perceptual.append(str(imagehash.phash(gray)))
    return table.assign(sha256=byte_hashes, pixel_sha256=pixel_hashes, phash=perceptual)


def _phash_bits(hashes: pd.Series) -> np.ndarray:
    """Unpack 16-hex-digit perceptual hashes into an (n, 64) array of bits."""
    values = np.array([int(value, 16) if value else 0 for value in hashes], dtype=np.uint64)
    return np.unpackbits(values.view(np.uint8).reshape(-1, 8), axis=1)


def hamming_distances(hashes_a: pd.Series, hashes_b: pd.Series) -> np.ndarray:
    """Bitwise distances between every perceptual hash in `hashes_a` and every one in `hashes_b`."""
    bits_a, bits_b = _phash_bits(hashes_a).astype(np.int16), _phash_bits(hashes_b).astype(np.int16)
    # Matching bits: ones in both plus zeros in both; the distance is the rest of the 64.
    matches = bits_a @ bits_b.T + (1 - bits_a) @ (1 - bits_b).T
    return 64 - matches


def _union_find(count: int, pairs) -> np.ndarray:
    parent = np.arange(count)

    def root(index):
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for first, second in pairs:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return np.array([root(index) for index in range(count)])


def find_clusters(hashed: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Group images that are exact copies or near duplicates of each other.

    Exact copies share file bytes or decoded pixels. Near duplicates have perceptual hashes at
    most `threshold` bits apart; groups are closed under this relation (a chain of near copies
    forms one group).

    Returns:
        `hashed` with `cluster` (an integer shared by a group) and `exact_copy_of` (index of the
        first row with identical bytes or pixels, or -1).
    """
    count = len(hashed)
    pairs = []
    first_seen: dict[str, int] = {}
    exact = np.full(count, -1)
    for column in ("sha256", "pixel_sha256"):
        for index, value in enumerate(hashed[column]):
            if not value:
                continue
            key = f"{column}:{value}"
            if key in first_seen:
                pairs.append((first_seen[key], index))
                if exact[index] == -1:
                    exact[index] = first_seen[key]
            else:
                first_seen[key] = index
    decodable = np.flatnonzero(hashed["phash"].to_numpy() != "")
    for start in range(0, len(decodable), 512):
        block = decodable[start : start + 512]
        distances = hamming_distances(hashed["phash"].iloc[block], hashed["phash"].iloc[decodable])
        rows, columns = np.nonzero(distances <= threshold)
        pairs.extend((block[row], decodable[column]) for row, column in zip(rows, columns) if block[row] < decodable[column])
    return hashed.assign(cluster=_union_find(count, pairs), exact_copy_of=exact)


def cluster_report(clustered: pd.DataFrame) -> pd.DataFrame:
    """Summarise each group of two or more images: size, classes, source folders, label conflict, files."""
    rows = []
    for cluster, members in clustered.groupby("cluster"):
        if len(members) < 2:
            continue
        rows.append(
            {
                "cluster": cluster,
                "images": len(members),
                "exact_copies": int((members["exact_copy_of"] >= 0).sum()),
                "classes": ", ".join(sorted(members["class"].unique())),
                "source_splits": ", ".join(sorted(members["source_split"].unique())),
                "label_conflict": members["class"].nunique() > 1,
                "files": list(members["file"]),
            }
        )
    columns = ["cluster", "images", "exact_copies", "classes", "source_splits", "label_conflict", "files"]
    return pd.DataFrame(rows, columns=columns).sort_values("images", ascending=False, kind="stable").reset_index(drop=True)


def cross_split_neighbours(clustered: pd.DataFrame, split: pd.Series) -> pd.DataFrame:
    """For each test image, the training image with the closest perceptual hash and its distance."""
    test = np.flatnonzero((split == "test").to_numpy() & (clustered["phash"] != "").to_numpy())
    train = np.flatnonzero((split == "train").to_numpy() & (clustered["phash"] != "").to_numpy())
    distances = hamming_distances(clustered["phash"].iloc[test], clustered["phash"].iloc[train])
    nearest = distances.argmin(axis=1)
    return pd.DataFrame(
        {
            "test_file": clustered["file"].to_numpy()[test],
            "test_class": clustered["class"].to_numpy()[test],
            "train_file": clustered["file"].to_numpy()[train[nearest]],
            "train_class": clustered["class"].to_numpy()[train[nearest]],
            "distance": distances[np.arange(len(test)), nearest],
        }
    ).sort_values("distance", kind="stable").reset_index(drop=True)


def load_groups(csv_path, table: pd.DataFrame, root) -> pd.Series:
    """Read patient or group ids from a CSV with columns `file` and `group`.

    `file` is either the image path relative to the data folder `root` (for example
    `Training/glioma_tumor/gg (1).jpg`) or, when every image name is unique, the bare file name.
    Every image of `table` needs a group; the error lists the first one missing.
    """
    groups = pd.read_csv(csv_path)
    if not {"file", "group"} <= set(groups.columns):
        raise ValueError(f"{csv_path} needs the columns `file` and `group`; it has {', '.join(groups.columns)}.")
    keys = groups["file"].astype(str).str.replace("\\", "/", regex=False)
    relative = table["file"].map(lambda file: Path(file).relative_to(root).as_posix())
    if keys.str.contains("/").all():
        names = relative
    else:
        names = relative.map(lambda path: path.split("/")[-1])
        repeated = names[names.duplicated()]
        if len(repeated):
            raise ValueError(
                f"Image name {repeated.iloc[0]} occurs more than once under {root}, so {csv_path} must give paths "
                "relative to the data folder (for example Training/glioma_tumor/image(1).jpg) instead of bare names."
            )
    by_name = dict(zip(keys, groups["group"]))
    missing = names[~names.isin(by_name)]
    if len(missing):
        raise ValueError(f"{csv_path} has no group for {len(missing)} images, for example {missing.iloc[0]}; add rows for them.")
    return names.map(by_name)


def collapse_exact_copies(clustered: pd.DataFrame) -> pd.DataFrame:
    """Keep the first of every set of exact copies (same bytes or same decoded pixels).

    Copies whose labels differ from the image they copy are all kept, so no label conflict is
    settled silently. They share a cluster, so a grouped split keeps them on one side.
    """
    first = clustered["exact_copy_of"].to_numpy()
    classes = clustered["class"].to_numpy()
    conflicting = (first >= 0) & (classes != classes[np.maximum(first, 0)])
    return clustered[(first < 0) | conflicting].reset_index(drop=True)


def study_split(
    table: pd.DataFrame,
    seed: int,
    mode: str,
    threshold: int | None = None,
    groups_csv=None,
    root=None,
    progress: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """Split `table` the way a training run does, and describe how.

    `naive` splits image by image. `grouped` first keeps one image of each set of exact copies,
    then keeps every near-duplicate cluster at `threshold` bits (or every group of `groups_csv`,
    whose paths are relative to the data folder `root`) on one side of the split.

    Returns:
        The kept rows with a `split` column, and a dict for the run record: the mode and, when
        grouped, the threshold, the source of the groups, the exact copies removed and the number
        of groups.
    """
    from brainlib.data import split_table

    grouping = {"mode": mode}
    if mode != "grouped":
        return split_table(table, seed, mode=mode), grouping
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    collapsed = collapse_exact_copies(find_clusters(hash_images(table, progress=progress), threshold))
    deduplicated = table[table["file"].isin(collapsed["file"])].reset_index(drop=True)
    if groups_csv:
        groups = load_groups(groups_csv, deduplicated, root).to_numpy()
    else:
        groups = collapsed.set_index("file").loc[deduplicated["file"], "cluster"].to_numpy()
    grouping.update(
        duplicate_threshold=threshold,
        groups_from=str(groups_csv) if groups_csv else "duplicate clusters",
        groups_csv=str(groups_csv) if groups_csv else None,
        exact_copies_removed=len(table) - len(deduplicated),
        groups=int(len(np.unique(groups))),
    )
    return split_table(deduplicated, seed, mode="grouped", groups=groups), grouping
