"""Print the README's results table from figures/table2.csv (written by notebook 06).

Usage: python scripts/results_markdown.py [figures/table2.csv]
"""

from __future__ import annotations

import sys

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


def main(path: str = "figures/table2.csv") -> None:
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
    settings = ["epochs", "image_size", "weights", "recipe", "mixed_precision", "data", "test_images", "train_images_per_s"]
    print()
    print("| run | " + " | ".join(settings) + " |")
    print("|---" * (1 + len(settings)) + "|")
    for depth in depths:
        row = summary.loc[depth]
        values = [f"{row[s]:.1f}" if s == "train_images_per_s" else str(row[s]) for s in settings]
        print(f"| ResNet-{depth} | " + " | ".join(values) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:])
