import pandas as pd

from brainlib.cli import main


def test_compare_without_runs(tmp_path, capsys):
    assert main(["compare", "--results", str(tmp_path)]) == 1
    assert "No complete runs" in capsys.readouterr().out


def test_compare_writes_summary(smoke_run, tmp_path, capsys):
    out = tmp_path / "table2.csv"
    assert main(["compare", "--results", str(smoke_run.parent), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ResNet-50" in printed
    assert "Sensitivity (recall, macro average)" in printed
    summary = pd.read_csv(out)
    assert summary["depth"].tolist() == [50]
    assert summary["weights"].tolist() == ["none (imagenet unavailable)"]


def test_evaluate_incomplete_run(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "record.json is missing" in capsys.readouterr().err
