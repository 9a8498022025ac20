import json

import pandas as pd
import pytest

from brainlib import runs


def test_run_dirs_are_never_reused(tmp_path):
    first = runs.create_run_dir(tmp_path, "resnet50-cpu")
    second = runs.create_run_dir(tmp_path, "resnet50-cpu")
    assert first != second
    assert first.is_dir()
    assert second.is_dir()


def test_write_json_round_trips_without_leftovers(tmp_path):
    runs.write_json(tmp_path / "record.json", {"a": 1})
    runs.write_json(tmp_path / "record.json", {"a": 2})
    assert json.loads((tmp_path / "record.json").read_text()) == {"a": 2}
    assert [path.name for path in tmp_path.iterdir()] == ["record.json"]


def test_write_csv_without_index(tmp_path):
    runs.write_csv(tmp_path / "table.csv", pd.DataFrame({"x": [1, 2]}))
    assert (tmp_path / "table.csv").read_text().splitlines() == ["x", "1", "2"]


def _record(folder, depth, profile, status, started):
    folder.mkdir(parents=True)
    runs.write_json(folder / "record.json", {"depth": depth, "profile": profile, "status": status, "started": started})


def test_latest_runs_picks_newest_complete(tmp_path):
    _record(tmp_path / "a", 50, "cpu", "complete", "2026-01-01T10:00:00")
    _record(tmp_path / "b", 50, "cpu", "complete", "2026-01-02T10:00:00")
    _record(tmp_path / "c", 50, "cpu", "running", "2026-01-03T10:00:00")
    _record(tmp_path / "d", 101, "smoke", "complete", "2026-01-03T10:00:00")
    (tmp_path / "not-a-run").mkdir()
    assert runs.latest_runs(tmp_path, profile="cpu") == {50: tmp_path / "b"}
    assert set(runs.latest_runs(tmp_path)) == {50, 101}


def test_load_run_without_record(tmp_path):
    with pytest.raises(FileNotFoundError, match="record.json is missing"):
        runs.load_run(tmp_path)


def test_latest_runs_filters_by_split(tmp_path):
    _record(tmp_path / "old", 50, "cpu", "complete", "2026-01-01T10:00:00")
    (tmp_path / "grouped").mkdir()
    runs.write_json(
        tmp_path / "grouped" / "record.json",
        {"depth": 50, "profile": "cpu", "status": "complete", "started": "2026-01-02T10:00:00", "data": {"split_mode": {"mode": "grouped"}}},
    )
    assert runs.latest_runs(tmp_path, split="naive") == {50: tmp_path / "old"}
    assert runs.latest_runs(tmp_path, split="grouped") == {50: tmp_path / "grouped"}
    assert runs.latest_runs(tmp_path) == {50: tmp_path / "grouped"}
