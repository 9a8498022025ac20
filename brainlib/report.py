"""Study-level results built from run records: Table 2 beside the paper's, confusion matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from brainlib import CLASS_NAMES, metrics, runs


def run_label(run: dict) -> str:
    """Describe a run in a few words for titles: depth, profile, size, weights, recipe, data."""
    data = run.get("data", {})
    source = "SYNTHETIC data" if data.get("synthetic") else Path(data.get("dir", "?")).name
    return (
        f"ResNet-{run['depth']}, {run['profile']} profile, {run['image_size']} px, "
        f"weights {run['weights']}, {run['recipe']['name']} recipe, {source}"
    )


def confusion_from_run(run: dict) -> np.ndarray:
    """Return the test-split confusion matrix of a loaded run."""
    predictions = run["predictions"]
    return metrics.confusion_matrix(predictions["true"], predictions["predicted"], len(CLASS_NAMES))


def collect(results_dir: str | Path, profile: str | None = None) -> dict[int, dict]:
    """Load the newest complete run of each depth, with its metrics."""
    loaded = {}
    for depth, run_dir in runs.latest_runs(results_dir, profile).items():
        run = runs.load_run(run_dir)
        run["metrics"] = runs.read_json(Path(run_dir) / "metrics.json")
        loaded[depth] = run
    return loaded


def table2(loaded: dict[int, dict]) -> pd.DataFrame:
    """Build Table 2 from loaded runs, beside the paper's values."""
    return metrics.compare_with_paper({depth: run["metrics"] for depth, run in loaded.items()})


def summary(loaded: dict[int, dict]) -> pd.DataFrame:
    """One row per depth: the Table 2 values plus the settings a reader needs to interpret them."""
    rows = []
    for depth, run in sorted(loaded.items()):
        values = run["metrics"]
        rows.append(
            {
                "depth": depth,
                "run_id": run["run_id"],
                "profile": run["profile"],
                "image_size": run["image_size"],
                "epochs": run["epochs"],
                "weights": run["weights"],
                "recipe": run["recipe"]["name"],
                "mixed_precision": run["mixed_precision"],
                "data": "synthetic" if run["data"]["synthetic"] else Path(run["data"]["dir"]).name,
                "test_images": run["data"]["split_counts"]["test"],
                **{name: values[name] for name in metrics.PAPER_TABLE2.index},
                "median_epoch_s": values["median_epoch_s"],
                "train_images_per_s": values["train_images_per_s"],
                "wall_time_s": run.get("wall_time_s"),
            }
        )
    return pd.DataFrame(rows)


def metric_table_long(loaded: dict[int, dict]) -> pd.DataFrame:
    """Accuracy, precision, sensitivity and F1 per depth for ours and the paper, for `plots.metric_bars`."""
    names = ["accuracy", "precision", "sensitivity", "f1"]
    rows = []
    for depth, run in sorted(loaded.items()):
        rows.append({"depth": f"ResNet-{depth}", "source": "this study", **{n: run["metrics"][n] for n in names}})
        rows.append({"depth": f"ResNet-{depth}", "source": "paper", **{n: metrics.PAPER_TABLE2.loc[n, depth] for n in names}})
    return pd.DataFrame(rows)
