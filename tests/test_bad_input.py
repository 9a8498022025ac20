"""Bad input ends in a clear message or a reported skip, and interrupted work is kept."""

import io
import os

import keras
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from brainlib import data, images, models, runs, training
from brainlib.training import TrainConfig, prepare_data, train
from tests.conftest import write_images


def test_truncated_jpeg_is_skipped(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)).save(buffer, "JPEG")
    path = tmp_path / "truncated.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    _, kept, skipped = images.load_images(pd.DataFrame({"file": [str(path)]}), 16, tmp_path / "cache", progress=False)
    assert kept.empty
    assert "truncated" in skipped["reason"].iloc[0]


def test_zero_byte_file_is_skipped(tmp_path):
    path = tmp_path / "empty.png"
    path.touch()
    _, _, skipped = images.load_images(pd.DataFrame({"file": [str(path)]}), 16, tmp_path / "cache", progress=False)
    assert skipped["file"].tolist() == [str(path)]
    assert "UnidentifiedImageError" in skipped["reason"].iloc[0]


def test_oversized_image_is_skipped(tmp_path, monkeypatch):
    path = tmp_path / "huge.png"
    Image.new("L", (300, 300)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100 // 2)
    _, _, skipped = images.load_images(pd.DataFrame({"file": [str(path)]}), 16, tmp_path / "cache", progress=False)
    assert "DecompressionBombError" in skipped["reason"].iloc[0]


def test_tiny_image_is_upscaled(tmp_path):
    path = tmp_path / "tiny.png"
    Image.new("L", (3, 3), 128).save(path)
    assert images.decode(path, 64).shape == (64, 64, 3)


def test_exif_orientation_is_applied(tmp_path):
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to display
    Image.new("L", (20, 10)).save(path, exif=exif)
    with Image.open(path) as image:
        assert images.to_rgb(image).size == (10, 20)


def test_non_image_files_are_reported(flat_dataset):
    for name in (".DS_Store", "Thumbs.db", "notes.txt"):
        (flat_dataset / "normal" / name).write_bytes(b"x")
    table, ignored = data.scan_images(flat_dataset)
    assert len(table) == 40
    assert sorted(os.path.basename(file) for file in ignored["file"]) == [".DS_Store", "Thumbs.db", "notes.txt"]
    assert ignored["reason"].str.startswith("not an image file").all()


def test_odd_file_names_are_found(flat_dataset):
    folder = flat_dataset / "glioma_tumor"
    Image.new("L", (8, 8)).save(folder / "scan 01 ż.JPG")
    Image.new("L", (8, 8)).save(folder / "SCAN.PNG", format="PNG")
    table = data.find_images(flat_dataset)
    names = {os.path.basename(file) for file in table["file"]}
    assert {"scan 01 ż.JPG", "SCAN.PNG"} <= names
    _, kept, skipped = images.load_images(table[table["file"].str.contains("SCAN|scan 01")], 8, flat_dataset.parent / "c", progress=False)
    assert len(kept) == 2
    assert skipped.empty


def test_symbolic_links(flat_dataset, tmp_path):
    target = tmp_path / "elsewhere.jpg"
    Image.new("L", (8, 8)).save(target)
    (flat_dataset / "normal" / "linked.jpg").symlink_to(target)
    (flat_dataset / "normal" / "dangling.jpg").symlink_to(tmp_path / "gone.jpg")
    table, ignored = data.scan_images(flat_dataset)
    assert any(file.endswith("linked.jpg") for file in table["file"])
    assert ignored.set_index("file").loc[str(flat_dataset / "normal" / "dangling.jpg"), "reason"] == "broken symbolic link"


def test_empty_data_folder(tmp_path):
    with pytest.raises(data.DataError, match="No images found"):
        data.find_images(tmp_path)


def test_empty_class_folder(flat_dataset):
    for file in (flat_dataset / "normal").iterdir():
        file.unlink()
    with pytest.raises(data.DataError, match="no images of class normal"):
        data.find_images(flat_dataset)


def test_only_one_class(tmp_path):
    write_images(tmp_path / "glioma_tumor", 5, seed=0)
    with pytest.raises(data.DataError, match="meningioma_tumor, normal, pituitary_tumor"):
        data.find_images(tmp_path)


def test_normal_and_no_tumor_together(flat_dataset):
    write_images(flat_dataset / "no_tumor", 3, seed=9)
    with pytest.raises(data.DataError, match="map to class normal"):
        data.find_images(flat_dataset)


def test_class_too_small_to_split(flat_dataset):
    table = data.find_images(flat_dataset)
    table = pd.concat([table[table["class"] != "normal"], table[table["class"] == "normal"].head(2)])
    with pytest.raises(data.DataError, match=r"normal \(2\)"):
        data.split_table(table, seed=0)


def test_too_many_unreadable_files_stop(flat_dataset, tmp_path):
    for index in range(3):
        (flat_dataset / "normal" / f"bad{index}.jpg").write_bytes(b"broken")
    config = TrainConfig(data_dir=str(flat_dataset), cache_dir=str(tmp_path / "cache"))
    with pytest.raises(data.DataError, match="3 of 43 image files"):
        prepare_data(config, 16, None, allow_download=False)


def test_one_unreadable_file_is_skipped_and_reported(flat_dataset, tmp_path, capsys):
    (flat_dataset / "normal" / "bad.jpg").write_bytes(b"broken")
    config = TrainConfig(data_dir=str(flat_dataset), cache_dir=str(tmp_path / "cache"))
    prepared = prepare_data(config, 16, None, allow_download=False)
    assert len(prepared["split"]) == 40
    assert prepared["skipped"]["file"].tolist() == [str(flat_dataset / "normal" / "bad.jpg")]
    assert "bad.jpg" in capsys.readouterr().out


def test_results_folder_not_writable(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OSError, match="Cannot create a run folder"):
        runs.create_run_dir(blocker / "results", "resnet50-cpu")


def test_weights_of_another_depth(tmp_path):
    path = tmp_path / "resnet50.weights.h5"
    keras.applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3)).save_weights(path)
    with pytest.raises(ValueError, match="does not fit ResNet-101"):
        models.build_model(101, 32, weights_path=str(path))


def _tiny_config(tmp_path, data_dir, **options):
    return TrainConfig(
        depth=50,
        profile="smoke",
        data_dir=str(data_dir),
        results_dir=str(tmp_path / "results"),
        cache_dir=str(tmp_path / "cache"),
        image_size=32,
        batch_size=8,
        epochs=2,
        **options,
    )


def test_interrupted_run_resumes(flat_dataset, tmp_path, monkeypatch):
    original = training.ProgressLog.on_epoch_begin

    def interrupt_second_epoch(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt
        original(self, epoch, logs)

    monkeypatch.setattr(training.ProgressLog, "on_epoch_begin", interrupt_second_epoch)
    with pytest.raises(KeyboardInterrupt):
        train(_tiny_config(tmp_path, flat_dataset))
    (run_dir,) = (tmp_path / "results").iterdir()
    assert runs.read_json(run_dir / "record.json")["status"] == "interrupted"
    assert (run_dir / training.CHECKPOINT_NAME).is_file()
    assert len(pd.read_csv(run_dir / "history.csv")) == 1

    monkeypatch.setattr(training.ProgressLog, "on_epoch_begin", original)
    assert train(TrainConfig(resume=str(run_dir))) == run_dir
    record = runs.read_json(run_dir / "record.json")
    assert record["status"] == "complete"
    assert record["resumed"][0]["after_epoch"] == 1
    assert pd.read_csv(run_dir / "history.csv")["epoch"].tolist() == [1, 2]
    assert not (run_dir / training.CHECKPOINT_NAME).exists()
    with pytest.raises(ValueError, match="already complete"):
        train(TrainConfig(resume=str(run_dir)))


def test_nan_loss_stops_and_keeps_record(flat_dataset, tmp_path, monkeypatch):
    original = training.make_dataset

    def poisoned(images, labels, num_classes, batch_size, shuffle_seed=None, augmenter=None):
        dataset = original(images, labels, num_classes, batch_size, shuffle_seed, augmenter)
        if shuffle_seed is None:
            return dataset
        return dataset.map(lambda x, y: (x, y * float("nan")))

    monkeypatch.setattr(training, "make_dataset", poisoned)
    with pytest.raises(FloatingPointError, match="became NaN"):
        train(_tiny_config(tmp_path, flat_dataset))
    (run_dir,) = (tmp_path / "results").iterdir()
    assert runs.read_json(run_dir / "record.json")["status"] == "stopped: loss became NaN"
    assert not (run_dir / training.CHECKPOINT_NAME).exists()
    with pytest.raises(ValueError, match="start a new run"):
        train(TrainConfig(resume=str(run_dir)))


def test_missing_file_is_skipped(tmp_path):
    table = pd.DataFrame({"file": [str(tmp_path / "gone.jpg")]})
    _, kept, skipped = images.load_images(table, 8, tmp_path / "cache", progress=False)
    assert kept.empty
    assert "FileNotFoundError" in skipped["reason"].iloc[0]


def test_csv_into_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        runs.write_csv(tmp_path / "absent" / "table.csv", pd.DataFrame({"x": [1]}))
