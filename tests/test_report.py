import pandas as pd
import pytest

from brainlib import report, runs


def _run(folder, depth, mode, started, correct, total, image_size=96):
    """Write a complete run record whose test predictions have `correct` right out of `total`."""
    folder.mkdir(parents=True)
    record = {
        "run_id": folder.name,
        "depth": depth,
        "profile": "cpu",
        "status": "complete",
        "started": started,
        "weights": "none",
        "recipe": {"name": "scratch"},
        "image_size": image_size,
        "epochs": 30,
        "data": {"split_mode": {"mode": mode}},
    }
    runs.write_json(folder / "record.json", record)
    truth = [index % 4 for index in range(total)]
    predicted = truth[:correct] + [(label + 1) % 4 for label in truth[correct:]]
    runs.write_csv(folder / "predictions.csv", pd.DataFrame({"file": [f"{i}.jpg" for i in range(total)], "true": truth, "predicted": predicted}))


def test_split_comparison_pairs_same_settings(tmp_path):
    _run(tmp_path / "naive-old", 50, "naive", "2026-01-01T10:00:00", 10, 100)
    _run(tmp_path / "naive", 50, "naive", "2026-01-02T10:00:00", 90, 100)
    _run(tmp_path / "grouped", 50, "grouped", "2026-01-03T10:00:00", 60, 80)
    _run(tmp_path / "other-size", 50, "naive", "2026-01-04T10:00:00", 50, 100, image_size=128)
    table = report.split_comparison(tmp_path, "cpu", resamples=200)
    assert len(table) == 2
    paired = table[table["image_size"] == 96].iloc[0]
    assert paired["naive run"] == "naive"  # the newer of the two naive runs
    assert paired["naive accuracy"] == pytest.approx(0.90)
    assert paired["grouped accuracy"] == pytest.approx(0.75)
    assert paired["accuracy inflation"] == pytest.approx(0.15)
    assert paired["naive test images"] == 100
    assert paired["grouped test images"] == 80
    assert paired["grouped accuracy low"] < 0.75 < paired["grouped accuracy high"]
    alone = table[table["image_size"] == 128].iloc[0]
    assert alone["naive accuracy"] == pytest.approx(0.5)
    assert pd.isna(alone["grouped accuracy"])
    assert pd.isna(alone["accuracy inflation"])


def test_split_comparison_plot_with_missing_side(tmp_path):
    from brainlib import plots

    _run(tmp_path / "grouped", 50, "grouped", "2026-01-03T10:00:00", 60, 80)
    figure = plots.split_comparison(report.split_comparison(tmp_path, "cpu", resamples=50), title="one side only")
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights[1] == pytest.approx(0.75)
    assert pd.isna(heights[0])
