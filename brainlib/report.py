"""Study-level results built from run records: Table 2 beside the paper's, confusion matrices.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from brainlib import CLASS_NAMES, metrics, runs, stats


def run_label(run: dict) -> str:
    """Describe a run in a few words for titles: depth, profile, split, size, weights, recipe, data."""
    data = run.get("data", {})
    source = "SYNTHETIC data" if data.get("synthetic") else Path(data.get("dir", "?")).name
    return (
        f"ResNet-{run['depth']}, {run['profile']} profile, {runs.split_mode(run)} split, {run['image_size']} px, "
        f"weights {run['weights']}, {run['recipe']['name']} recipe, {source}"
    )


def confusion_from_run(run: dict) -> np.ndarray:
    """Return the test-split confusion matrix of a loaded run."""
    predictions = run["predictions"]
    return metrics.confusion_matrix(predictions["true"], predictions["predicted"], len(CLASS_NAMES))


def collect(results_dir: str | Path, profile: str | None = None, split: str | None = None) -> dict[int, dict]:
    """Load the newest complete run of each depth (of `profile` and `split`, when given), with its metrics."""
    loaded = {}
    for depth, run_dir in runs.latest_runs(results_dir, profile, split).items():
        run = runs.load_run(run_dir)
        run["metrics"] = runs.read_json(Path(run_dir) / "metrics.json")
        loaded[depth] = run
    return loaded


def table2(loaded: dict[int, dict]) -> pd.DataFrame:
    """Build Table 2 from loaded runs, beside the paper's values."""
    return metrics.compare_with_paper({depth: run["metrics"] for depth, run in loaded.items()})


def summary(loaded: dict[int, dict]) -> pd.DataFrame:
    """Tabulate one row per depth: the Table 2 values plus the settings a reader needs to interpret them."""
    rows = []
    for depth, run in sorted(loaded.items()):
        values = run["metrics"]
        rows.append(
            {
                "depth": depth,
                "run_id": run["run_id"],
                "profile": run["profile"],
                "split": runs.split_mode(run),
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
                "test_images_per_s": values["test_images_per_s"],
                "parameters": run["parameters"],
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


def probabilities(run: dict) -> np.ndarray:
    """Return a loaded run's test-split class probabilities, one row per image."""
    return run["predictions"][[f"p_{name}" for name in CLASS_NAMES]].to_numpy()


def check_same_test_images(loaded: dict[int, dict]) -> None:
    """Raise unless every run was scored on the same test images in the same order."""
    files = [tuple(run["predictions"]["file"]) for run in loaded.values()]
    if len(set(files)) > 1:
        raise ValueError(
            "The runs were tested on different images (different data, seed or split), so they cannot be "
            "compared image by image; train every depth with the same data and seed."
        )


def confidence_intervals(loaded: dict[int, dict], resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Bootstrap 95% intervals of accuracy and macro F1, one row per depth and statistic."""
    rows = []
    for depth, run in sorted(loaded.items()):
        predictions = run["predictions"]
        for statistic in stats.STATISTICS:
            interval = stats.bootstrap_ci(predictions["true"], predictions["predicted"], statistic, resamples, seed)
            rows.append({"depth": f"ResNet-{depth}", "statistic": statistic, **interval})
    return pd.DataFrame(rows)


def mcnemar_pairs(loaded: dict[int, dict]) -> list[dict]:
    """Exact McNemar test for every pair of depths on their shared test images."""
    check_same_test_images(loaded)
    depths = sorted(loaded)
    results = []
    for index, first in enumerate(depths):
        for second in depths[index + 1 :]:
            correct = [loaded[d]["predictions"]["true"] == loaded[d]["predictions"]["predicted"] for d in (first, second)]
            result = stats.mcnemar_exact(*correct)
            result["table"] = result["table"].rename(
                index=lambda label: label.replace("A", f"ResNet-{first}"), columns=lambda label: label.replace("B", f"ResNet-{second}")
            )
            results.append({"pair": f"ResNet-{first} vs ResNet-{second}", **result})
    return results


def highest_loss(run: dict, count: int = 6) -> pd.DataFrame:
    """Return the test images the model got most wrong, highest cross-entropy first."""
    predictions = run["predictions"].copy()
    predictions["loss"] = metrics.per_image_loss(predictions["true"], probabilities(run))
    predictions["true_class"] = predictions["true"].map(lambda index: CLASS_NAMES[index])
    predictions["predicted_class"] = predictions["predicted"].map(lambda index: CLASS_NAMES[index])
    predictions["probability"] = probabilities(run).max(axis=1)
    return predictions.sort_values("loss", ascending=False).head(count).reset_index(drop=True)


def cam_examples(run: dict, seed: int = 0) -> pd.DataFrame:
    """Choose, per class, one correctly classified and one misclassified test image (where one exists)."""
    predictions = run["predictions"]
    rng = np.random.default_rng(seed)
    rows = []
    for index, name in enumerate(CLASS_NAMES):
        members = predictions[predictions["true"] == index]
        for outcome, chosen in (("correct", members[members["predicted"] == index]), ("misclassified", members[members["predicted"] != index])):
            if len(chosen):
                rows.append({"class": name, "outcome": outcome, "file": chosen["file"].iloc[rng.integers(len(chosen))]})
    return pd.DataFrame(rows)


SETTINGS = ["depth", "weights", "recipe", "image_size", "epochs"]


def split_comparison(results_dir: str | Path, profile: str | None = None, resamples: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Set the newest naive-split run beside the newest grouped-split run trained with the same settings.

    One row per depth, weights, recipe, image size and epochs. Each row gives the test accuracy and
    macro F1 of each split mode with bootstrap 95% intervals. `accuracy inflation` is naive minus grouped
    accuracy: what near copies of test images in training add. A side without a run is left empty.
    """
    listed = runs.list_runs(results_dir, profile=profile)
    newest = {}
    for row in listed.itertuples():  # oldest first, so newer runs replace older ones
        run = runs.load_run(row.run_dir)
        key = (run["depth"], run["weights"], run["recipe"]["name"], run["image_size"], run["epochs"])
        newest[key + (row.split,)] = run
    rows = {}
    for key, run in newest.items():
        row = rows.setdefault(key[:-1], dict(zip(SETTINGS, key[:-1])))
        mode, predictions = key[-1], run["predictions"]
        for statistic, name in (("accuracy", "accuracy"), ("macro F1", "f1")):
            interval = stats.bootstrap_ci(predictions["true"], predictions["predicted"], statistic, resamples, seed)
            row[f"{mode} {name}"] = interval["estimate"]
            row[f"{mode} {name} low"], row[f"{mode} {name} high"] = interval["low"], interval["high"]
        row[f"{mode} test images"] = len(predictions)
        row[f"{mode} run"] = run["run_id"]
    columns = SETTINGS + [
        f"{mode} {part}" for mode in ("naive", "grouped") for part in ("accuracy", "accuracy low", "accuracy high", "f1", "f1 low", "f1 high", "test images", "run")
    ]
    table = pd.DataFrame(list(rows.values())).reindex(columns=columns)
    table["accuracy inflation"] = table["naive accuracy"] - table["grouped accuracy"]
    return table.sort_values(SETTINGS, kind="stable").reset_index(drop=True)
