"""Train one ResNet depth on one profile and write its run record.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import os
import time
import zipfile
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from brainlib import CLASS_NAMES, data, duplicates, features, images, metrics, runs
from brainlib.augment import balance_indices, build_augmenter
from brainlib.data import DataError
from brainlib.hardware import bfloat16_support
from brainlib.models import build_model, resolve_weights
from brainlib.pipeline import make_dataset
from brainlib.profiles import Recipe, choose_recipe, get_profile, sizes_for_recipe
from brainlib.synthetic import is_synthetic


@dataclasses.dataclass
class TrainConfig:
    """Options of one training run; unset sizes and lengths come from the profile.

    Attributes:
        depth: ResNet depth, 50, 101 or 152.
        profile: `paper`, `cpu` or `smoke`; None reads BRAINLIB_PROFILE.
        data_dir: data set folder; None follows `data.resolve_data_dir`.
        results_dir: parent folder of run records; None reads BRAINLIB_RESULTS, else `results`.
        cache_dir: folder for decoded images and the synthetic set; None reads BRAINLIB_CACHE.
        seed: seed of the split, the shuffles, the augmentation and the initial weights.
        mixed_precision: `auto` (bfloat16 where the hardware supports it), `on` or `off`.
        recipe: `paper` or `scratch`; None picks `scratch` exactly when no pretrained weights load.
        resume: a run folder to continue from its last finished epoch; its record's settings
            replace all other options.
        split: `naive` (image by image, the paper's) or `grouped` (exact copies collapsed, then
            duplicate clusters, or the groups of `groups_csv`, kept on one side of the split);
            None uses the profile's (`grouped` except in the `paper` profile).
        duplicate_threshold: perceptual-hash distance for near duplicates in `grouped` mode;
            None uses `duplicates.DEFAULT_THRESHOLD`.
        groups_csv: CSV with `file` and `group` columns (for example patient ids) to group by
            instead of duplicate clusters.
        feature_views: with a frozen backbone, the head trains on backbone features computed once;
            with augmentation on, this many augmented views of each training image are computed.
        devices: devices to train on in parallel (for example ["/gpu:0", "/gpu:1"]); None uses
            every visible GPU when there are several, else the one default device.
    """

    depth: int = 50
    profile: str | None = None
    data_dir: str | None = None
    results_dir: str | None = None
    cache_dir: str | None = None
    seed: int = 42
    epochs: int | None = None
    image_size: int | None = None
    batch_size: int | None = None
    weights: str | None = None
    images_per_class: int | None = None
    recipe: str | None = None
    mixed_precision: str = "auto"
    augment: bool = True
    balance: bool = True
    freeze_backbone: bool = False
    feature_views: int = 4
    progress_every_s: float = 30.0
    resume: str | None = None
    split: str | None = None
    duplicate_threshold: int | None = None
    groups_csv: str | None = None
    devices: list[str] | None = None


CHECKPOINT_NAME = "checkpoint.keras"
# A data set with a larger share of unreadable files stops before training, rather than
# training on a fraction of what the user pointed at.
MAX_SKIPPED_FRACTION = 0.05


def check_config(config: "TrainConfig") -> None:
    """Reject option combinations that would be silently ignored."""
    split = config.split or get_profile(config.profile).split
    if split not in data.SPLIT_MODES:
        raise ValueError(f"Unknown split mode {split!r}; choose one of {', '.join(data.SPLIT_MODES)}.")
    if split != "grouped" and (config.groups_csv or config.duplicate_threshold is not None):
        raise ValueError("--groups and --duplicate-threshold only apply to the grouped split; add --split grouped.")


class ProgressLog(keras.callbacks.Callback):
    """Print one line per epoch (and a step count every `every_s` seconds), and save progress.

    After every epoch with a finite loss the model is saved to `checkpoint_path` and the history
    to `history_path`, so an interrupted run keeps the epochs it finished.
    """

    def __init__(
        self, epochs: int, steps: int, every_s: float, history_path: Path, earlier: pd.DataFrame, checkpoint_path: Path, saved_model=None
    ):
        super().__init__()
        self.saved_model = saved_model  # the model to checkpoint, when the one being fitted is a part of it
        self.epochs, self.steps, self.every_s, self.history_path = epochs, steps, every_s, history_path
        self.checkpoint_path = checkpoint_path
        self.rows = earlier.to_dict("records")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = self.last_print = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if now - self.last_print >= self.every_s:
            self.last_print = now
            loss = (logs or {}).get("loss", float("nan"))
            print(f"  epoch {len(self.rows) + 1}/{self.epochs}: step {batch + 1}/{self.steps}, loss {loss:.3f}", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.epoch_start
        logs = {name: float(value) for name, value in (logs or {}).items() if name != "learning_rate"}
        self.rows.append({"epoch": epoch + 1, **logs, "seconds": seconds})
        if np.isfinite(logs.get("loss", np.nan)):
            # Save the checkpoint before the history, each atomically, so the history never lists an
            # epoch that the checkpoint lacks and an interrupted save leaves the previous file intact.
            temporary = self.checkpoint_path.with_name(".checkpoint.tmp.keras")
            (self.saved_model or self.model).save(temporary)
            os.replace(temporary, self.checkpoint_path)
        runs.write_csv(self.history_path, self.history())
        note = " (includes graph tracing)" if epoch == 0 or len(self.rows) == 1 else ""
        print(
            f"Epoch {epoch + 1}/{self.epochs}: loss {logs.get('loss', float('nan')):.4f}, "
            f"accuracy {logs.get('accuracy', float('nan')):.4f}, val_loss {logs.get('val_loss', float('nan')):.4f}, "
            f"val_accuracy {logs.get('val_accuracy', float('nan')):.4f}, {seconds:.1f} s{note}",
            flush=True,
        )

    def history(self) -> pd.DataFrame:
        """Return the per-epoch history so far, earlier epochs of a resumed run included."""
        return pd.DataFrame(self.rows)


def learning_rate(recipe: Recipe, steps_per_epoch: int, epochs: int):
    """Return the recipe's learning rate: a constant or a warm-up plus cosine decay schedule."""
    if not recipe.cosine_decay and recipe.warmup_epochs == 0:
        return recipe.peak_learning_rate
    warmup_steps = recipe.warmup_epochs * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.0,
        decay_steps=max(1, epochs * steps_per_epoch - warmup_steps),
        warmup_target=recipe.peak_learning_rate,
        warmup_steps=warmup_steps,
    )


def prepare_data(config: TrainConfig, image_size: int, images_per_class: int | None, allow_download: bool, split_mode: str | None = None) -> dict:
    """Find, decode, validate and split the data set; print one summary of what will be used.

    `split_mode` None takes the config's split, else the profile's.
    """
    split_mode = split_mode or config.split or get_profile(config.profile).split
    cache_dir = Path(config.cache_dir) if config.cache_dir else images.default_cache_dir()
    data_dir, source = data.resolve_data_dir(config.data_dir, allow_download, cache_dir / "synthetic")
    found, ignored = data.scan_images(data_dir)
    if len(ignored):
        print(f"Ignored {len(ignored)} files that are not images: " + "; ".join(f"{row.file} ({row.reason})" for row in ignored.head(5).itertuples()) + (" ..." if len(ignored) > 5 else ""))
    table = data.limit_per_class(found, images_per_class, config.seed)
    started = time.perf_counter()
    pixels, kept, skipped = images.load_images(table, image_size, cache_dir)
    print(f"Decoded {len(kept)} images at {image_size} px in {time.perf_counter() - started:.1f} s (cached for later runs).")
    if len(skipped):
        print(f"Skipped {len(skipped)} unreadable files:")
        for row in skipped.itertuples():
            print(f"  {row.file}: {row.reason}")
        if len(skipped) > MAX_SKIPPED_FRACTION * len(table):
            raise DataError(
                f"{len(skipped)} of {len(table)} image files under {data_dir} could not be read "
                f"(more than {MAX_SKIPPED_FRACTION:.0%}), so training stops rather than use a fraction of the data. "
                "Fix or remove the files listed above."
            )
    split, grouping = duplicates.study_split(kept, config.seed, split_mode, config.duplicate_threshold, config.groups_csv, data_dir)
    if split_mode == "grouped":
        pixels = pixels[kept["file"].isin(split["file"]).to_numpy()]
        print(
            f"Grouped split: removed {grouping['exact_copies_removed']} exact copies; {grouping['groups']} groups "
            f"({grouping['groups_from']}, near-duplicate threshold {grouping['duplicate_threshold']} bits) never straddle the split."
        )
    counts = pd.crosstab(split["class"], split["split"]).reindex(columns=["train", "validation", "test"])
    synthetic = is_synthetic(data_dir)
    label = "SYNTHETIC stand-in, not MRI data" if synthetic else source
    print(f"Data: {data_dir} ({label}); images per class and split:\n{counts.to_string()}")
    return {
        "pixels": pixels,
        "dir": data_dir,
        "source": source,
        "synthetic": synthetic,
        "split": split,
        "labels": split["class"].map(CLASS_NAMES.index).to_numpy(),
        "skipped": skipped,
        "ignored": ignored,
        "grouping": grouping,
    }


def _use_bfloat16(setting: str) -> tuple[bool, str]:
    supported, why = bfloat16_support()
    if setting == "off":
        return False, "turned off"
    if setting == "on":
        return True, f"turned on ({why})"
    return supported, why


def _settings(config: TrainConfig, recipe: Recipe) -> dict:
    """Resolve the profile's sizes and lengths for `recipe`, letting the config's own values win."""
    profile = get_profile(config.profile)
    image_size, epochs = sizes_for_recipe(profile, recipe)
    return {
        "profile": profile,
        "image_size": config.image_size or image_size,
        "batch_size": config.batch_size or profile.batch_size,
        "epochs": config.epochs or epochs,
        "images_per_class": config.images_per_class or profile.images_per_class,
        "split": config.split or profile.split,
    }


def _config_from_record(record: dict, resume: Path, progress_every_s: float) -> TrainConfig:
    """Rebuild the options of an earlier run from its record, to continue it."""
    return TrainConfig(
        depth=record["depth"],
        profile=record["profile"],
        data_dir=record["data"]["dir"],
        results_dir=str(resume.parent),
        cache_dir=record.get("cache_dir"),
        seed=record["seed"],
        epochs=record["epochs"],
        image_size=record["image_size"],
        batch_size=record["batch_size"],
        weights=record["weights_option"],
        images_per_class=record["data"].get("images_per_class"),
        recipe=record["recipe"]["name"],
        mixed_precision="on" if record["mixed_precision"] == "bfloat16" else "off",
        augment=record["augment"],
        balance=record["balance"],
        freeze_backbone=record["freeze_backbone"],
        feature_views=record.get("feature_cache", {}).get("views", 4),
        progress_every_s=progress_every_s,
        split=record["data"].get("split_mode", {}).get("mode", "naive"),
        duplicate_threshold=record["data"].get("split_mode", {}).get("duplicate_threshold"),
        groups_csv=record["data"].get("split_mode", {}).get("groups_csv"),
        devices=record["distribution"]["devices"] if record.get("distribution", {}).get("replicas", 1) > 1 else None,
    )


def distribution_strategy(devices: list[str] | None = None) -> tf.distribute.Strategy:
    """Return the strategy to train under.

    That is the strategy whose scope the caller entered (for example a MultiWorkerMirroredStrategy),
    else MirroredStrategy over `devices`, or over all GPUs when there are several, else the default.
    """
    if tf.distribute.has_strategy():
        return tf.distribute.get_strategy()
    if devices:
        return tf.distribute.MirroredStrategy(devices=devices)
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy(devices=[gpu.name for gpu in gpus])
    return tf.distribute.get_strategy()


def _build_compiled_model(config, settings, weights_path, recipe, use_bf16, steps_per_epoch, replicas: int = 1):
    previous_policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16" if use_bf16 else "float32")
    try:
        model = build_model(config.depth, settings["image_size"], weights_path, config.freeze_backbone, len(CLASS_NAMES))
    finally:
        keras.mixed_precision.set_dtype_policy(previous_policy)
    # Each replica keeps the profile's batch, so the global batch grows with the replicas. The
    # learning rate grows in proportion (the linear scaling rule), and one device changes nothing.
    scaled = dataclasses.replace(recipe, peak_learning_rate=recipe.peak_learning_rate * replicas)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate(scaled, steps_per_epoch, settings["epochs"]), weight_decay=recipe.weight_decay or None),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
        metrics=["accuracy"],
    )
    return model


def train(config: TrainConfig) -> Path:
    """Train ResNet-`config.depth` and return its run record folder under the results folder.

    With `config.resume` set to a run folder, continue that run from its last saved epoch with
    the settings in its record instead.
    """
    check_config(config)
    resume = Path(config.resume) if config.resume else None
    record = None
    if resume is not None:
        checkpoint = resume / CHECKPOINT_NAME
        record = runs.load_run(resume)
        if record.get("status") == "complete":
            raise ValueError(f"Run {resume} is already complete; start a new run instead of --resume.")
        if str(record.get("status", "")).startswith("stopped"):
            raise ValueError(
                f"Run {resume} {record['status']}, so its checkpoint cannot be trusted; start a new run "
                "with a lower learning rate or --mixed-precision off."
            )
        if not checkpoint.is_file():
            raise FileNotFoundError(f"Run {resume} has no {CHECKPOINT_NAME} (it stopped before its first epoch ended); start a new run.")
        config = _config_from_record(record, resume, config.progress_every_s)
    # Weights first: whether they load decides the recipe, and the recipe the image size and epochs.
    weights_option = config.weights or get_profile(config.profile).weights
    weights_path, weights_label = resolve_weights(weights_option, config.depth)
    recipe = choose_recipe(weights_label, config.recipe)
    settings = _settings(config, recipe)
    profile, epochs = settings["profile"], settings["epochs"]
    strategy = distribution_strategy(config.devices)
    replicas = strategy.num_replicas_in_sync
    batch_size = settings["batch_size"] * replicas  # the global batch, split across replicas
    wall_start = time.perf_counter()

    keras.utils.set_random_seed(config.seed)
    prepared = prepare_data(config, settings["image_size"], settings["images_per_class"], profile.allow_download, settings["split"])
    split, pixels, labels = prepared["split"], prepared["pixels"], prepared["labels"]
    data_fingerprint = data.fingerprint(split["file"])
    if record is not None and record["data"]["fingerprint"] != data_fingerprint:
        raise DataError(
            f"The images under {prepared['dir']} changed since run {resume.name} started, so it cannot be "
            "resumed on the same data; start a new run."
        )
    part = {name: np.flatnonzero(split["split"].to_numpy() == name) for name in ("train", "validation", "test")}
    train_index = part["train"][balance_indices(labels[part["train"]], config.seed)] if config.balance else part["train"]
    steps_per_epoch = math.ceil(len(train_index) / batch_size)

    use_bf16, bf16_reason = _use_bfloat16(config.mixed_precision)
    num_classes = len(CLASS_NAMES)
    train_ds = make_dataset(
        pixels[train_index],
        labels[train_index],
        num_classes,
        batch_size,
        shuffle_seed=config.seed,
        augmenter=build_augmenter(config.seed, recipe.horizontal_flip) if config.augment else None,
    )
    validation_ds = make_dataset(pixels[part["validation"]], labels[part["validation"]], num_classes, batch_size)

    results_dir = Path(config.results_dir) if config.results_dir else runs.default_results_dir()
    run_dir = resume or runs.create_run_dir(results_dir, f"resnet{config.depth}-{profile.name}")
    if resume is None:
        with strategy.scope():
            model = _build_compiled_model(config, settings, weights_path, recipe, use_bf16, steps_per_epoch, replicas)
        earlier = pd.DataFrame()
        record = {
            "run_id": run_dir.name,
            "status": "running",
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "depth": config.depth,
            "profile": profile.name,
            "image_size": settings["image_size"],
            "batch_size": settings["batch_size"],
            "distribution": {
                "strategy": type(strategy).__name__,
                "replicas": replicas,
                "devices": list(strategy.extended.worker_devices) if isinstance(strategy, tf.distribute.MirroredStrategy) else [],
                "global_batch_size": batch_size,
                "learning_rate_scale": replicas,
            },
            "epochs": epochs,
            "seed": config.seed,
            "weights_option": weights_option,
            "weights": weights_label,
            "recipe": dataclasses.asdict(recipe),
            "mixed_precision": "bfloat16" if use_bf16 else "float32",
            "mixed_precision_reason": bf16_reason,
            "augment": config.augment,
            "balance": config.balance,
            "freeze_backbone": config.freeze_backbone,
            "cache_dir": config.cache_dir,
            "data": {
                "dir": str(prepared["dir"]),
                "source": prepared["source"],
                "synthetic": prepared["synthetic"],
                "fingerprint": data_fingerprint,
                "images": len(split),
                "images_per_class": settings["images_per_class"],
                "skipped": prepared["skipped"].to_dict("records"),
                "ignored": prepared["ignored"].to_dict("records"),
                "split_counts": {name: int(len(index)) for name, index in part.items()},
                "split_mode": prepared["grouping"],
                "train_images_per_epoch": int(len(train_index)),
            },
            "class_names": list(CLASS_NAMES),
            "parameters": int(model.count_params()),
            "environment": runs.environment_info(),
        }
        runs.write_json(run_dir / "record.json", record)
        runs.write_csv(run_dir / "split.csv", split)
    else:
        if record.get("distribution", {}).get("replicas", 1) != replicas:
            raise ValueError(
                f"Run {resume} trained on {record['distribution']['replicas']} device(s) but {replicas} are in use now; "
                "resume on the same number of devices so the batch and learning rate stay the same."
            )
        try:
            with strategy.scope():
                model = keras.models.load_model(run_dir / CHECKPOINT_NAME)
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise ValueError(f"Checkpoint {run_dir / CHECKPOINT_NAME} cannot be read ({error}); start a new run.") from error
        earlier = pd.read_csv(run_dir / "history.csv") if (run_dir / "history.csv").is_file() else pd.DataFrame()
        record = {key: value for key, value in record.items() if key not in ("run_dir", "history", "predictions", "split")}
        record["status"] = "running"
        record.setdefault("resumed", []).append({"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "after_epoch": len(earlier)})
        runs.write_json(run_dir / "record.json", record)
    print(
        f"{'Resuming' if len(earlier) else 'Training'} ResNet-{config.depth} ({record['parameters']:,} parameters), "
        f"profile {profile.name}, {settings['split']} split, {settings['image_size']} px, global batch {batch_size} on {replicas} replica(s), {epochs} epochs, weights {record['weights']}, "
        f"recipe {recipe.name}, {record['mixed_precision']} ({record['mixed_precision_reason']}); run record {run_dir}",
        flush=True,
    )

    fit_model, feature_s = model, 0.0
    if config.freeze_backbone:
        # The frozen backbone maps an image to the same features every epoch: compute them once.
        views = config.feature_views if config.augment else 1
        print(f"Backbone frozen: computing its features once ({views} view(s) of each training image), then training the head on them.", flush=True)
        cached = features.cache_head_training(
            model, pixels[train_index], labels[train_index], pixels[part["validation"]], labels[part["validation"]], num_classes, batch_size,
            augmenter=build_augmenter(config.seed, recipe.horizontal_flip) if config.augment else None, views=views, shuffle_seed=config.seed,
        )
        fit_model, train_ds, validation_ds, feature_s = cached["head"], cached["train"], cached["validation"], cached["seconds"]
        with strategy.scope():
            fit_model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"])
        record["feature_cache"] = {"views": views, "seconds": feature_s}
        runs.write_json(run_dir / "record.json", record)
        print(f"Features computed in {feature_s:.1f} s.", flush=True)

    progress = ProgressLog(
        epochs, steps_per_epoch, config.progress_every_s, run_dir / "history.csv", earlier, run_dir / CHECKPOINT_NAME, saved_model=model
    )
    try:
        fit_model.fit(
            train_ds,
            validation_data=validation_ds,
            epochs=epochs,
            initial_epoch=len(earlier),
            shuffle=False,  # train_ds reshuffles itself each epoch from the run's seed.
            verbose=0,
            callbacks=[
                progress,
                keras.callbacks.TerminateOnNaN(),
            ],
        )
    except KeyboardInterrupt:
        record["status"] = "interrupted"
        runs.write_json(run_dir / "record.json", record)
        print(
            f"Interrupted after {len(progress.rows)} of {epochs} epochs. The last finished epoch is saved in "
            f"{run_dir / CHECKPOINT_NAME}; continue with: python -m brainlib train --resume {run_dir}"
        )
        raise
    history = progress.history()
    if history["loss"].isna().any() or len(history) < epochs:
        record.update(status="stopped: loss became NaN", finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        runs.write_json(run_dir / "record.json", record)
        raise FloatingPointError(
            f"Training loss of ResNet-{config.depth} became NaN in epoch {len(history)}; the run stopped and its "
            f"record is kept in {run_dir}. Start a new run with a lower learning rate (for example --recipe paper "
            "instead of scratch) or with --mixed-precision off."
        )

    test_ds = make_dataset(pixels[part["test"]], labels[part["test"]], num_classes, batch_size)
    started = time.perf_counter()
    probabilities = model.predict(test_ds, verbose=0)
    inference_s = time.perf_counter() - started
    y_true, y_pred = labels[part["test"]], probabilities.argmax(axis=1)
    predictions = pd.DataFrame({"file": split["file"].to_numpy()[part["test"]], "true": y_true, "predicted": y_pred})
    for index, name in enumerate(CLASS_NAMES):
        predictions[f"p_{name}"] = probabilities[:, index]
    runs.write_csv(run_dir / "predictions.csv", predictions)

    seconds = history["seconds"].tolist()
    values = metrics.table2_metrics(y_true, y_pred, history, training_time_s=sum(seconds) + feature_s)
    steady = float(np.median(seconds[1:])) if len(seconds) > 1 else float(seconds[0])
    values.update(
        {
            "first_epoch_s": float(seconds[0]),
            "feature_cache_s": feature_s,
            "median_epoch_s": steady,
            "train_images_per_s": len(train_index) / steady,
            "test_images_per_s": len(y_true) / inference_s,
        }
    )
    runs.write_json(run_dir / "metrics.json", values)
    model.save(run_dir / "model.keras")
    (run_dir / CHECKPOINT_NAME).unlink(missing_ok=True)
    record.update(
        status="complete",
        finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        wall_time_s=time.perf_counter() - wall_start,  # of this process only, when the run was resumed
    )
    runs.write_json(run_dir / "record.json", record)
    print(
        f"ResNet-{config.depth}: test accuracy {values['accuracy']:.3f}, macro F1 {values['f1']:.3f}, "
        f"training {values['training_time_s']:.0f} s ({values['train_images_per_s']:.1f} images/s after the first epoch). "
        f"Run record: {run_dir}"
    )
    del model, train_ds, validation_ds, test_ds
    keras.backend.clear_session()
    gc.collect()
    return run_dir
