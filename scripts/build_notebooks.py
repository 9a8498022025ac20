"""Write the study's notebook sources (without outputs) under notebooks/.

The three training notebooks are made from one template, so they differ only in their
parameters. Run `make notebooks` after editing this file; `make study` then executes them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

SETUP = '''import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out of the outputs
notebook_start = time.perf_counter()

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import brainlib
from brainlib import CLASS_NAMES, data, images, plots, report, runs
from brainlib.profiles import get_profile
from brainlib.session import describe, set_seed

print(describe())'''

PARAMETERS_COMMON = '''# Profile: paper (256 px, GPU), cpu (128 px, a laptop) or smoke (tiny, for tests).
profile = os.environ.get("BRAINLIB_PROFILE", "cpu")
# Data set folder; None tries a kagglehub copy, then a download, then a synthetic stand-in.
data_dir = os.environ.get("BRAINLIB_DATA")
results_dir = os.environ.get("BRAINLIB_RESULTS", "../results")
figures_dir = os.environ.get("BRAINLIB_FIGURES", "../figures")
cache_dir = os.environ.get("BRAINLIB_CACHE", "../.cache")
split = None  # None: the profile's split mode (grouped; the paper profile: naive, as the paper splits)
seed = 42'''

SHOW_PROFILE = '''settings = get_profile(profile)
split = split or settings.split
set_seed(seed)
print(settings)'''

LOAD_DATA = '''data_folder, data_source = data.resolve_data_dir(data_dir, settings.allow_download, os.path.join(cache_dir, "synthetic"))
all_images = data.find_images(data_folder)
table = data.limit_per_class(all_images, settings.images_per_class, seed)
synthetic = data.is_synthetic(data_folder)
data_label = "SYNTHETIC stand-in (not MRI data)" if synthetic else f"{data_folder.name} ({data_source})"
print(f"Data: {data_folder}, {data_label}; {len(all_images)} images found, {len(table)} used by the {profile} profile.")'''

# Galleries of MRI slices are photographs; as JPEG they keep the notebook well under 2 MB.
JPEG_FIGURES = '%config InlineBackend.figure_formats = ["jpeg"]  # slices are photographs: JPEG keeps the notebook small'

# Written from the committed cpu-profile runs' numbers; a re-run prints its own numbers above it.
CONCLUSION = "## Does the paper's conclusion hold here?\n\nReading of the committed runs (cpu profile, Sartaj set, random initialisation). With the study's defaults (grouped split, `scratch` recipe, 30 epochs at 96 px) only ResNet-50 has been trained so far: 0.817 test accuracy (95% bootstrap interval 0.786 to 0.847), macro F1 0.801. The same recipe on the paper's image-by-image split reached 0.879 (0.853 to 0.904), so near copies of test images in training add about 0.06 to the accuracy. The earlier runs of all three depths (naive split, 10 epochs at 128 px, in the table of the leakage section) put ResNet-50 at 0.783 (0.752 to 0.813), ResNet-101 at 0.606 (0.570 to 0.643) and ResNet-152 at 0.605 (0.568 to 0.642): more depth did not help there, as in the paper, but for another reason, because from scratch and in 10 epochs the deeper networks were still converging. Whether the conclusion holds with the grouped split and the longer recipe needs the ResNet-101 and ResNet-152 runs named above; at about 1.6 and 2.4 times ResNet-50's time per epoch they did not fit the development session. The paper's 0.02 gap between ResNet-101 and ResNet-152 would lie well inside intervals of this width, so on a test split of this size it is not evidence either way."

WALL_TIME = '''print(f"Notebook wall time: {time.perf_counter() - notebook_start:.0f} s, profile {profile}, data {data_label}.")'''


def notebook(cells) -> nbformat.NotebookNode:
    book = new_notebook(cells=cells)
    for index, cell in enumerate(book.cells):
        cell.id = f"cell-{index:02d}"  # stable ids keep regenerated notebooks' diffs small
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    return book


def parameters(source: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def opening(title: str, paragraph: str):
    return [
        new_markdown_cell(f"# {title}\n\n{paragraph}"),
        new_markdown_cell("## Set up\n\nImport the study's library and print what this machine offers."),
        new_code_cell(SETUP),
        new_markdown_cell(
            "## Parameters\n\nEvery setting of this notebook. `make study` and papermill can override them; "
            "by default they follow the environment variables `BRAINLIB_PROFILE`, `BRAINLIB_DATA`, "
            "`BRAINLIB_RESULTS`, `BRAINLIB_FIGURES` and `BRAINLIB_CACHE`."
        ),
    ]


def data_exploration():
    return notebook(
        opening(
            "01 · Data exploration",
            "What goes in: the MRI slices, found through `BRAINLIB_DATA`. What comes out: counts per class "
            "and source folder, image sizes, a sample grid, a duplicate report with the leakage each split mode allows, "
            "and the 80/20 split the study uses (figures `01_class_counts.png`, `01_sample_grid.png`, `01_split_counts.png`, "
            "`01_closest_pairs.png`).",
        )
        + [
            new_code_cell(JPEG_FIGURES),
            parameters(PARAMETERS_COMMON + "\nduplicate_threshold = 4  # pHash bits within which two images count as near duplicates"),
            new_code_cell(SHOW_PROFILE),
            new_markdown_cell(
                "## Find the images\n\nThe paper's set has four flat class folders; its parent, the Sartaj set, "
                "has `Training/` and `Testing/` folders and calls the healthy class `no_tumor`. "
                "`find_images` reads either layout and maps folder names to the four classes."
            ),
            new_code_cell(LOAD_DATA),
            new_code_cell(
                'counts = pd.crosstab(all_images["class"], all_images["source_split"], margins=True, margins_name="total")\n'
                "display(counts)\n"
                'figure = plots.class_counts(all_images, title=f"Images per class and source folder: {data_label}")\n'
                'plots.save_figure(figure, "01_class_counts", figures_dir);'
            ),
            new_markdown_cell(
                "`normal` is the smallest class, which is why the paper augments it more. The training "
                "notebooks balance it by oversampling (see notebook 02)."
            ),
            new_markdown_cell(
                "## Look at image sizes\n\nThe paper's images are all 256x256; the parent set is not. Every image "
                "is resized to the profile's square input, so a non-square image is stretched."
            ),
            new_code_cell(
                "sizes = images.image_sizes(all_images)\n"
                'print(f"{sizes[\'size\'].nunique()} distinct sizes; the most common:")\n'
                'display(sizes["size"].value_counts().head(8).rename("images").to_frame())'
            ),
            new_markdown_cell("## Show a sample of each class\n\nDecode once at the profile's size (cached on disk for the training notebooks)."),
            new_code_cell(
                "pixels, kept, skipped = images.load_images(table, settings.image_size, cache_dir)\n"
                'labels = kept["class"].map(CLASS_NAMES.index).to_numpy()\n'
                'print(f"{len(kept)} images decoded at {settings.image_size} px, {len(skipped)} skipped.")\n'
                'figure = plots.sample_grid(pixels, labels, CLASS_NAMES, per_class=6, seed=seed, title=f"Samples at {settings.image_size} px: {data_label}")\n'
                'plots.save_figure(figure, "01_sample_grid", figures_dir);'
            ),
            new_markdown_cell(
                "## Look for duplicates\n\nPublic brain-MRI sets hold the same slice more than once, sometimes in both "
                "`Training/` and `Testing/`. Exact copies share file bytes or decoded pixels; near duplicates have "
                "perceptual hashes (pHash, 64 bits) at most `duplicate_threshold` bits apart, and chains of near copies "
                "form one cluster. A cluster whose images carry different labels is a label conflict."
            ),
            new_code_cell(
                "from brainlib import duplicates\n"
                "clusters = duplicates.find_clusters(duplicates.hash_images(kept), duplicate_threshold)\n"
                "duplicate_report = duplicates.cluster_report(clusters)\n"
                "cross_source = duplicate_report[duplicate_report[\"source_splits\"].str.contains(\",\")]\n"
                "print(f\"{(clusters['exact_copy_of'] >= 0).sum()} images are exact copies of an earlier one; \"\n"
                "      f\"{len(duplicate_report)} clusters hold {duplicate_report['images'].sum()} images (threshold {duplicate_threshold} bits); \"\n"
                "      f\"{len(cross_source)} clusters span more than one source folder; {duplicate_report['label_conflict'].sum()} carry conflicting labels.\")\n"
                "display(duplicate_report.drop(columns=\"files\").head(8))"
            ),
            new_markdown_cell("Label conflicts are listed here with their files, not dropped: a reader should decide which label is right."),
            new_code_cell(
                "conflicts = duplicate_report[duplicate_report[\"label_conflict\"]]\n"
                "for row in conflicts.itertuples():\n"
                "    print(f\"cluster {row.cluster} ({row.classes}):\", \"; \".join(os.path.relpath(file, data_folder) for file in row.files))"
            ),
            new_markdown_cell(
                "## Measure leakage under each split mode\n\n`naive` splits image by image, as the paper does. `grouped` "
                "first keeps one image of each set of exact copies, then keeps every cluster on one side of the split. "
                "For each test image we find the training image with the closest hash."
            ),
            new_code_cell(
                "leakage, neighbours = [], {}\n"
                "for mode in (\"naive\", \"grouped\"):\n"
                "    pool = clusters if mode == \"naive\" else duplicates.collapse_exact_copies(clusters)\n"
                "    mode_split = data.split_table(pool, seed, mode=mode, groups=pool[\"cluster\"] if mode == \"grouped\" else None)\n"
                "    neighbours[mode] = duplicates.cross_split_neighbours(pool, mode_split[\"split\"])\n"
                "    distance = neighbours[mode][\"distance\"]\n"
                "    leakage.append({\"split\": mode, \"images\": len(pool), \"test images\": len(distance),\n"
                "                    \"identical hash in training\": int((distance == 0).sum()),\n"
                "                    f\"near copy in training (<= {duplicate_threshold} bits)\": int((distance <= duplicate_threshold).sum())})\n"
                "display(pd.DataFrame(leakage).set_index(\"split\"))"
            ),
            new_markdown_cell(
                "Judge the threshold by eye: the closest test-training pairs under the naive split, and the closest ones "
                "that the grouped split still allows (those are at least `duplicate_threshold + 1` bits apart)."
            ),
            new_code_cell(
                "gallery = {}\n"
                "for mode in (\"naive\", \"grouped\"):\n"
                "    closest = neighbours[mode].head(6)\n"
                "    pairs = pd.DataFrame({\"file\": list(closest[\"test_file\"]) + list(closest[\"train_file\"])})\n"
                "    pair_pixels, _, _ = images.load_images(pairs, settings.image_size, cache_dir, progress=False)\n"
                "    count = len(closest)\n"
                "    gallery[f\"{mode}: test\"] = [(pair_pixels[i], f\"{row.test_class}\\n{row.distance} bits\") for i, row in enumerate(closest.itertuples())]\n"
                "    gallery[f\"{mode}: training\"] = [(pair_pixels[count + i], row.train_class) for i, row in enumerate(closest.itertuples())]\n"
                "figure = plots.image_gallery(gallery, title=f\"Closest test-training pairs by perceptual hash: {data_label}\")\n"
                "plots.save_figure(figure, \"01_closest_pairs\", figures_dir);"
            ),
            new_markdown_cell(
                "## Split the pool\n\nThe paper splits at code level, 80/20, with `train_test_split`, image by image. We pool "
                "the `Training/` and `Testing/` folders and split 80/20 too, stratified by class and seeded, in the mode "
                "chosen above: `grouped` by default, so that the test images have no near copy in training, or `naive` "
                "to reproduce the paper. We also hold out 10% of the pool from the training part as a validation split, "
                "so that the per-epoch curves never look at the test images; the paper used its test split for those curves."
            ),
            new_code_cell(
                "split_images, grouping = duplicates.study_split(clusters, seed, split, duplicate_threshold)\n"
                "print(grouping)\n"
                'display(pd.crosstab(split_images["class"], split_images["split"], margins=True, margins_name="total")[["train", "validation", "test", "total"]])\n'
                'figure = plots.class_counts(split_images, title=f"Images per class and split ({split} split, seed {seed})")\n'
                'plots.save_figure(figure, "01_split_counts", figures_dir);'
            ),
            new_markdown_cell(
                "## Limitations\n\n- A random image-level split, the paper's, puts near copies of test images into training "
                "(measured above). The training notebooks therefore split `grouped` by default; `split = \"naive\"` here and in "
                "notebooks 02 to 07 (or `python -m brainlib train --split naive`) reproduces the paper's split.\n- Neither public set "
                "has patient identifiers, so no split here can keep a patient's slices on one side; users with patient ids "
                "can pass a CSV of `file,group` (`--groups`) to group by them.\n- pHash is shift-sensitive: copies shifted by "
                "more than about 1% of the width exceed the default threshold.\n- The parent set mixes sizes and contrasts; the "
                "paper's set was converted to grayscale 256x256 and had duplicates removed."
            ),
            new_markdown_cell("## Summary"),
            new_code_cell(
                'print(f"{len(all_images)} images in {all_images[\'class\'].nunique()} classes; smallest class: "\n'
                '      f"{all_images[\'class\'].value_counts().idxmin()} ({all_images[\'class\'].value_counts().min()} images).")\n'
                'print(f"Split used for training (seed {seed}): " + ", ".join(f"{name} {count}" for name, count in split_images["split"].value_counts().items()) + f" ({split} split).")\n'
                + WALL_TIME
            ),
        ]
    )


def augmentation():
    return notebook(
        opening(
            "02 · Augmentation",
            "What goes in: the training images. What comes out: a preview of the paper's augmentations "
            "(rotation, horizontal and vertical shift, zoom, shear) and the class balance before and after "
            "oversampling the smaller classes (figures `02_augmentation_preview.png`, `02_class_balance.png`).",
        )
        + [
            parameters(PARAMETERS_COMMON),
            new_code_cell(SHOW_PROFILE + "\nfrom brainlib import augment"),
            new_code_cell(LOAD_DATA),
            new_code_cell(
                "from brainlib import duplicates\n"
                "pixels, kept, skipped = images.load_images(table, settings.image_size, cache_dir)\n"
                "split_images, grouping = duplicates.study_split(kept, seed, split)  # as the training notebooks split\n"
                'pixels = pixels[kept["file"].isin(split_images["file"]).to_numpy()]\n'
                'labels = split_images["class"].map(CLASS_NAMES.index).to_numpy()\n'
                'train_index = np.flatnonzero(split_images["split"] == "train")'
            ),
            new_markdown_cell(
                "## Preview the augmentation\n\nThe paper names the transformations but not their ranges. We use "
                "rotation up to ±15°, shifts and zoom up to 10%, and shear 0.1, filling uncovered corners with "
                "black as in the scans' background. The layers run on whole batches inside the `tf.data` "
                "pipeline, on training images only."
            ),
            new_code_cell(
                "augmenter = augment.build_augmenter(seed)\n"
                "examples = [train_index[labels[train_index] == k][0] for k in range(len(CLASS_NAMES))]\n"
                "figure = plots.augmentation_preview(pixels[examples], augmenter, views=6, row_titles=CLASS_NAMES,\n"
                '                                    title=f"Original and six augmented views: {data_label}")\n'
                'plots.save_figure(figure, "02_augmentation_preview", figures_dir);'
            ),
            new_markdown_cell(
                "## Balance the classes\n\nThe paper augments the small `normal` class more to balance class sizes. "
                "We do this after the split: images of smaller classes are repeated until each class is as large "
                "as the largest, and every repeat is augmented differently."
            ),
            new_code_cell(
                "balanced = train_index[augment.balance_indices(labels[train_index], seed)]\n"
                "balance = pd.DataFrame({\n"
                '    "before": pd.Series(labels[train_index]).map(lambda k: CLASS_NAMES[k]).value_counts(),\n'
                '    "after balancing": pd.Series(labels[balanced]).map(lambda k: CLASS_NAMES[k]).value_counts(),\n'
                "}).reindex(CLASS_NAMES)\n"
                "display(balance)\n"
                'axes = balance.plot.bar(rot=0, figsize=(7, 3.5), title="Training images per class per epoch")\n'
                'axes.set_ylabel("images")\n'
                'plots.save_figure(axes.figure, "02_class_balance", figures_dir);'
            ),
            new_markdown_cell("## Summary"),
            new_code_cell(
                'print(f"One training epoch sees {len(balanced)} images ({len(train_index)} distinct), "\n'
                '      f"{len(balanced) // len(CLASS_NAMES)} per class.")\n' + WALL_TIME
            ),
        ]
    )


def training(depth: int, number: int):
    return notebook(
        opening(
            f"{number:02d} · Train ResNet-{depth}",
            f"What goes in: the data split of notebook 01 and the augmentation of notebook 02. What comes out: "
            f"a trained ResNet-{depth} and its run record under `results/` (settings, versions, hardware, "
            "split table, per-epoch history, test predictions, metrics, the `.keras` model), plus figures "
            f"`resnet{depth}_training_curves.png` and `resnet{depth}_confusion_matrix.png`. Notebooks 03, 04 "
            "and 05 differ only in their parameters.",
        )
        + [
            parameters(
                PARAMETERS_COMMON
                + f"\ndepth = {depth}\n"
                "epochs = None  # None: the profile's for the recipe (cpu: 10, 30 from scratch)\n"
                "weights = None  # None: the profile's (imagenet); or none, or a path to an .h5 file\n"
                "recipe = None  # None: paper with pretrained weights, scratch without\n"
                "image_size = None  # None: the profile's for the recipe (cpu: 128 px, 96 px from scratch)\n"
                'mixed_precision = "auto"  # bfloat16 where the CPU or GPU supports it'
            ),
            new_code_cell(SHOW_PROFILE + "\nfrom brainlib.training import TrainConfig, train"),
            new_markdown_cell(
                "## Choose the recipe\n\nWith ImageNet weights the study uses the paper's recipe: Adam at 1e-4 and "
                "categorical cross-entropy for 10 epochs, fine-tuning the whole network. When the weights cannot be "
                "downloaded (offline machines), the network starts from random weights, and the paper's small "
                "learning rate barely moves it in 10 epochs (0.53 test accuracy for ResNet-50 in our trials). The "
                "`scratch` recipe then raises the learning rate to 1e-3 with one epoch of linear warm-up and a cosine "
                "decay, adds label smoothing 0.1, and trains "
                "longer on smaller images (the `cpu` profile: 30 epochs at 96 px instead of 10 at 128 px, in about "
                "the time of 15 epochs at 128 px). Pretrained weights already generalise, so the paper's gentle "
                "recipe suits them; random weights need larger steps and more of them. "
                "`scripts/recipe_trials.py` reruns the trials behind these choices; the README lists what each "
                "change did. The run record and every title below state which weights, recipe and split were used."
            ),
            new_markdown_cell(
                "## Train\n\nOne line per epoch; long epochs also print a step count every 30 s. The first epoch "
                "includes TensorFlow's graph tracing and is reported apart from the others."
            ),
            new_code_cell(
                "config = TrainConfig(depth=depth, profile=profile, data_dir=data_dir, results_dir=results_dir, cache_dir=cache_dir,\n"
                "                     seed=seed, epochs=epochs, image_size=image_size, weights=weights, recipe=recipe,\n"
                "                     mixed_precision=mixed_precision, split=split)\n"
                "run_dir = train(config)\n"
                "run = runs.load_run(run_dir)\n"
                'run["metrics"] = runs.read_json(run_dir / "metrics.json")\n'
                "label = report.run_label(run)\n"
                'data_label = "SYNTHETIC stand-in (not MRI data)" if run["data"]["synthetic"] else run["data"]["dir"]'
            ),
            new_markdown_cell("## Read the training curves"),
            new_code_cell(
                'display(run["history"].round(4))\n'
                'figure = plots.training_curves(run["history"], title=label)\n'
                'plots.save_figure(figure, f"resnet{depth}_training_curves", figures_dir);'
            ),
            new_markdown_cell(
                "## Evaluate on the test split\n\nThe test images are used once, here. Predictions were collected in "
                "one pass with their labels; every number below comes from them."
            ),
            new_code_cell(
                "matrix = report.confusion_from_run(run)\n"
                'figure = plots.confusion_matrix(matrix, CLASS_NAMES, title=f"Test split confusion matrix: {label}")\n'
                'plots.save_figure(figure, f"resnet{depth}_confusion_matrix", figures_dir)\n'
                'predictions = run["predictions"]\n'
                'display(brainlib.metrics.classification_report(predictions["true"], predictions["predicted"], CLASS_NAMES).round(3))'
            ),
            new_markdown_cell("## Summary"),
            new_code_cell(
                'values = run["metrics"]\n'
                'print(f"{label}\\nTest accuracy {values[\'accuracy\']:.3f}, macro F1 {values[\'f1\']:.3f}, "\n'
                '      f"training {values[\'training_time_s\']:.0f} s (first epoch {values[\'first_epoch_s\']:.0f} s, "\n'
                '      f"then {values[\'median_epoch_s\']:.0f} s per epoch, {values[\'train_images_per_s\']:.1f} images/s). Run record: {run_dir}")\n'
                + WALL_TIME
            ),
            new_markdown_cell(
                "About the committed outputs: they were printed by the run named above, with the defaults of the "
                "version that ran it; its settings are in the first lines of the training output and in its run "
                "record. The README's results section says which defaults each committed run used."
            ),
        ]
    )


def comparison():
    return notebook(
        opening(
            "06 · Comparative evaluation",
            "What goes in: the newest complete run record of each depth for this profile, under `results/`. "
            "What comes out: the paper's Table 2 rebuilt from those records beside the paper's values, with "
            "bootstrap confidence intervals; per-class metrics, ROC curves, calibration, exact McNemar tests "
            "between depths, cost against accuracy, and the test images the models got most wrong (figures "
            "`06_*.png`; tables `table2.csv` and `naive_vs_grouped.csv`).",
        )
        + [
            new_code_cell(JPEG_FIGURES),
            parameters(PARAMETERS_COMMON.replace("seed = 42", "seed = 42  # seed of the bootstrap resampling\nresamples = 2000")),
            new_code_cell("settings = get_profile(profile)\nsplit = split or settings.split\nprint(settings)\nfrom brainlib import metrics as study_metrics"),
            new_markdown_cell("## Collect the runs"),
            new_code_cell(
                'display(runs.list_runs(results_dir, profile).drop(columns=["run_dir"]))\n'
                "loaded = report.collect(results_dir, profile, split)\n"
                "if not loaded:\n"
                '    raise SystemExit(f"No complete {profile} runs with the {split} split under {results_dir}: run notebooks 03 to 05 first.")\n'
                "missing = [depth for depth in brainlib.DEPTHS if depth not in loaded]\n"
                "if missing:\n"
                '    print(f"No complete {split}-split run of " + ", ".join(f"ResNet-{d}" for d in missing) + f" yet; the comparison below covers the others. "\n'
                '          f"Train them with the notebooks or: python -m brainlib train --profile {profile} --split {split} --depth " + " ".join(map(str, missing)))\n'
                "summary = report.summary(loaded)\n"
                "display(summary.T)\n"
                'runs.write_csv(os.path.join(figures_dir, "table2.csv"), summary)\n'
                'data_label = ", ".join(sorted(summary["data"].unique()))\n'
                'labels = {depth: f"ResNet-{depth}" for depth in loaded}'
            ),
            new_markdown_cell(
                "## Rebuild Table 2\n\nThe paper reports validation accuracy, precision, sensitivity and F1 without "
                "saying how they were averaged; we report macro averages, so each class counts the same. Our "
                "accuracy is measured on the test split that training never saw."
            ),
            new_code_cell(
                "display(report.table2(loaded).round(3))\n"
                'figure = plots.metric_bars(report.metric_table_long(loaded), title="This study (" + "; ".join(report.run_label(run) for run in loaded.values()) + ") vs the paper")\n'
                'plots.save_figure(figure, "06_metrics_vs_paper", figures_dir);'
            ),
            new_markdown_cell(
                "## How certain are these numbers?\n\nA test split of a few hundred images leaves each accuracy "
                "uncertain by a few points. The percentile bootstrap resamples the test images with replacement "
                "(`resamples` times, seeded) and reports the middle 95% of the recomputed statistic. Repeating "
                "training over several seeds would also capture training noise; the `cpu` profile has no time "
                "for that on a laptop, so these intervals cover test-set sampling only."
            ),
            new_code_cell(
                "intervals = report.confidence_intervals(loaded, resamples=resamples, seed=seed)\n"
                "display(intervals.round(3))"
            ),
            new_markdown_cell(
                "## Measure what leakage does: naive against grouped split\n\nThe same depth, weights, recipe, image size "
                "and epochs, trained once with the paper's image-by-image split and once with the grouped split, which "
                "keeps near copies of test images out of training (notebook 01). The naive split also keeps exact copies, "
                "so its test split is larger. `accuracy inflation` is naive minus grouped accuracy: what the paper's way "
                "of splitting adds to the score. An empty side has no run yet."
            ),
            new_code_cell(
                "leakage = report.split_comparison(results_dir, profile, resamples=resamples, seed=seed)\n"
                'shown = ["depth", "recipe", "image_size", "epochs", "naive accuracy", "grouped accuracy", "accuracy inflation", "naive f1", "grouped f1", "naive test images", "grouped test images"]\n'
                "display(leakage[shown].round(3))\n"
                'runs.write_csv(os.path.join(figures_dir, "naive_vs_grouped.csv"), leakage)\n'
                "figure = plots.split_comparison(leakage, title=f\"Naive against grouped split, {profile} profile, {data_label}\")\n"
                'plots.save_figure(figure, "06_naive_vs_grouped", figures_dir);'
            ),
            new_markdown_cell(
                "## Are the differences between depths significant?\n\nAll depths were tested on the same images, "
                "so the exact McNemar test compares them image by image: it looks only at images that one model "
                "got right and the other wrong, and asks whether that split could be a coin toss."
            ),
            new_code_cell(
                "if len(loaded) < 2:\n"
                '    print("Only one depth has a run with this split: nothing to compare.")\n'
                "for result in report.mcnemar_pairs(loaded):\n"
                '    print(f"{result[\'pair\']}: exact McNemar p = {result[\'p_value\']:.3g} "\n'
                '          f"({result[\'a_only\']} images right only with the first, {result[\'b_only\']} only with the second)")\n'
                '    display(result["table"])'
            ),
            new_markdown_cell(
                "## Look at each class\n\nSensitivity (recall) is the share of a class that the model finds; "
                "specificity is the share of the other classes that it correctly does not call this class."
            ),
            new_code_cell(
                "for depth, run in loaded.items():\n"
                '    print(labels[depth])\n'
                '    display(study_metrics.per_class_metrics(run["predictions"]["true"], run["predictions"]["predicted"], CLASS_NAMES).round(3))'
            ),
            new_markdown_cell("## Draw ROC curves (one class against the rest)"),
            new_code_cell(
                'curves = {labels[d]: study_metrics.roc_curves(run["predictions"]["true"], report.probabilities(run), CLASS_NAMES) for d, run in loaded.items()}\n'
                'figure = plots.roc_curves(curves, title=f"Test split, {profile} profile, {data_label}")\n'
                'plots.save_figure(figure, "06_roc_curves", figures_dir);'
            ),
            new_markdown_cell(
                "## Check calibration\n\nA calibrated model that says 90% is right 90% of the time. The expected "
                "calibration error (ECE) averages the gap between confidence and accuracy over 10 confidence bins, "
                "weighted by how many images fall in each. Label smoothing, used by the `scratch` recipe, pulls "
                "confidences down."
            ),
            new_code_cell(
                'calibrations = {labels[d]: study_metrics.calibration(run["predictions"]["true"], report.probabilities(run)) for d, run in loaded.items()}\n'
                'figure = plots.reliability_diagrams(calibrations, title=f"Reliability on the test split, {profile} profile")\n'
                'plots.save_figure(figure, "06_calibration", figures_dir);'
            ),
            new_markdown_cell("## Compare the confusion matrices"),
            new_code_cell(
                'matrices = {f"ResNet-{depth} ({run[\'weights\']}, {run[\'recipe\'][\'name\']} recipe)": report.confusion_from_run(run) for depth, run in loaded.items()}\n'
                'figure = plots.confusion_matrices(matrices, CLASS_NAMES, title=f"Test split, {profile} profile, {data_label}")\n'
                'plots.save_figure(figure, "06_confusion_matrices", figures_dir)\n'
                "for depth, run in loaded.items():\n"
                '    print(f"{labels[depth]}: most confused pairs")\n'
                '    display(study_metrics.most_confused(run["predictions"]["true"], run["predictions"]["predicted"], CLASS_NAMES, top=3).round(3))'
            ),
            new_markdown_cell("## Compare the validation curves"),
            new_code_cell(
                "figure, axes = plt.subplots(1, 2, figsize=(10, 3.5))\n"
                "for depth, run in loaded.items():\n"
                '    axes[0].plot(run["history"]["epoch"], run["history"]["val_loss"], marker="o", label=labels[depth])\n'
                '    axes[1].plot(run["history"]["epoch"], run["history"]["val_accuracy"], marker="o", label=labels[depth])\n'
                'for ax, name in zip(axes, ["validation loss", "validation accuracy"]):\n'
                '    ax.set_xlabel("epoch")\n'
                '    ax.set_ylabel(name)\n'
                '    ax.legend()\n'
                'figure.suptitle(f"Validation split, {profile} profile, {data_label}")\n'
                'plots.save_figure(figure, "06_validation_curves", figures_dir);'
            ),
            new_markdown_cell(
                "## Weigh cost against accuracy\n\nTraining time is the sum of the epochs on this machine; inference "
                "speed is measured on the test split in one pass (batch as in training)."
            ),
            new_code_cell(
                'figure = plots.cost_accuracy(summary, title=f"Cost and accuracy, {profile} profile, on {summary.iloc[0][\'data\']}")\n'
                'plots.save_figure(figure, "06_cost_vs_accuracy", figures_dir);'
            ),
            new_markdown_cell(
                "## Inspect the worst errors\n\nThe test images with the highest loss: the model gave their true class "
                "the lowest probability. Captions give the true class, the predicted class and its probability."
            ),
            new_code_cell(
                "first_run = next(iter(loaded.values()))\n"
                "gallery = {}\n"
                "for depth, run in loaded.items():\n"
                "    worst = report.highest_loss(run, count=6)\n"
                '    pixels, _, _ = images.load_images(worst, run["image_size"], cache_dir, progress=False)\n'
                '    gallery[labels[depth]] = [(image, f"true {row.true_class}\\npred {row.predicted_class} {row.probability:.2f}") for image, row in zip(pixels, worst.itertuples())]\n'
                'figure = plots.image_gallery(gallery, title=f"Highest-loss test images, {profile} profile, {data_label}")\n'
                'plots.save_figure(figure, "06_highest_loss", figures_dir);'
            ),
            new_markdown_cell(CONCLUSION),
            new_markdown_cell(
                "## What differs from the paper\n\n- **Data**: the paper used the 3,096-image \"Brain Tumors 256x256\" "
                "set (duplicates removed, grayscale); the data of these runs is named in the summary table above. On "
                "its parent set, the Sartaj set, the naive split leaves near copies of test images in training "
                "(notebook 01 measures how many).\n- **Weights**: the paper fine-tuned ImageNet "
                "weights; where they cannot be downloaded, runs start from random weights with the `scratch` "
                "recipe, as each run's title says.\n- **Resolution**: the `cpu` profile trains at 128 px, the "
                "paper at 256 px (the `paper` profile); from scratch it trains 30 epochs at 96 px.\n- **Split**: we keep a validation split apart from the "
                "test split, so the test images are used once, and split `grouped` by default, so that no test image has "
                "a near copy in training; the paper split image by image (`split = \"naive\"`)."
            ),
            new_markdown_cell("## Summary"),
            new_code_cell(
                'ci = intervals.set_index(["depth", "statistic"])\n'
                "for row in summary.itertuples():\n"
                '    accuracy, f1 = ci.loc[(f"ResNet-{row.depth}", "accuracy")], ci.loc[(f"ResNet-{row.depth}", "macro F1")]\n'
                '    print(f"ResNet-{row.depth}: accuracy {row.accuracy:.3f} [{accuracy.low:.3f}, {accuracy.high:.3f}], macro F1 {row.f1:.3f} "\n'
                '          f"[{f1.low:.3f}, {f1.high:.3f}], training {row.training_time_s:.0f} s, {row.train_images_per_s:.1f} training images/s "\n'
                '          f"({row.weights}, {row.recipe} recipe, {row.split} split, {row.image_size} px, {row.epochs} epochs).")\n'
                + WALL_TIME
            ),
        ]
    )


def explainability():
    return notebook(
        opening(
            "07 · Explainability with Grad-CAM",
            "What goes in: the newest complete run of each depth (as in notebook 06). What comes out: Grad-CAM "
            "heatmaps over test slices, per class, for a correctly classified and a misclassified example, "
            "with the depths side by side (figure `07_gradcam.png`).",
        )
        + [
            new_code_cell(JPEG_FIGURES),
            parameters(PARAMETERS_COMMON),
            new_code_cell(
                "settings = get_profile(profile)\nsplit = split or settings.split\nset_seed(seed)\nprint(settings)\n"
                "import keras\nfrom brainlib import explain\nfrom brainlib.models import load_model"
            ),
            new_markdown_cell(
                "## Choose the examples\n\nFor each class, one test image that ResNet-50 (or the shallowest depth "
                "trained) classified correctly and one it got wrong, chosen at random with `seed`."
            ),
            new_code_cell(
                "loaded = report.collect(results_dir, profile, split)\n"
                "if not loaded:\n"
                '    raise SystemExit(f"No complete {profile} runs with the {split} split under {results_dir}: run notebooks 03 to 05 first.")\n'
                "reference = loaded[min(loaded)]\n"
                "examples = report.cam_examples(reference, seed=seed)\n"
                'pixels, kept, skipped = images.load_images(examples, reference["image_size"], cache_dir, progress=False)\n'
                'data_label = "SYNTHETIC stand-in (not MRI data)" if reference["data"]["synthetic"] else reference["data"]["dir"]\n'
                "display(examples)"
            ),
            new_markdown_cell(
                "## Compute Grad-CAM\n\nGrad-CAM weights each feature map of the last convolutional block "
                "(`conv5_block3_out`) by the mean gradient of the predicted class's probability, sums them and keeps "
                "the positive part: bright regions raised the model's belief in the class it predicted."
            ),
            new_code_cell(
                "panels = {}\n"
                "for depth, run in loaded.items():\n"
                '    model = load_model(run["run_dir"] / "model.keras")\n'
                "    probabilities = model.predict(pixels.astype(\"float32\"), verbose=0)\n"
                "    cams = explain.grad_cam(model, pixels)\n"
                '    panels[depth] = [(explain.overlay(image, cam), f"ResNet-{depth}: {CLASS_NAMES[p.argmax()].replace(\'_tumor\', \'\')} {p.max():.2f}") for image, cam, p in zip(pixels, cams, probabilities)]\n'
                "    del model\n"
                "    keras.backend.clear_session()\n"
                "rows = {}\n"
                "for index, example in enumerate(examples.itertuples()):\n"
                '    rows[f"{example._1} ({example.outcome})"] = [(pixels[index], "slice")] + [panels[depth][index] for depth in sorted(panels)]\n'
                'figure = plots.image_gallery(rows, title=f"Grad-CAM of the predicted class, {profile} profile, {data_label}")\n'
                'plots.save_figure(figure, "07_gradcam", figures_dir);'
            ),
            new_markdown_cell(
                "## Limitations\n\n- Grad-CAM at the last block has the resolution of that block (4x4 cells at "
                "128 px), so it shows regions, not edges.\n- A heatmap says where the evidence came from, not "
                "whether it is medically meaningful; bright areas on the skull or the image border point to "
                "shortcuts rather than tumour tissue."
            ),
            new_markdown_cell("## Summary"),
            new_code_cell(
                'print(f"Grad-CAM for {len(examples)} test images and {len(loaded)} depths: " + ", ".join(f"ResNet-{d}" for d in sorted(loaded)) + ".")\n'
                + WALL_TIME
            ),
        ]
    )


def main() -> None:
    books = {
        "01_data_exploration.ipynb": data_exploration(),
        "02_augmentation.ipynb": augmentation(),
        "03_train_resnet50.ipynb": training(50, 3),
        "04_train_resnet101.ipynb": training(101, 4),
        "05_train_resnet152.ipynb": training(152, 5),
        "06_comparative_evaluation.ipynb": comparison(),
        "07_explainability.ipynb": explainability(),
    }
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, book in books.items():
        nbformat.validate(book)
        nbformat.write(book, NOTEBOOKS / name)
        print(f"wrote {NOTEBOOKS / name}")


if __name__ == "__main__":
    main()
