"""Figures drawn from what data, metrics and run records computed; each function returns its Figure.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from brainlib.metrics import normalise_rows

FIGURES_ENV = "BRAINLIB_FIGURES"
DPI = 100


def default_figures_dir() -> Path:
    """Return BRAINLIB_FIGURES if set, else `figures` under the working directory."""
    return Path(os.environ.get(FIGURES_ENV, "figures"))


def save_figure(figure: plt.Figure, name: str, figures_dir: str | Path | None = None) -> Path:
    """Save `figure` as `<figures_dir>/<name>.png` at the project's one resolution and return the path."""
    folder = Path(figures_dir) if figures_dir is not None else default_figures_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    figure.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def sample_grid(images: np.ndarray, labels: np.ndarray, class_names, per_class: int = 4, seed: int = 0, title: str = "") -> plt.Figure:
    """Show `per_class` randomly chosen images of each class, one row per class."""
    rng = np.random.default_rng(seed)
    figure, axes = plt.subplots(len(class_names), per_class, figsize=(1.8 * per_class, 1.9 * len(class_names)), squeeze=False)
    for row, name in enumerate(class_names):
        members = np.flatnonzero(labels == row)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False) if len(members) else []
        for column, ax in enumerate(axes[row]):
            ax.axis("off")
            if column < len(chosen):
                ax.imshow(images[chosen[column]])
        axes[row, 0].set_title(name, loc="left", fontsize=9)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def class_counts(split: pd.DataFrame, title: str = "", ax=None) -> plt.Figure:
    """Draw images per class, one bar per split (`split` column) or per source folder."""
    column = "split" if "split" in split else "source_split"
    counts = pd.crosstab(split["class"], split[column])
    if ax is None:
        figure, ax = plt.subplots(figsize=(7, 3.5))
    counts.plot.bar(ax=ax, rot=0)
    ax.set_xlabel("")
    ax.set_ylabel("images")
    ax.set_title(title)
    ax.legend(title=column)
    return ax.figure


def augmentation_preview(images: np.ndarray, augmenter, views: int = 6, row_titles=None, title: str = "") -> plt.Figure:
    """Show each image of `images` followed by `views` augmented versions of it, one row per image."""
    figure, axes = plt.subplots(len(images), views + 1, figsize=(1.7 * (views + 1), 1.8 * len(images)), squeeze=False)
    for row, image in enumerate(images):
        batch = np.repeat(image[None].astype("float32"), views, axis=0)
        augmented = np.asarray(augmenter(batch, training=True))
        axes[row, 0].imshow(image)
        axes[row, 0].set_title(row_titles[row] if row_titles is not None else "original", loc="left", fontsize=9)
        for ax, view in zip(axes[row, 1:], augmented):
            ax.imshow(np.clip(view, 0, 255).astype("uint8"))
    for ax in axes.flat:
        ax.axis("off")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def training_curves(history: pd.DataFrame, title: str = "") -> plt.Figure:
    """Plot training and validation loss and accuracy per epoch."""
    figure, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(10, 3.5))
    for ax, metric in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        ax.plot(history["epoch"], history[metric], marker="o", label="training")
        if f"val_{metric}" in history:
            ax.plot(history["epoch"], history[f"val_{metric}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def confusion_matrix(matrix: np.ndarray, class_names, title: str = "") -> plt.Figure:
    """Draw a confusion matrix twice: counts, and rows normalised to the share of each true class."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    short = [name.replace("_tumor", "") for name in class_names]
    panels = ((np.asarray(matrix), "d", "counts"), (normalise_rows(matrix), ".2f", "share of true class"))
    for ax, (values, fmt, label) in zip(axes, panels):
        sns.heatmap(values, annot=True, fmt=fmt, cmap="Blues", cbar=False, ax=ax, xticklabels=short, yticklabels=short)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(label)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def confusion_matrices(matrices: dict[str, np.ndarray], class_names, title: str = "") -> plt.Figure:
    """Draw several confusion matrices side by side, each cell as count and share of its true class."""
    figure, axes = plt.subplots(1, len(matrices), figsize=(4.6 * len(matrices), 4.2), squeeze=False)
    short = [name.replace("_tumor", "") for name in class_names]
    for ax, (label, matrix) in zip(axes[0], matrices.items()):
        shares = normalise_rows(matrix)
        annotations = np.array([[f"{count}\n{share:.0%}" for count, share in zip(*row)] for row in zip(matrix, shares)])
        sns.heatmap(shares, annot=annotations, fmt="", vmin=0, vmax=1, cmap="Blues", cbar=False, ax=ax, xticklabels=short, yticklabels=short)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(label, fontsize=10)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def metric_bars(table: pd.DataFrame, title: str = "") -> plt.Figure:
    """Draw accuracy, precision, sensitivity and F1 per depth, ours beside the paper's.

    Args:
        table: rows `depth`, `source` (`this study` or `paper`) and one column per metric.
    """
    long = table.melt(id_vars=["depth", "source"], var_name="metric", value_name="value")
    grid = sns.catplot(data=long, x="metric", y="value", hue="source", col="depth", kind="bar", height=3.2, aspect=1.1)
    grid.set(ylim=(0, 1), xlabel="")
    grid.figure.suptitle(title, y=1.04)
    return grid.figure


def roc_curves(curves_by_model: dict[str, tuple[dict, dict]], title: str = "") -> plt.Figure:
    """Draw one-vs-rest ROC curves, one panel per model, AUC per class in the legend.

    Args:
        curves_by_model: model label -> (curves, areas) as returned by `metrics.roc_curves`.
    """
    figure, axes = plt.subplots(1, len(curves_by_model), figsize=(4.4 * len(curves_by_model), 4), squeeze=False)
    for ax, (label, (curves, areas)) in zip(axes[0], curves_by_model.items()):
        for name, curve in curves.items():
            ax.plot(curve["false_positive_rate"], curve["true_positive_rate"], label=f"{name.replace('_tumor', '')} (AUC {areas[name]:.3f})")
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
        ax.set_xlabel("false positive rate (1 - specificity)")
        ax.set_ylabel("sensitivity (recall)")
        ax.set_title(f"{label}, macro AUC {areas['macro']:.3f}", fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def reliability_diagrams(bins_by_model: dict[str, tuple[float, pd.DataFrame]], title: str = "") -> plt.Figure:
    """Draw accuracy against confidence per confidence bin, one panel per model, ECE in the title.

    Args:
        bins_by_model: model label -> (ECE, bins) as returned by `metrics.calibration`.
    """
    figure, axes = plt.subplots(1, len(bins_by_model), figsize=(4 * len(bins_by_model), 3.8), squeeze=False)
    for ax, (label, (error, bins)) in zip(axes[0], bins_by_model.items()):
        ax.bar(bins["confidence"], bins["accuracy"], width=0.08, alpha=0.7, label="accuracy in bin")
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence (top-class probability)")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{label}, ECE {error:.3f}", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def cost_accuracy(summary: pd.DataFrame, title: str = "") -> plt.Figure:
    """Plot accuracy against training time, parameters and inference speed, one point per depth."""
    panels = [
        ("training_time_s", "training time [s]"),
        ("parameters", "parameters [millions]"),
        ("test_images_per_s", "inference [images/s]"),
    ]
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, (column, label) in zip(axes, panels):
        values = summary[column] / (1e6 if column == "parameters" else 1)
        ax.scatter(values, summary["accuracy"], s=60)
        for x, y, depth in zip(values, summary["accuracy"], summary["depth"]):
            ax.annotate(f"ResNet-{depth}", (x, y), textcoords="offset points", xytext=(5, 5), fontsize=9)
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def image_gallery(images_by_row: dict[str, list[tuple[np.ndarray, str]]], title: str = "") -> plt.Figure:
    """Show rows of captioned images, for example the highest-loss test images of each model."""
    columns = max(len(items) for items in images_by_row.values())
    figure, axes = plt.subplots(len(images_by_row), columns, figsize=(2.2 * columns, 2.6 * len(images_by_row)), squeeze=False)
    for row, (label, items) in enumerate(images_by_row.items()):
        for column in range(columns):
            ax = axes[row, column]
            ax.axis("off")
            if column < len(items):
                image, caption = items[column]
                ax.imshow(image)
                ax.set_title(caption, fontsize=7)
        axes[row, 0].text(-0.1, 0.5, label, transform=axes[row, 0].transAxes, rotation=90, va="center", ha="right", fontsize=9)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def split_comparison(table: pd.DataFrame, title: str = "") -> plt.Figure:
    """Draw test accuracy with its 95% interval for the naive and grouped split, one group of bars per setting.

    Args:
        table: `report.split_comparison`'s table; a setting without a run of one split mode has no bar for it.
    """
    labels = [f"ResNet-{row.depth}\n{row.recipe}, {row.image_size} px, {row.epochs} ep." for row in table.itertuples()]
    positions = np.arange(len(table))
    figure, ax = plt.subplots(figsize=(max(4.5, 2.2 * len(table)), 3.6))
    for offset, mode in ((-0.2, "naive"), (0.2, "grouped")):
        values = table[f"{mode} accuracy"].to_numpy(dtype=float)
        errors = np.vstack([values - table[f"{mode} accuracy low"].to_numpy(dtype=float), table[f"{mode} accuracy high"].to_numpy(dtype=float) - values])
        ax.bar(positions + offset, values, width=0.4, yerr=errors, capsize=4, label=f"{mode} split")
    ax.set_xticks(positions, labels)
    ax.set_ylim(0, 1)
    ax.set_ylabel("test accuracy (95% interval)")
    ax.legend(loc="lower right")
    ax.set_title(title)
    figure.tight_layout()
    return figure
