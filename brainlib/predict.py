"""Predict classes of new image files with a trained run, using the run's own preprocessing."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pandas as pd

from brainlib import runs
from brainlib.data import IMAGE_SUFFIXES
from brainlib.images import load_images
from brainlib.models import load_model


def load_run_model(run_dir: str | Path) -> tuple[keras.Model, dict]:
    """Load a complete run's model and record, or explain what is missing."""
    run_dir = Path(run_dir)
    record_path, model_path = run_dir / "record.json", run_dir / "model.keras"
    if not record_path.is_file() or not model_path.is_file():
        missing = ", ".join(path.name for path in (record_path, model_path) if not path.is_file())
        raise FileNotFoundError(
            f"Run folder {run_dir} is incomplete ({missing} missing). Pass a folder under results/ whose "
            "record.json says status complete, for example the one printed at the end of training."
        )
    return load_model(model_path), runs.read_json(record_path)


def list_image_files(target: str | Path) -> list[Path]:
    """Return `target` if it is a file, else the image files under it, sorted."""
    target = Path(target)
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise FileNotFoundError(f"{target} does not exist. Pass an image file or a folder of images.")
    files = sorted(path for path in target.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())
    if not files:
        raise FileNotFoundError(f"No image files (.jpg, .png, ...) found under {target}.")
    return files


def predict(target: str | Path, run_dir: str | Path, cam_dir: str | Path | None = None) -> pd.DataFrame:
    """Predict the class of each image in `target` with the model of `run_dir`.

    Images are decoded exactly as in training (RGB, resized to the run's input size). Files that
    cannot be read get a `skipped` reason instead of a prediction. With `cam_dir`, a Grad-CAM
    overlay of the predicted class is written there for each image as `<index>_<name>_cam.png`,
    the index being the file's row in the result.

    Returns:
        One row per file: `file`, `predicted`, `probability`, `p_<class>` for every class, `skipped`.
    """
    model, record = load_run_model(run_dir)
    class_names = record["class_names"]
    files = pd.DataFrame({"file": [str(path) for path in list_image_files(target)]})
    pixels, kept, skipped = load_images(files, record["image_size"], progress=False)
    probabilities = model.predict(pixels.astype(np.float32), batch_size=record["batch_size"], verbose=0) if len(kept) else np.zeros((0, len(class_names)))
    result = kept[["file"]].copy()
    result["predicted"] = [class_names[index] for index in probabilities.argmax(axis=1)]
    result["probability"] = probabilities.max(axis=1) if len(kept) else []
    for index, name in enumerate(class_names):
        result[f"p_{name}"] = probabilities[:, index]
    result["skipped"] = ""
    if len(skipped):
        result = pd.concat([result, pd.DataFrame({"file": skipped["file"], "skipped": skipped["reason"]})], ignore_index=True)
    if cam_dir is not None and len(kept):
        from PIL import Image

        from brainlib.explain import grad_cam, overlay

        cam_dir = Path(cam_dir)
        cam_dir.mkdir(parents=True, exist_ok=True)
        chunk = record["batch_size"]
        cams = np.concatenate([grad_cam(model, pixels[start : start + chunk]) for start in range(0, len(pixels), chunk)])
        for index, (file, image, cam) in enumerate(zip(kept["file"], pixels, cams)):
            # The index keeps overlays of same-named files from different folders apart.
            Image.fromarray(overlay(image, cam)).save(cam_dir / f"{index:04d}_{Path(file).stem}_cam.png")
    keras.backend.clear_session()
    return result
