"""Combining ensemble members' class probabilities: mean, or the most confident member."""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError

HOWS = ("mean", "max")


def combine(probs: np.ndarray, how: str) -> np.ndarray:
    """Predicted classes int64 [N] from probabilities [M members, N instances, C classes].

    mean: argmax of the members' mean probabilities.
    max:  per instance, the argmax class of the member whose top probability is highest
          (the post: "only count on the most confident model for each instance").
    Ties go to the lowest index (member for max, class for both), as np.argmax does."""
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[0] == 0 or probs.shape[2] == 0:
        raise DlreproError(
            f"combine: expected probabilities [members, instances, classes] with at "
            f"least one member and class, got shape {probs.shape}"
        )
    if how == "mean":
        return probs.mean(axis=0).argmax(axis=1).astype(np.int64)
    if how == "max":
        best = probs.max(axis=2).argmax(axis=0)  # [N]: most confident member per instance
        return probs[best, np.arange(probs.shape[1])].argmax(axis=1).astype(np.int64)
    raise DlreproError(f"combine: unknown combination {how!r}; known: {', '.join(HOWS)}")


def any_correct(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """bool [N]: at least one member's argmax is the true class. Its mean is the ceiling of any
    rule that answers each instance with one member's prediction (max included)."""
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[0] == 0 or probs.shape[1] != len(y):
        raise DlreproError(
            f"any_correct: expected probabilities [members, {len(y)} instances, classes], "
            f"got shape {probs.shape}"
        )
    return (probs.argmax(axis=2) == np.asarray(y)[None]).any(axis=0)
