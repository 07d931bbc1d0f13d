"""Do adversarials recede from the clean data in the model's hidden space? The post reads it
off a t-SNE picture; here it is a number: nearest-neighbour distances, in the hidden layer t-SNE
was given, from each adversarial to the clean images and from each clean image to the others."""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError


def nearest_other_distance(queries: np.ndarray, reference: np.ndarray, chunk: int = 1024):
    """float64 [n]: the Euclidean distance from queries[i] to its nearest reference row other
    than reference[i] (row i is the query's own source, or the query itself).

    Leaving row i out gives clean and adversarial queries the same n - 1 reference images, so
    adversarials that equal their sources get exactly the clean images' distances."""
    q = np.asarray(queries, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if q.ndim != 2 or q.shape != r.shape or len(q) < 2:
        raise DlreproError(
            f"nearest_other_distance: queries {q.shape} and reference {r.shape} must be the "
            "same [n >= 2, features] shape (row i of both is one image)"
        )
    r_sq = (r * r).sum(1)
    out = np.empty(len(q))
    for start in range(0, len(q), chunk):
        block = q[start : start + chunk]
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b; clipped at 0 against rounding
        sq = (block * block).sum(1)[:, None] + r_sq[None, :] - 2.0 * block @ r.T
        rows = np.arange(len(block))
        sq[rows, start + rows] = np.inf  # leave out each query's own row
        out[start : start + len(block)] = np.sqrt(np.maximum(sq.min(1), 0.0))
    return out


def receding(clean: np.ndarray, adversarial: np.ndarray) -> dict:
    """clean, adversarial: hidden features [n, h], row i of `adversarial` made from row i of
    `clean`. -> the medians of both nearest-clean distances, their ratio (adversarial over
    clean: 1 = no farther than clean images are from each other), the share of adversarials
    farther from the clean images than 95% of clean images are, and the median distance from
    an adversarial to its own source."""
    clean = np.asarray(clean, dtype=np.float64)
    adversarial = np.asarray(adversarial, dtype=np.float64)
    d_clean = nearest_other_distance(clean, clean)
    d_adv = nearest_other_distance(adversarial, clean)
    median_clean = float(np.median(d_clean))
    if median_clean <= 0:
        raise DlreproError(
            "receding: the median clean nearest-neighbour distance is 0 (most hidden vectors "
            "coincide, e.g. a dead layer); a ratio to it means nothing"
        )
    return {
        "clean_nn_median": median_clean,
        "adversarial_nn_median": float(np.median(d_adv)),
        "nn_ratio": float(np.median(d_adv)) / median_clean,
        "beyond_clean_p95": float(np.mean(d_adv > np.quantile(d_clean, 0.95))),
        "shift_median": float(np.median(np.linalg.norm(adversarial - clean, axis=1))),
        "n": len(clean),
    }
