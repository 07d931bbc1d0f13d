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
