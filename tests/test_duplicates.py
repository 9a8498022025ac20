import hashlib
import os
import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from brainlib import data, duplicates, runs
from brainlib.training import TrainConfig, prepare_data


def brain_like(seed: int, size: int = 96) -> np.ndarray:
    """A smooth random grayscale image, so perceptual hashes are stable under small edits."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (6, 6))
    return np.asarray(Image.fromarray(coarse.astype(np.uint8)).resize((size, size), Image.Resampling.BICUBIC))


@pytest.fixture
def duplicated_dataset(tmp_path):
    """Flat layout: 12 distinct images per class, plus five byte copies of one glioma image."""
    root = tmp_path / "dups"
    for class_index, name in enumerate(["glioma_tumor", "meningioma_tumor", "normal", "pituitary_tumor"]):
        (root / name).mkdir(parents=True)
        for index in range(12):
            Image.fromarray(brain_like(100 * class_index + index)).save(root / name / f"{index}.png")
    for copy in range(5):
        shutil.copy(root / "glioma_tumor" / "0.png", root / "glioma_tumor" / f"copy{copy}.png")
    return root


def clustered(root, threshold=duplicates.DEFAULT_THRESHOLD):
    return duplicates.find_clusters(duplicates.hash_images(data.find_images(root), progress=False), threshold)


def test_byte_copies_form_one_cluster(duplicated_dataset):
    table = clustered(duplicated_dataset)
    original = table[table["file"].str.endswith("glioma_tumor/0.png")]["cluster"].iloc[0]
    copies = table[table["file"].str.contains("copy")]
    assert (copies["cluster"] == original).all()
    assert (copies["exact_copy_of"] >= 0).all()


def test_copies_never_straddle_grouped_split(duplicated_dataset):
    table = clustered(duplicated_dataset)
    for seed in range(5):
        split = data.split_table(table, seed, mode="grouped", groups=table["cluster"])
        members = split[table["cluster"] == table["cluster"][table["file"].str.contains("copy")].iloc[0]]
        assert members["split"].nunique() == 1


def test_naive_split_can_straddle(duplicated_dataset):
    table = clustered(duplicated_dataset)
    copy_cluster = table["cluster"][table["file"].str.contains("copy")].iloc[0]
    straddled = [data.split_table(table, seed)[table["cluster"] == copy_cluster]["split"].nunique() > 1 for seed in range(5)]
    assert any(straddled)


def test_copy_under_other_class_is_conflict(duplicated_dataset):
    shutil.copy(duplicated_dataset / "normal" / "3.png", duplicated_dataset / "pituitary_tumor" / "moved.png")
    report = duplicates.cluster_report(clustered(duplicated_dataset))
    conflicts = report[report["label_conflict"]]
    assert len(conflicts) == 1
    assert conflicts.iloc[0]["classes"] == "normal, pituitary_tumor"


def test_shifted_and_reencoded_copies_are_near(tmp_path):
    image = brain_like(7)
    Image.fromarray(image).save(tmp_path / "a.png")
    shifted = np.zeros_like(image)
    shifted[:, 1:] = image[:, :-1]  # one pixel (1% of the width); 2 pixels already give 8 bits
    Image.fromarray(shifted).save(tmp_path / "shifted.png")
    Image.fromarray(image).save(tmp_path / "reencoded.jpg", quality=70)
    Image.fromarray(brain_like(8)).save(tmp_path / "other.png")
    table = pd.DataFrame({"file": [str(tmp_path / name) for name in ("a.png", "shifted.png", "reencoded.jpg", "other.png")]})
    hashed = duplicates.hash_images(table, progress=False)
    distances = duplicates.hamming_distances(hashed["phash"], hashed["phash"])
    assert distances[0, 1] <= duplicates.DEFAULT_THRESHOLD
    assert distances[0, 2] <= duplicates.DEFAULT_THRESHOLD
    assert distances[0, 3] > duplicates.DEFAULT_THRESHOLD
    assert np.all(np.diag(distances) == 0)


def test_grouped_split_is_stratified_and_seeded(duplicated_dataset):
    table = clustered(duplicated_dataset)
    first = data.split_table(table, 3, mode="grouped", groups=table["cluster"])
    again = data.split_table(table, 3, mode="grouped", groups=table["cluster"])
    assert first["split"].tolist() == again["split"].tolist()
    test_share = first[first["split"] == "test"]["class"].value_counts() / first["class"].value_counts()
    assert test_share.between(0.1, 0.4).all()  # whole groups move, so shares are approximate


def test_grouped_split_needs_groups(duplicated_dataset):
    with pytest.raises(ValueError, match="needs a group"):
        data.split_table(data.find_images(duplicated_dataset), 0, mode="grouped")


def test_prepare_data_collapses_exact_copies(duplicated_dataset, tmp_path):
    config = TrainConfig(data_dir=str(duplicated_dataset), cache_dir=str(tmp_path / "cache"), split="grouped")
    prepared = prepare_data(config, 16, None, allow_download=False)
    assert prepared["grouping"]["exact_copies_removed"] == 5
    assert len(prepared["split"]) == 48
    assert len(prepared["pixels"]) == 48


def test_groups_from_csv_by_name(duplicated_dataset, tmp_path):
    table = data.find_images(duplicated_dataset)
    table = table[table["class"] == "glioma_tumor"]
    csv = tmp_path / "patients.csv"
    pd.DataFrame({"file": [os.path.basename(f) for f in table["file"]], "group": range(len(table))}).to_csv(csv, index=False)
    assert duplicates.load_groups(csv, table, duplicated_dataset).tolist() == list(range(len(table)))


def test_groups_from_csv_by_relative_path(duplicated_dataset, tmp_path):
    table = data.find_images(duplicated_dataset)
    csv = tmp_path / "patients.csv"
    relative = [os.path.relpath(f, duplicated_dataset).replace(os.sep, "\\") for f in table["file"]]
    pd.DataFrame({"file": relative, "group": range(len(table))}).to_csv(csv, index=False)
    assert duplicates.load_groups(csv, table, duplicated_dataset).tolist() == list(range(len(table)))


def test_groups_csv_rejects_ambiguous_names(duplicated_dataset, tmp_path):
    table = data.find_images(duplicated_dataset)  # 0.png exists in every class folder
    csv = tmp_path / "patients.csv"
    pd.DataFrame({"file": [os.path.basename(f) for f in table["file"]], "group": 1}).to_csv(csv, index=False)
    with pytest.raises(ValueError, match="occurs more than once"):
        duplicates.load_groups(csv, table, duplicated_dataset)


def test_groups_csv_errors(duplicated_dataset, tmp_path):
    table = data.find_images(duplicated_dataset)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"name": ["x"]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="columns `file` and `group`"):
        duplicates.load_groups(bad, table, duplicated_dataset)
    partial = tmp_path / "partial.csv"
    pd.DataFrame({"file": ["glioma_tumor/0.png"], "group": [1]}).to_csv(partial, index=False)
    with pytest.raises(ValueError, match="has no group"):
        duplicates.load_groups(partial, table, duplicated_dataset)


def test_conflicting_exact_copies_are_kept(duplicated_dataset):
    shutil.copy(duplicated_dataset / "normal" / "3.png", duplicated_dataset / "pituitary_tumor" / "moved.png")
    collapsed = duplicates.collapse_exact_copies(clustered(duplicated_dataset))
    assert collapsed["file"].str.endswith("moved.png").any()
    assert collapsed["file"].str.endswith("normal/3.png").any()
    assert not collapsed["file"].str.contains("copy").any()


def test_groups_options_need_grouped_split(duplicated_dataset, tmp_path):
    from brainlib.training import train

    with pytest.raises(ValueError, match="--split grouped"):
        train(TrainConfig(data_dir=str(duplicated_dataset), split="naive", duplicate_threshold=2))


def test_group_kfold_keeps_groups_whole(duplicated_dataset):
    table = clustered(duplicated_dataset)
    for train, test in data.group_kfold(table, table["cluster"], folds=4, seed=0):
        assert not set(table["cluster"].iloc[train]) & set(table["cluster"].iloc[test])


@pytest.mark.skipif(not os.environ.get(data.DATA_ENV), reason=f"{data.DATA_ENV} is not set; real-data tests need a local data set")
def test_real_data_exact_copies_match_byte_hashing():
    table = data.find_images(os.environ[data.DATA_ENV])
    digests = Counter(hashlib.md5(open(file, "rb").read()).hexdigest() for file in table["file"])
    byte_copies = sum(count - 1 for count in digests.values())
    hashed = duplicates.hash_images(table, progress=False)
    first_of_bytes = hashed.duplicated("sha256").sum()
    assert first_of_bytes == byte_copies
    found = duplicates.find_clusters(hashed, threshold=0)
    assert (found["exact_copy_of"] >= 0).sum() >= byte_copies


def test_grouped_split_of_tiny_classes():
    table = pd.DataFrame({"file": [f"{i}.jpg" for i in range(32)], "class": [f"c{i % 4}" for i in range(32)]})
    split = data.split_table(table, 0, mode="grouped", groups=np.arange(32))
    assert set(split["split"]) == {"train", "validation", "test"}
    assert split.groupby("split")["class"].nunique().min() >= 1
