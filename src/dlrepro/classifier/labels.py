"""Few-label subsets: a class-balanced draw of the images whose labels a run may use (the
semi-supervised and pretraining studies)."""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError


def balanced_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """`per_class` distinct indices of every class, drawn without replacement, sorted."""
    picked = []
    for k in np.unique(labels):
        where = np.flatnonzero(labels == k)
        if len(where) < per_class:
            raise DlreproError(f"class {k} has {len(where)} images, {per_class} asked")
        picked.append(rng.choice(where, size=per_class, replace=False))
    return np.sort(np.concatenate(picked))
