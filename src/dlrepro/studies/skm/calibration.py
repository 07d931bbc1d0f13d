"""Calibration of a classifier's confidence: expected calibration error and reliability curve."""

from __future__ import annotations

import numpy as np
from sklearn.calibration import calibration_curve

from dlrepro.errors import DlreproError


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int) -> float:
    """sum_b (n_b / n) |accuracy_b - mean confidence_b| over equal-width confidence bins."""
    confidence, correct = np.asarray(confidence, np.float64), np.asarray(correct, np.float64)
    if confidence.shape != correct.shape or len(confidence) == 0:
        raise DlreproError("expected_calibration_error: need matching, non-empty arrays")
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in np.unique(which):
        sel = which == b
        total += sel.sum() * abs(correct[sel].mean() - confidence[sel].mean())
    return float(total / len(confidence))


def reliability(
    confidence: np.ndarray, correct: np.ndarray, bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """(mean confidence, accuracy) per non-empty bin: the reliability diagram's points."""
    accuracy, mean_confidence = calibration_curve(
        np.asarray(correct, int), confidence, n_bins=bins, strategy="uniform"
    )
    return mean_confidence, accuracy


def reliability_per_bin(
    confidence: np.ndarray, correct: np.ndarray, bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """(mean confidence, accuracy) of every equal-width bin, NaN where a bin is empty: the same
    bins in every run, so that runs can be averaged bin by bin."""
    confidence, correct = np.asarray(confidence, np.float64), np.asarray(correct, np.float64)
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    mean_conf, acc = np.full(bins, np.nan), np.full(bins, np.nan)
    for b in np.unique(which):
        sel = which == b
        mean_conf[b], acc[b] = confidence[sel].mean(), correct[sel].mean()
    return mean_conf, acc
