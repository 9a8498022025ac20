"""Rerun and tabulate the from-scratch trials behind the `scratch` recipe and its cpu-profile sizes.

Every trial trains ResNet-50 from random weights on the cpu profile with the naive split and seed
42, changing one thing at a time. The table (figures/recipe_trials.csv) is built from the run
records under the results folder; a trial without a complete record is listed as not run.

    python scripts/recipe_trials.py          # tabulate the trials already run
    python scripts/recipe_trials.py --run    # train the missing ones first (hours on a 2-core CPU)
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pandas as pd

from brainlib import runs
from brainlib.profiles import RECIPES, Recipe
from brainlib.training import TrainConfig, train

# (name, recipe, image size, epochs), in the order they were tried. `scratch-regularised` is the
# `scratch` recipe plus weight decay 0.05 and horizontal flips.
TRIALS = [
    ("paper recipe, 128 px, 10 epochs", "paper", 128, 10),
    ("scratch recipe, 128 px, 10 epochs", "scratch", 128, 10),
    ("scratch recipe, 96 px, 15 epochs", "scratch", 96, 15),
    ("scratch recipe, 96 px, 30 epochs", "scratch", 96, 30),
    ("scratch-regularised recipe, 96 px, 30 epochs", "scratch-regularised", 96, 30),
]
COMMON = {"depth": 50, "profile": "cpu", "weights": "none", "split": "naive", "seed": 42}


def same_recipe(recorded: dict, name: str) -> bool:
    """Check whether a run record's recipe has the settings of RECIPES[name], whatever it was called.

    A field missing from an older record takes its default, which is how that older version trained.
    """
    expected = dataclasses.asdict(RECIPES[name])
    defaults = dataclasses.asdict(Recipe(name="", peak_learning_rate=0.0))
    return all(recorded.get(field, defaults[field]) == value for field, value in expected.items() if field != "name")


def find_run(results_dir: Path, recipe: str, image_size: int, epochs: int) -> Path | None:
    """Return the newest complete trial run with these settings, or None."""
    found = None
    for row in runs.list_runs(results_dir, profile=COMMON["profile"], split=COMMON["split"]).itertuples():
        record = runs.read_json(Path(row.run_dir) / "record.json")
        if (
            record["depth"] == COMMON["depth"]
            and record["seed"] == COMMON["seed"]
            and record["weights"].startswith("none")
            and same_recipe(record["recipe"], recipe)
            and (record["image_size"], record["epochs"]) == (image_size, epochs)
        ):
            found = Path(row.run_dir)
    return found


def tabulate(results_dir: Path) -> pd.DataFrame:
    """Return one row per trial: its settings and, where it ran, its test metrics and training time."""
    rows = []
    for name, recipe, image_size, epochs in TRIALS:
        row = {"trial": name, "recipe": recipe, "image_size": image_size, "epochs": epochs}
        run_dir = find_run(results_dir, recipe, image_size, epochs)
        if run_dir is None:
            rows.append({**row, "status": "not run"})
            continue
        values = runs.read_json(run_dir / "metrics.json")
        history = runs.load_run(run_dir)["history"]
        rows.append(
            {
                **row,
                "status": "complete",
                "accuracy": values["accuracy"],
                "f1": values["f1"],
                "best_val_accuracy": float(history["val_accuracy"].max()),
                "training_time_s": values["training_time_s"],
                "median_epoch_s": values["median_epoch_s"],
                "run_id": run_dir.name,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", default="results/trials", help="folder of the trials' run records (default: results/trials)")
    parser.add_argument("--out", default="figures/recipe_trials.csv", help="table to write (default: figures/recipe_trials.csv)")
    parser.add_argument("--run", action="store_true", help="train the trials that have no complete run yet")
    args = parser.parse_args()
    results_dir = Path(args.results)
    if args.run:
        for name, recipe, image_size, epochs in TRIALS:
            if find_run(results_dir, recipe, image_size, epochs) is None:
                print(f"Trial: {name}", flush=True)
                train(TrainConfig(results_dir=str(results_dir), recipe=recipe, image_size=image_size, epochs=epochs, **COMMON))
    table = tabulate(results_dir)
    print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
    runs.write_csv(args.out, table)
    print(f"Table written to {args.out}")


if __name__ == "__main__":
    main()
