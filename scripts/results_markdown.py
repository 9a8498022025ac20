"""Print the README's results tables from figures/table2.csv and figures/naive_vs_grouped.csv (notebook 06).

Usage: python scripts/results_markdown.py [figures/table2.csv [figures/naive_vs_grouped.csv]]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from brainlib.metrics import PAPER_TABLE2

ROWS = [
    ("accuracy", "Test accuracy (paper: validation accuracy)", "{:.3f}"),
    ("precision", "Precision (macro)", "{:.3f}"),
    ("sensitivity", "Sensitivity (recall, macro)", "{:.3f}"),
    ("f1", "F1 (macro)", "{:.3f}"),
    ("mean_train_loss", "Training loss, mean over epochs", "{:.2f}"),
    ("mean_validation_loss", "Validation loss, mean over epochs", "{:.2f}"),
    ("training_time_s", "Training time [s]", "{:.0f}"),
]


def split_table(path: str) -> None:
    """Print naive against grouped test accuracy per setting, with 95% intervals."""
    table = pd.read_csv(path)
    print("| run | naive split: accuracy [95% interval] | grouped split: accuracy [95% interval] | naive minus grouped | test images (naive / grouped) |")
    print("|---|---|---|---|---|")
    for _, row in table.iterrows():
        cells = []
        for mode in ("naive", "grouped"):
            value = row.get(f"{mode} accuracy")
            cells.append("not run" if pd.isna(value) else f"{value:.3f} [{row[f'{mode} accuracy low']:.3f}, {row[f'{mode} accuracy high']:.3f}]")
        inflation = row.get("accuracy inflation")
        counts = " / ".join("-" if pd.isna(row.get(f"{mode} test images")) else f"{row[f'{mode} test images']:.0f}" for mode in ("naive", "grouped"))
        print(
            f"| ResNet-{row['depth']}, {row['recipe']}, {row['image_size']} px, {row['epochs']} epochs | {cells[0]} | {cells[1]} "
            f"| {'-' if pd.isna(inflation) else f'{inflation:+.3f}'} | {counts} |"
        )


def main(path: str = "figures/table2.csv", split_path: str = "figures/naive_vs_grouped.csv") -> None:
    summary = pd.read_csv(path).set_index("depth")
    depths = list(summary.index)
    header = "| metric | " + " | ".join(f"ResNet-{d} (here) | ResNet-{d} (paper)" for d in depths) + " |"
    print(header)
    print("|---" * (1 + 2 * len(depths)) + "|")
    for key, label, fmt in ROWS:
        cells = []
        for depth in depths:
            cells.append(fmt.format(summary.loc[depth, key]))
            cells.append(fmt.format(PAPER_TABLE2.loc[key, depth]))
        print(f"| {label} | " + " | ".join(cells) + " |")
    settings = ["split", "epochs", "image_size", "weights", "recipe", "mixed_precision", "data", "test_images", "train_images_per_s"]
    print()
    print("| run | " + " | ".join(settings) + " |")
    print("|---" * (1 + len(settings)) + "|")
    for depth in depths:
        row = summary.loc[depth]
        values = [f"{row[s]:.1f}" if s == "train_images_per_s" else str(row[s]) for s in settings]
        print(f"| ResNet-{depth} | " + " | ".join(values) + " |")
    if Path(split_path).is_file():
        print()
        split_table(split_path)


if __name__ == "__main__":
    main(*sys.argv[1:])
