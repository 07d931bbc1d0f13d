"""Generate the Slash dataset and its stratified train/test split.

Spec (STUDIES.md): 30x30 images, white background (1.0), a dark diagonal of `length` pixels
(backslash = class 0, forward slash = class 1) whose top-left corner is uniform over every
position where it fits, uniform pixel noise in [-noise, noise], clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError


def make_slash(
    n_per_class: int, size: int, length: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return x (n, size, size) float32 in [0, 1] and y (n,) int64 with exactly n_per_class each."""
    if length > size:
        raise DlreproError(f"slash.data: length {length} does not fit in size {size}")
    n = 2 * n_per_class
    y = rng.permutation(np.repeat(np.arange(2, dtype=np.int64), n_per_class))
    top = rng.integers(0, size - length + 1, n)  # corner in 0..size-length, both axes
    left = rng.integers(0, size - length + 1, n)
    step = np.arange(length)
    rows = top[:, None] + step
    # backslash runs down-right from the corner; forward slash runs down-left from the right end
    cols = np.where(y[:, None] == 0, left[:, None] + step, left[:, None] + length - 1 - step)
    x = np.ones((n, size, size))
    x[np.arange(n)[:, None], rows, cols] = 0.0
    x += rng.uniform(-noise, noise, size=x.shape)
    return np.clip(x, 0.0, 1.0).astype(np.float32), y


def stratified_split(y: np.ndarray, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted train/test indices with class proportions preserved (scikit-learn's splitter)."""
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < len(y):
        raise DlreproError(f"slash.split.test_size: {test_size} is not between 0 and {len(y)}")
    train, test = train_test_split(
        np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
    )
    return np.sort(train), np.sort(test)
