"""Run records: one folder per training run under `results/`, never overwritten."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
from pathlib import Path

import pandas as pd

RESULTS_ENV = "BRAINLIB_RESULTS"


def default_results_dir() -> Path:
    """Return BRAINLIB_RESULTS if set, else `results` under the working directory."""
    return Path(os.environ.get(RESULTS_ENV, "results"))


def create_run_dir(results_dir: str | Path, name: str) -> Path:
    """Create and return a new, empty run folder `<timestamp>-<name>`; an existing one is never reused."""
    results_dir = Path(results_dir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for attempt in range(1000):
        suffix = "" if attempt == 0 else f"-{attempt}"
        run_dir = results_dir / f"{stamp}-{name}{suffix}"
        try:
            results_dir.mkdir(parents=True, exist_ok=True)
            run_dir.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise OSError(
                f"Cannot create a run folder in {results_dir}: {error.strerror}. "
                f"Choose a writable folder with --results, the notebooks' results_dir or {RESULTS_ENV}."
            ) from error
        return run_dir
    raise FileExistsError(f"Could not find a free run folder name for {name!r} in {results_dir}.")


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Cannot write {path}: folder {path.parent} does not exist. Create it or choose another path.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, data: dict) -> None:
    """Write `data` as indented JSON, atomically."""
    _write_atomic(Path(path), json.dumps(data, indent=2, default=str) + "\n")


def write_csv(path: str | Path, frame: pd.DataFrame) -> None:
    """Write a data frame as CSV without its index, atomically."""
    _write_atomic(Path(path), frame.to_csv(index=False))


def read_json(path: str | Path) -> dict:
    """Read a JSON file."""
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def environment_info() -> dict:
    """Collect library versions and hardware facts for a run record."""
    import keras
    import matplotlib
    import numpy
    import sklearn
    import tensorflow as tf

    from brainlib import __version__

    gpus = tf.config.list_physical_devices("GPU")
    return {
        "python": platform.python_version(),
        "brainlib": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "matplotlib": matplotlib.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpus": [gpu.name for gpu in gpus],
    }


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def split_mode(record: dict) -> str:
    """Return a run record's split mode; records older than the grouped split split naively."""
    return record.get("data", {}).get("split_mode", {}).get("mode", "naive")


def list_runs(
    results_dir: str | Path, profile: str | None = None, complete_only: bool = True, split: str | None = None
) -> pd.DataFrame:
    """List run records under `results_dir`, oldest first, one row per run.

    Folders without a readable `record.json` are skipped: they are not run records. `profile`
    and `split` keep only runs of that profile and split mode.
    """
    results_dir = Path(results_dir)
    rows = []
    if results_dir.is_dir():
        for record_path in sorted(results_dir.glob("*/record.json")):
            try:
                record = read_json(record_path)
            except (OSError, json.JSONDecodeError):
                continue
            if complete_only and record.get("status") != "complete":
                continue
            if profile and record.get("profile") != profile:
                continue
            if split and split_mode(record) != split:
                continue
            rows.append(
                {
                    "run_dir": record_path.parent,
                    "run_id": record_path.parent.name,
                    "depth": record.get("depth"),
                    "profile": record.get("profile"),
                    "split": split_mode(record),
                    "status": record.get("status"),
                    "started": record.get("started"),
                }
            )
    columns = ["run_dir", "run_id", "depth", "profile", "split", "status", "started"]
    return pd.DataFrame(rows, columns=columns).sort_values("started", kind="stable").reset_index(drop=True)


def latest_runs(results_dir: str | Path, profile: str | None = None, split: str | None = None) -> dict[int, Path]:
    """Return the newest complete run folder for each depth (of `profile` and `split`, when given)."""
    runs = list_runs(results_dir, profile=profile, split=split)
    return {int(row.depth): Path(row.run_dir) for row in runs.itertuples()}


def load_run(run_dir: str | Path) -> dict:
    """Load a run record: its record.json plus history, predictions and split tables."""
    run_dir = Path(run_dir)
    record_path = run_dir / "record.json"
    if not record_path.is_file():
        raise FileNotFoundError(
            f"{run_dir} is not a run record: record.json is missing. "
            "Pass a folder created by `python -m brainlib train` (under results/)."
        )
    run = read_json(record_path)
    run["run_dir"] = run_dir
    for table in ("history", "predictions", "split"):
        path = run_dir / f"{table}.csv"
        run[table] = pd.read_csv(path) if path.is_file() else None
    return run
