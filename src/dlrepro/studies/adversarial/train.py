"""Bootstrap samples for the adversarial study's resampled ensemble members."""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError


def bootstrap_indices(n: int, seed: int) -> np.ndarray:
    """n indices in 0..n-1 drawn with replacement (int64), a pure function of (n, seed)."""
    if n < 1:
        raise DlreproError(f"bootstrap_indices: n must be >= 1, got {n}")
    return np.random.default_rng(seed).integers(0, n, size=n, dtype=np.int64)
