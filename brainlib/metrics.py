"""Numbers from predictions: the columns of the paper's Table 2, confusion matrices, reports.

"The paper" is "Evaluating ResNet architectures for brain tumor classification based on MRI images",
whose Table 2 this study rebuilds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm

# Table 2 of "Evaluating ResNet architectures for brain tumor classification based on MRI images":
# ImageNet-pretrained Keras ResNets, 3,096 images at 256x256, 80/20 split, 10 epochs.
# The paper does not state how precision, sensitivity and F1 were averaged over classes.
PAPER_TABLE2 = pd.DataFrame(
    {
        50: [0.95, 0.95, 0.95, 0.95, 0.09, 0.29, 316.7],
        101: [0.95, 0.95, 0.95, 0.95, 0.09, 0.30, 496.6],
        152: [0.93, 0.93, 0.93, 0.93, 0.09, 0.42, 872.7],
    },
    index=[
        "accuracy",
        "precision",
        "sensitivity",
        "f1",
        "mean_train_loss",
        "mean_validation_loss",
        "training_time_s",
    ],
)

# Shown in tables: how each metric was computed, in the paper's words where it has them.
METRIC_LABELS = {
    "accuracy": "Accuracy on the test split (paper: validation accuracy)",
    "precision": "Precision (macro average)",
    "sensitivity": "Sensitivity (recall, macro average)",
    "f1": "F1 (macro average)",
    "mean_train_loss": "Training loss, mean over epochs",
    "mean_validation_loss": "Validation loss, mean over epochs",
    "training_time_s": "Training time [s]",
}


def classification_metrics(y_true, y_pred) -> dict:
    """Compute accuracy and macro-averaged precision, sensitivity (recall) and F1.

    Macro averages run over the classes present in `y_true` or `y_pred`, so a class that a
    tiny test set lacks does not count as a zero.
    """
    precision, recall, f1, _ = skm.precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(precision),
        "sensitivity": float(recall),
        "f1": float(f1),
    }


def table2_metrics(y_true, y_pred, history: pd.DataFrame, training_time_s: float) -> dict:
    """Compute every column of the paper's Table 2 for one run.

    Args:
        y_true, y_pred: class indices of the test images.
        history: per-epoch table with `loss` and `val_loss` columns.
        training_time_s: seconds spent in training epochs.
    """
    values = classification_metrics(y_true, y_pred)
    values["mean_train_loss"] = float(history["loss"].mean())
    values["mean_validation_loss"] = float(history["val_loss"].mean()) if "val_loss" in history else float("nan")
    values["training_time_s"] = float(training_time_s)
    return values


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Return the confusion matrix with true classes as rows and predicted classes as columns."""
    return skm.confusion_matrix(y_true, y_pred, labels=list(range(num_classes)))


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Divide each row by its sum, so each row gives the share of a true class; empty rows stay 0."""
    matrix = np.asarray(matrix, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def classification_report(y_true, y_pred, class_names) -> pd.DataFrame:
    """Return scikit-learn's per-class report as a data frame, one row per class and average."""
    report = skm.classification_report(
        y_true,
        y_pred,
        labels=list(range(len(class_names))),
        target_names=list(class_names),
        output_dict=True,
        zero_division=0,
    )
    frame = pd.DataFrame(report).T
    frame.index.name = "class"
    return frame.rename(columns={"recall": "sensitivity (recall)"})


def compare_with_paper(metrics_by_depth: dict[int, dict]) -> pd.DataFrame:
    """Place our Table 2 values next to the paper's, one row per metric, two columns per depth."""
    columns = {}
    for depth in sorted(metrics_by_depth):
        ours = metrics_by_depth[depth]
        columns[(f"ResNet-{depth}", "this study")] = [ours.get(name, np.nan) for name in PAPER_TABLE2.index]
        columns[(f"ResNet-{depth}", "paper")] = PAPER_TABLE2[depth].tolist()
    table = pd.DataFrame(columns, index=[METRIC_LABELS[name] for name in PAPER_TABLE2.index])
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    return table


def per_class_metrics(y_true, y_pred, class_names) -> pd.DataFrame:
    """Sensitivity (recall), specificity, precision and F1 per class, then macro and weighted averages.

    Each class is scored one-vs-rest from the confusion matrix; a ratio with a zero denominator is 0.
    The macro average runs over all classes given, so on a test set that lacks a class it can be
    lower than `classification_metrics`, which averages over the classes present.
    """
    matrix = confusion_matrix(y_true, y_pred, len(class_names)).astype(float)
    true_positive = np.diag(matrix)
    false_negative = matrix.sum(axis=1) - true_positive
    false_positive = matrix.sum(axis=0) - true_positive
    true_negative = matrix.sum() - true_positive - false_negative - false_positive

    def ratio(numerator, denominator):
        return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)

    sensitivity = ratio(true_positive, true_positive + false_negative)
    precision = ratio(true_positive, true_positive + false_positive)
    frame = pd.DataFrame(
        {
            "sensitivity (recall)": sensitivity,
            "specificity": ratio(true_negative, true_negative + false_positive),
            "precision": precision,
            "f1": ratio(2 * precision * sensitivity, precision + sensitivity),
            "support": matrix.sum(axis=1).astype(int),
        },
        index=list(class_names),
    )
    scores = frame.drop(columns="support")
    frame.loc["macro average"] = [*scores.mean(), frame["support"].sum()]
    weights = frame.loc[list(class_names), "support"] / frame.loc[list(class_names), "support"].sum()
    frame.loc["weighted average"] = [*(scores.loc[list(class_names)].mul(weights, axis=0).sum()), frame.loc["macro average", "support"]]
    frame["support"] = frame["support"].astype(int)
    frame.index.name = "class"
    return frame


def roc_curves(y_true, probabilities: np.ndarray, class_names) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """One-vs-rest ROC curve and AUC per class, plus the macro-average AUC under key `macro`."""
    y_true = np.asarray(y_true)
    curves, areas = {}, {}
    for index, name in enumerate(class_names):
        positive = (y_true == index).astype(int)
        if positive.min() == positive.max():
            continue  # AUC is undefined for a class absent from, or alone in, the test set.
        false_positive_rate, true_positive_rate, _ = skm.roc_curve(positive, probabilities[:, index])
        curves[name] = pd.DataFrame({"false_positive_rate": false_positive_rate, "true_positive_rate": true_positive_rate})
        areas[name] = float(skm.roc_auc_score(positive, probabilities[:, index]))
    areas["macro"] = float(np.mean(list(areas.values()))) if areas else float("nan")
    return curves, areas


def calibration(y_true, probabilities: np.ndarray, bins: int = 10) -> tuple[float, pd.DataFrame]:
    """Expected calibration error of the top-class confidence over equal-width bins, and the bins.

    Returns:
        (ECE, table with one row per non-empty bin: `confidence` (mean), `accuracy`, `count`).
    """
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(y_true)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for index in range(bins):
        members = which == index
        if members.any():
            rows.append({"bin": index, "confidence": confidence[members].mean(), "accuracy": correct[members].mean(), "count": int(members.sum())})
    table = pd.DataFrame(rows, columns=["bin", "confidence", "accuracy", "count"])
    error = float((np.abs(table["accuracy"] - table["confidence"]) * table["count"]).sum() / len(confidence))
    return error, table


def most_confused(y_true, y_pred, class_names, top: int = 5) -> pd.DataFrame:
    """Return the most frequent (true, predicted) pairs among the errors, with their share of the true class."""
    matrix = confusion_matrix(y_true, y_pred, len(class_names))
    rows = [
        {"true": class_names[i], "predicted": class_names[j], "count": int(matrix[i, j]), "share of true class": matrix[i, j] / matrix[i].sum()}
        for i in range(len(class_names))
        for j in range(len(class_names))
        if i != j and matrix[i, j] > 0
    ]
    frame = pd.DataFrame(rows, columns=["true", "predicted", "count", "share of true class"])
    return frame.sort_values("count", ascending=False, kind="stable").head(top).reset_index(drop=True)


def per_image_loss(y_true, probabilities: np.ndarray) -> np.ndarray:
    """Cross-entropy of each image: minus the log of the probability given to its true class."""
    chosen = probabilities[np.arange(len(probabilities)), np.asarray(y_true)]
    return -np.log(np.clip(chosen, 1e-12, 1.0))
