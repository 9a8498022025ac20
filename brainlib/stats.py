"""Uncertainty and significance: bootstrap confidence intervals and exact McNemar tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from sklearn import metrics as skm

# Statistics that the bootstrap can resample, each from (y_true, y_pred).
STATISTICS = {
    "accuracy": skm.accuracy_score,
    "macro F1": lambda y_true, y_pred: skm.f1_score(y_true, y_pred, average="macro", zero_division=0),
}


def bootstrap_ci(y_true, y_pred, statistic: str = "accuracy", resamples: int = 2000, seed: int = 0, level: float = 0.95) -> dict:
    """Percentile bootstrap confidence interval of a statistic over the test images.

    Returns:
        `estimate` (on all images), `low`, `high`, `resamples`, `level`.
    """
    function = STATISTICS[statistic]
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(y_true), size=(resamples, len(y_true)))
    values = np.array([function(y_true[draw], y_pred[draw]) for draw in draws])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return {"estimate": float(function(y_true, y_pred)), "low": float(low), "high": float(high), "resamples": resamples, "level": level}


def mcnemar_exact(correct_a, correct_b) -> dict:
    """Exact (binomial) two-sided McNemar test of two classifiers scored on the same images.

    Args:
        correct_a, correct_b: booleans, one per image, in the same image order.

    Returns:
        `table` (2x2 counts: rows model A right/wrong, columns model B right/wrong),
        `a_only` and `b_only` (the discordant counts) and `p_value`.
    """
    correct_a, correct_b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if correct_a.shape != correct_b.shape:
        raise ValueError("McNemar needs both models scored on the same images, in the same order.")
    both = int(np.sum(correct_a & correct_b))
    a_only = int(np.sum(correct_a & ~correct_b))
    b_only = int(np.sum(~correct_a & correct_b))
    neither = int(np.sum(~correct_a & ~correct_b))
    discordant = a_only + b_only
    p_value = 1.0 if discordant == 0 else float(scipy_stats.binomtest(min(a_only, b_only), discordant, 0.5).pvalue)
    table = pd.DataFrame([[both, a_only], [b_only, neither]], index=["A right", "A wrong"], columns=["B right", "B wrong"])
    return {"table": table, "a_only": a_only, "b_only": b_only, "p_value": p_value}
