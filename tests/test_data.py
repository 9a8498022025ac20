import numpy as np
import pytest

from brainlib import CLASS_NAMES, data


def test_find_images_flat_layout(flat_dataset):
    table = data.find_images(flat_dataset)
    assert len(table) == 40
    assert sorted(table["class"].unique()) == list(CLASS_NAMES)
    assert set(table["source_split"]) == {"all"}


def test_find_images_sartaj_layout_maps_no_tumor(sartaj_dataset):
    table = data.find_images(sartaj_dataset)
    assert len(table) == 44
    assert "no_tumor" not in set(table["class"])
    assert (table["class"] == "normal").sum() == 11
    assert table["source_split"].value_counts().to_dict() == {"train": 32, "test": 12}


def test_find_images_descends_into_single_wrapper(flat_dataset, tmp_path):
    wrapper = tmp_path / "download"
    wrapper.mkdir()
    flat_dataset.rename(wrapper / "Brain Tumors")
    assert len(data.find_images(wrapper)) == 40


def test_find_images_ignores_non_image_files(flat_dataset):
    (flat_dataset / "normal" / ".DS_Store").write_bytes(b"\0\1")
    (flat_dataset / "normal" / "notes.txt").write_text("scanner notes")
    assert len(data.find_images(flat_dataset)) == 40


def test_find_images_unknown_class_folder(flat_dataset):
    (flat_dataset / "astrocytoma").mkdir()
    with pytest.raises(data.DataError, match="astrocytoma"):
        data.find_images(flat_dataset)


def test_find_images_missing_class(flat_dataset):
    for file in (flat_dataset / "pituitary_tumor").iterdir():
        file.unlink()
    with pytest.raises(data.DataError, match="pituitary_tumor"):
        data.find_images(flat_dataset)


def test_find_images_missing_folder(tmp_path):
    with pytest.raises(data.DataError, match="does not exist"):
        data.find_images(tmp_path / "nowhere")


def test_split_is_stratified_and_disjoint(flat_dataset):
    split = data.split_table(data.find_images(flat_dataset), seed=1)
    counts = split.groupby(["class", "split"]).size().unstack()
    assert counts["test"].tolist() == [2, 2, 2, 2]
    assert (counts["validation"] >= 1).all()
    assert split["file"].is_unique
    assert counts.sum(axis=1).tolist() == [10, 10, 10, 10]


def test_split_is_reproducible_for_a_seed(flat_dataset):
    table = data.find_images(flat_dataset)
    first = data.split_table(table, seed=7)["split"].tolist()
    again = data.split_table(table, seed=7)["split"].tolist()
    other = data.split_table(table, seed=8)["split"].tolist()
    assert first == again
    assert first != other


def test_split_pools_source_folders(sartaj_dataset):
    split = data.split_table(data.find_images(sartaj_dataset), seed=0)
    test_rows = split[split["split"] == "test"]
    assert len(test_rows) == 9  # round(0.2 * 44)
    assert set(test_rows["source_split"]) <= {"train", "test"}


def test_limit_per_class_is_seeded(flat_dataset):
    table = data.find_images(flat_dataset)
    limited = data.limit_per_class(table, 3, seed=0)
    assert limited["class"].value_counts().tolist() == [3, 3, 3, 3]
    assert limited["file"].tolist() == data.limit_per_class(table, 3, seed=0)["file"].tolist()
    assert data.limit_per_class(table, None, seed=0) is table


def test_fingerprint_changes_with_content(flat_dataset):
    files = data.find_images(flat_dataset)["file"].tolist()
    before = data.fingerprint(files)
    with open(files[0], "ab") as stream:
        stream.write(b"\0")
    assert data.fingerprint(files) != before


def test_resolve_prefers_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "env"))
    assert data.resolve_data_dir(tmp_path / "arg", allow_download=False) == (tmp_path / "arg", "argument")
    assert data.resolve_data_dir(None, allow_download=False) == (tmp_path / "env", data.DATA_ENV)
    assert data.resolve_data_dir(str(tmp_path / "env"), allow_download=False)[1] == data.DATA_ENV


def test_resolve_uses_kagglehub_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    copy = tmp_path / "kh" / "datasets" / data.KAGGLE_DATASET / "versions" / "3"
    copy.mkdir(parents=True)
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kh"))
    assert data.resolve_data_dir(None, allow_download=False) == (copy, "kagglehub cache")


def test_resolve_falls_back_to_synthetic(tmp_path, monkeypatch):
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "empty"))
    folder, source = data.resolve_data_dir(None, allow_download=False, synthetic_dir=tmp_path / "synthetic")
    assert source == "synthetic"
    assert data.is_synthetic(folder)
    table = data.find_images(folder)
    assert table["class"].value_counts().tolist() == [40, 40, 40, 40]
    assert np.array_equal(sorted(table["class"].unique()), sorted(CLASS_NAMES))
