"""Checks on the real data set named by BRAINLIB_DATA; skipped when it is unset."""

import os
from collections import Counter
from pathlib import Path

import pytest

from brainlib import data

DATA = os.environ.get(data.DATA_ENV)
pytestmark = pytest.mark.skipif(not DATA, reason=f"{data.DATA_ENV} is not set; real-data tests need a local data set")


def independent_counts(root: Path) -> Counter:
    """Count image files per canonical class by walking the tree, without brainlib's finder."""
    counts = Counter()
    for folder, _, files in os.walk(root):
        name = Path(folder).name.lower()
        if name in data.CLASS_ALIASES:
            counts[data.CLASS_ALIASES[name]] += sum(Path(file).suffix.lower() in data.IMAGE_SUFFIXES for file in files)
    return counts


def test_real_data_counts_match_a_walk():
    table = data.find_images(DATA)
    assert Counter(table["class"]) == independent_counts(Path(DATA))
    assert table["file"].is_unique


def test_real_data_split_sizes():
    table = data.find_images(DATA)
    split = data.split_table(table, seed=42)
    counts = split["split"].value_counts()
    assert counts["test"] == round(0.2 * len(table))
    assert counts["validation"] == round(0.1 * len(table))
    shares = split[split["split"] == "test"]["class"].value_counts() / table["class"].value_counts()
    assert shares.between(0.18, 0.22).all()
