"""Evaluate a saved run again: reload its model and predict its test split."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from brainlib import CLASS_NAMES, images, metrics, runs
from brainlib.models import load_model


def evaluate(run_dir: str | Path, cache_dir: str | Path | None = None) -> dict:
    """Reload a run's model, predict its test images again and return accuracy, precision, sensitivity, F1.

    The test images are the ones named in the run's split table, decoded at the run's size.
    """
    run = runs.load_run(run_dir)
    model_path = Path(run_dir) / "model.keras"
    if not model_path.is_file() or run["split"] is None:
        raise FileNotFoundError(
            f"Run record {run_dir} is incomplete: model.keras or split.csv is missing. "
            "Train again, or pass a run folder whose record.json says status complete."
        )
    test = run["split"][run["split"]["split"] == "test"].reset_index(drop=True)
    pixels, kept, skipped = images.load_images(test, run["image_size"], cache_dir, progress=False)
    if len(skipped):
        raise FileNotFoundError(f"{len(skipped)} test images of {run_dir} can no longer be read, first: {skipped.iloc[0].file}.")
    model = load_model(model_path)
    probabilities = model.predict(pixels.astype(np.float32), batch_size=run["batch_size"], verbose=0)
    y_true = kept["class"].map(CLASS_NAMES.index).to_numpy()
    values = metrics.classification_metrics(y_true, probabilities.argmax(axis=1))
    keras.backend.clear_session()
    return values

