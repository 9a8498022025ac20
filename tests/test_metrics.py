import numpy as np
import pandas as pd
import pytest

from brainlib import metrics


def test_macro_metrics_hand_computed():
    values = metrics.classification_metrics([0, 0, 1, 2], [0, 1, 1, 1])
    assert values["accuracy"] == pytest.approx(0.5)
    assert values["precision"] == pytest.approx((1 + 1 / 3 + 0) / 3)  # 0.444
    assert values["sensitivity"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert values["f1"] == pytest.approx((2 / 3 + 0.5 + 0) / 3)


def test_table2_adds_losses_and_time():
    history = pd.DataFrame({"loss": [1.0, 0.5], "val_loss": [1.2, 0.8]})
    values = metrics.table2_metrics([0, 1], [0, 1], history, training_time_s=12.5)
    assert values["mean_train_loss"] == pytest.approx(0.75)
    assert values["mean_validation_loss"] == pytest.approx(1.0)
    assert values["training_time_s"] == 12.5
    assert values["accuracy"] == 1.0


def test_confusion_matrix_rows_are_true_classes():
    matrix = metrics.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 1], num_classes=4)
    assert matrix.tolist() == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]


def test_normalise_rows_leaves_empty_rows_zero():
    shares = metrics.normalise_rows(np.array([[1, 3], [0, 0]]))
    assert shares.tolist() == [[0.25, 0.75], [0.0, 0.0]]


def test_classification_report_weighted_precision():
    report = metrics.classification_report([0, 0, 1, 2], [0, 1, 1, 1], ["a", "b", "c"])
    assert report.loc["weighted avg", "precision"] == pytest.approx(0.583, abs=1e-3)
    assert report.loc["a", "sensitivity (recall)"] == pytest.approx(0.5)


def test_compare_with_paper_places_values_side_by_side():
    ours = {50: {name: 0.5 for name in metrics.PAPER_TABLE2.index}}
    table = metrics.compare_with_paper(ours)
    assert list(table.columns) == [("ResNet-50", "this study"), ("ResNet-50", "paper")]
    assert table[("ResNet-50", "paper")].iloc[0] == 0.95
    assert table[("ResNet-50", "this study")].iloc[0] == 0.5
