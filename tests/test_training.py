import keras
import numpy as np
import pandas as pd
import pytest

from brainlib import CLASS_NAMES, metrics, runs
from brainlib.evaluation import evaluate
from brainlib.profiles import RECIPES
from brainlib.training import learning_rate


def test_offline_run_records_fallback(smoke_run):
    record = runs.read_json(smoke_run / "record.json")
    assert record["status"] == "complete"
    assert record["weights"] == "none (imagenet unavailable)"
    assert record["recipe"]["name"] == "scratch"
    assert record["data"]["synthetic"] is True
    assert record["epochs"] == 2
    assert record["seed"] == 42


def test_run_record_files(smoke_run):
    for name in ("record.json", "split.csv", "history.csv", "predictions.csv", "metrics.json", "model.keras"):
        assert (smoke_run / name).is_file(), name
    history = pd.read_csv(smoke_run / "history.csv")
    assert history["epoch"].tolist() == [1, 2]
    assert {"loss", "val_loss", "accuracy", "val_accuracy", "seconds"} <= set(history.columns)


def test_split_counts_match_split_table(smoke_run):
    record = runs.read_json(smoke_run / "record.json")
    split = pd.read_csv(smoke_run / "split.csv")
    assert split["split"].value_counts().to_dict() == record["data"]["split_counts"]
    predictions = pd.read_csv(smoke_run / "predictions.csv")
    assert sorted(predictions["file"]) == sorted(split.loc[split["split"] == "test", "file"])


def test_metrics_match_predictions(smoke_run):
    predictions = pd.read_csv(smoke_run / "predictions.csv")
    stored = runs.read_json(smoke_run / "metrics.json")
    recomputed = metrics.classification_metrics(predictions["true"], predictions["predicted"])
    for name, value in recomputed.items():
        assert stored[name] == pytest.approx(value)
    probabilities = predictions[[f"p_{name}" for name in CLASS_NAMES]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    assert (probabilities.argmax(axis=1) == predictions["predicted"]).all()


def test_evaluate_reproduces_stored_metrics(smoke_run):
    stored = runs.read_json(smoke_run / "metrics.json")
    again = evaluate(smoke_run, cache_dir=smoke_run.parent.parent / "cache")
    assert again["accuracy"] == pytest.approx(stored["accuracy"])
    assert again["f1"] == pytest.approx(stored["f1"])


def test_paper_recipe_keeps_constant_rate():
    assert learning_rate(RECIPES["paper"], steps_per_epoch=10, epochs=10) == 1e-4


def test_scratch_recipe_warms_up_then_decays():
    schedule = learning_rate(RECIPES["scratch"], steps_per_epoch=10, epochs=5)
    assert isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule)
    rates = [float(schedule(step)) for step in (0, 5, 10, 30, 50)]
    assert rates[0] == pytest.approx(0.0)
    assert rates[1] == pytest.approx(5e-4)
    assert rates[2] == pytest.approx(1e-3)
    assert rates[2] > rates[3] > rates[4]
    assert rates[4] == pytest.approx(0.0, abs=1e-9)


def test_scratch_recipe_recorded_in_full(smoke_run):
    import dataclasses

    record = runs.read_json(smoke_run / "record.json")
    assert record["recipe"] == dataclasses.asdict(RECIPES["scratch"])
