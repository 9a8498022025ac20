"""Benchmark training and inference speed of three input pipelines in one process.

(a) brainlib: images decoded once and cached, batched augmentation on the tf.data graph,
    prefetch, bfloat16 where supported.
(b) plain Keras: `image_dataset_from_directory` reading the JPEG files every epoch, the same
    augmentation layers, float32 (what a user following the Keras guides would write).
(c) ceiling: the model of (a) fed random tensors already in memory, without augmentation.

Rates are medians over single steps after warm-up, so the first step (graph tracing and
compilation) is reported apart and never counted.
"""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from brainlib import CLASS_NAMES, data, features, images
from brainlib.augment import build_augmenter
from brainlib.hardware import BF16_CPU_FLAGS, bfloat16_support, cpu_flags
from brainlib.models import build_model
from brainlib.pipeline import make_dataset


def _time_steps(model: keras.Model, batches, steps: int, warmup: int) -> dict:
    """Train on `warmup + steps` batches one at a time; return the first step and the median of the rest."""
    durations = []
    iterator = iter(batches)
    for _ in range(warmup + steps):
        started = time.perf_counter()
        x, y = next(iterator)
        model.train_on_batch(x, y)
        durations.append(time.perf_counter() - started)
    batch = int(x.shape[0])
    median = float(np.median(durations[warmup:]))
    return {"first_step_s": durations[0], "median_step_s": median, "train_images_per_s": batch / median, "steps": steps}


def _time_inference(model: keras.Model, x, steps: int) -> float:
    model.predict_on_batch(x)  # traces the inference graph
    durations = []
    for _ in range(steps):
        started = time.perf_counter()
        model.predict_on_batch(x)
        durations.append(time.perf_counter() - started)
    return int(x.shape[0]) / float(np.median(durations))


def _compiled(depth: int, size: int, bfloat16: bool, freeze_backbone: bool = False) -> keras.Model:
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16" if bfloat16 else "float32")
    try:
        model = build_model(depth, size, freeze_backbone=freeze_backbone)
    finally:
        keras.mixed_precision.set_dtype_policy(previous)
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="categorical_crossentropy")
    return model


def _plain_keras_dataset(folder: Path, size: int, batch_size: int, seed: int):
    """Build the plain Keras input pipeline over one folder of class folders."""
    dataset = keras.utils.image_dataset_from_directory(
        folder, image_size=(size, size), batch_size=batch_size, label_mode="categorical", seed=seed, shuffle=True
    )
    augmenter = build_augmenter(seed)
    return dataset.map(lambda x, y: (augmenter(x, training=True), y)).repeat()


def _frozen_backbone(depth, image_size, batch_size, bfloat16, pixels, labels, steps, warmup, seed, epochs=10, views=4) -> dict:
    """Time a frozen-backbone epoch through the backbone against one on cached features.

    Returns the step rates of both, the rate of computing features, and the speed-up of a whole
    frozen-backbone run of `epochs` epochs with `views` augmented views cached.
    """
    model = _compiled(depth, image_size, bfloat16, freeze_backbone=True)
    batches = make_dataset(pixels, labels, len(CLASS_NAMES), batch_size, shuffle_seed=seed, augmenter=build_augmenter(seed)).repeat()
    through_backbone = _time_steps(model, batches, steps, warmup)
    sample = pixels[: batch_size * (steps + 1)]
    extractor = features.feature_extractor(model)
    extractor.predict(sample[:batch_size].astype("float32"), verbose=0)  # traces the graph
    started = time.perf_counter()
    cached = features.compute_features(extractor, sample, batch_size)
    feature_rate = len(sample) / (time.perf_counter() - started)
    head = features.head_model(model)
    head.compile(optimizer=keras.optimizers.Adam(1e-4), loss="categorical_crossentropy")
    head_steps = _time_steps(head, features.feature_dataset(cached, labels[: len(sample)], len(CLASS_NAMES), batch_size, seed).repeat(), steps, warmup)
    images_count = len(pixels)
    uncached_s = epochs * images_count / through_backbone["train_images_per_s"]
    cached_s = views * images_count / feature_rate + epochs * images_count / head_steps["train_images_per_s"]
    return {
        "through_backbone_train_images_per_s": through_backbone["train_images_per_s"],
        "feature_images_per_s": feature_rate,
        "cached_head_train_images_per_s": head_steps["train_images_per_s"],
        "run_epochs": epochs,
        "run_views": views,
        "run_images": images_count,
        "uncached_run_s": uncached_s,
        "cached_run_s": cached_s,
        "speedup": uncached_s / cached_s,
    }


def run_benchmark(
    depth: int = 50,
    image_size: int = 128,
    batch_size: int = 32,
    steps: int = 10,
    warmup: int = 2,
    data_dir: str | None = None,
    cache_dir: str | None = None,
    seed: int = 42,
) -> dict:
    """Measure pipelines (a), (b) and (c) for one depth and size; return the figures and ratios."""
    folder, source = data.resolve_data_dir(data_dir, allow_download=False, synthetic_dir=Path(cache_dir or images.default_cache_dir()) / "synthetic")
    table = data.find_images(folder)
    # The plain recipe reads one folder of class folders: the training folder where there is one.
    plain_folder = next((path for path in folder.iterdir() if path.name.lower() in ("training", "train")), folder)
    bfloat16, reason = bfloat16_support()
    results = {
        "depth": depth,
        "image_size": image_size,
        "batch_size": batch_size,
        "data": str(folder),
        "data_source": source,
        "bfloat16": bfloat16,
        "bfloat16_reason": reason,
        "cpu_features": sorted(cpu_flags() & {"avx2", "avx512f", "avx512_vnni", "fma", *BF16_CPU_FLAGS}),
    }

    started = time.perf_counter()
    pixels, kept, _ = images.load_images(table, image_size, cache_dir, progress=False)
    labels = kept["class"].map(CLASS_NAMES.index).to_numpy()
    results["decode_or_cache_load_s"] = time.perf_counter() - started
    brainlib_batches = make_dataset(pixels, labels, len(CLASS_NAMES), batch_size, shuffle_seed=seed, augmenter=build_augmenter(seed)).repeat()
    model = _compiled(depth, image_size, bfloat16)
    results["a_brainlib"] = _time_steps(model, brainlib_batches, steps, warmup)
    sample = tf.cast(pixels[:batch_size], tf.float32)
    results["a_brainlib"]["inference_images_per_s"] = _time_inference(model, sample, steps)

    random_x = tf.random.uniform((batch_size, image_size, image_size, 3), 0, 255, seed=seed)
    random_y = tf.one_hot(tf.random.uniform((batch_size,), 0, len(CLASS_NAMES), dtype=tf.int32, seed=seed), len(CLASS_NAMES))
    in_memory = tf.data.Dataset.from_tensors((random_x, random_y)).repeat()
    results["c_in_memory"] = _time_steps(model, in_memory, steps, warmup)
    results["c_in_memory"]["inference_images_per_s"] = _time_inference(model, random_x, steps)
    del model
    keras.backend.clear_session()

    model = _compiled(depth, image_size, bfloat16=False)
    results["b_plain_keras"] = _time_steps(model, _plain_keras_dataset(plain_folder, image_size, batch_size, seed), steps, warmup)
    results["b_plain_keras"]["inference_images_per_s"] = _time_inference(model, sample, steps)
    del model
    keras.backend.clear_session()

    results["frozen_backbone"] = _frozen_backbone(depth, image_size, batch_size, bfloat16, pixels, labels, steps, warmup, seed)
    keras.backend.clear_session()

    rate = {name: results[name]["train_images_per_s"] for name in ("a_brainlib", "b_plain_keras", "c_in_memory")}
    results["ratio_a_over_b"] = rate["a_brainlib"] / rate["b_plain_keras"]
    results["ratio_a_over_c"] = rate["a_brainlib"] / rate["c_in_memory"]
    # ru_maxrss is in kilobytes on Linux.
    results["peak_memory_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def format_results(results: dict) -> str:
    """Format benchmark results as a short table with the ratios."""
    lines = [
        f"ResNet-{results['depth']}, {results['image_size']} px, batch {results['batch_size']}, data {results['data_source']}, "
        f"bfloat16 {'on' if results['bfloat16'] else 'off'} ({results['bfloat16_reason']})",
        f"{'pipeline':<16}{'train img/s':>12}{'first step s':>14}{'infer img/s':>13}",
    ]
    for name in ("a_brainlib", "b_plain_keras", "c_in_memory"):
        row = results[name]
        lines.append(f"{name:<16}{row['train_images_per_s']:>12.1f}{row['first_step_s']:>14.1f}{row['inference_images_per_s']:>13.1f}")
    lines.append(f"a/b = {results['ratio_a_over_b']:.2f}, a/c = {results['ratio_a_over_c']:.2f}, peak memory {results['peak_memory_mib']:.0f} MiB")
    frozen = results.get("frozen_backbone")
    if frozen:
        lines.append(
            f"frozen backbone: {frozen['through_backbone_train_images_per_s']:.1f} img/s through the backbone; cached features "
            f"computed at {frozen['feature_images_per_s']:.1f} img/s, head trains at {frozen['cached_head_train_images_per_s']:.0f} img/s; "
            f"a {frozen['run_epochs']}-epoch run with {frozen['run_views']} views: {frozen['uncached_run_s']:.0f} s -> {frozen['cached_run_s']:.0f} s "
            f"({frozen['speedup']:.1f}x)"
        )
    return "\n".join(lines)


def write_results(results: dict, path: str | Path) -> None:
    """Write benchmark results as JSON."""
    Path(path).write_text(json.dumps(results, indent=2) + "\n")
