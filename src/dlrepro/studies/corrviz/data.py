"""The example data set: a real one shipped with scikit-learn (no download)."""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError

DATASETS = ("breast_cancer", "wine", "diabetes")


def load(name: str) -> tuple[np.ndarray, list[str]]:
    """Feature matrix and feature names of a scikit-learn toy data set."""
    from sklearn import datasets

    if name not in DATASETS:
        raise DlreproError(f"corrviz: unknown data set {name!r} (one of {', '.join(DATASETS)})")
    d = getattr(datasets, f"load_{name}")()
    return np.asarray(d.data, dtype=np.float64), [str(f) for f in d.feature_names]


def correlation(x: np.ndarray) -> np.ndarray:
    return np.corrcoef(x, rowvar=False)
