"""Structure of the notebooks; nbval executes them separately."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TRAINING = {"03_train_resnet50.ipynb": 50, "04_train_resnet101.ipynb": 101, "05_train_resnet152.ipynb": 152}


def code_sources(name):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    return [cell.source for cell in book.cells if cell.cell_type == "code"], book


@pytest.mark.parametrize("name", sorted(path.name for path in NOTEBOOKS.glob("0*.ipynb")))
def test_notebook_has_one_parameters_cell(name):
    _, book = code_sources(name)
    tagged = [cell for cell in book.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1


def test_training_notebooks_differ_only_in_depth():
    sources = {}
    for name, depth in TRAINING.items():
        cells, _ = code_sources(name)
        sources[name] = [cell.replace(str(depth), "DEPTH") for cell in cells]
    first, *others = sources.values()
    for other in others:
        assert other == first


def test_notebooks_stay_small():
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert path.stat().st_size < 2_000_000, path.name
