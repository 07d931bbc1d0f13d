"""The Slash images: our generator, the post's published file, and their stratified split.

The generator's settings are INFERRED, not quoted: the post says only "1,000 images", "30x30
grayscale pixels", two classes (down- or upward slash) and "a little bit of noise"; its code
(a gist) is not in the text we have. They were read off the published file
(../shared/data/raw/slash/slash_data.npz; statistics in SOURCES.md and `pixel_statistics`):
every image has exactly 4 dark pixels (< 0.3) on one diagonal, whose top-left corner takes
every value 0..26 on both axes; 49.75% of pixels are exactly 1.0 and background pixels are
>= 0.75, slash pixels <= 0.25, the mark of uniform noise in [-0.25, 0.25] around 1 and 0,
clipped to [0, 1]; 500 images per class. So: 30x30 images, white background (1.0), a dark
diagonal of `length` = 4 pixels (backslash = class 0, forward slash = class 1) whose corner is
uniform over every position where it fits, uniform pixel noise in [-noise, noise] with
noise = 0.25, clipped to [0, 1]. tests/studies/slash/test_slash_published.py compares a draw
with the published file's statistics.
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


def check_published(x: np.ndarray, y: np.ndarray, where: str) -> None:
    """Raise a DlreproError naming what is wrong with (x, y) as the published Slash data."""
    if x.ndim != 3 or x.shape[1] != x.shape[2]:
        raise DlreproError(f"{where}: x has shape {x.shape}, expected (n, side, side) images")
    if y.shape != (len(x),):
        raise DlreproError(f"{where}: y has shape {y.shape}, expected ({len(x)},), one per image")
    if not np.issubdtype(x.dtype, np.floating) or not np.all(np.isfinite(x)):
        raise DlreproError(f"{where}: x must hold finite floats (got {x.dtype})")
    if x.min() < 0 or x.max() > 1:
        raise DlreproError(f"{where}: pixel values {x.min()}..{x.max()} are outside [0, 1]")
    if not np.issubdtype(y.dtype, np.integer) or not set(np.unique(y).tolist()) <= {0, 1}:
        raise DlreproError(f"{where}: labels must be the integers 0 and 1 (got {np.unique(y)[:5]})")


def per_class_sample(y: np.ndarray, n_per_class: int, seed: int) -> np.ndarray:
    """Sorted indices of `n_per_class` images of each class: every image (in file order) when a
    class has exactly that many, else a seeded sample without replacement (smoke scale)."""
    rng = np.random.default_rng(seed)
    picked = []
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        if n_per_class > len(idx):
            raise DlreproError(
                f"slash.data.n_per_class: {n_per_class} images of class {cls} asked for, the "
                f"published file has {len(idx)} (use slash.data.source: generated for more)"
            )
        if n_per_class < len(idx):
            idx = rng.choice(idx, n_per_class, replace=False)
        picked.append(idx)
    return np.sort(np.concatenate(picked))


# a dark pixel, as SOURCES.md counts them: background >= 0.75 and slash <= 0.25 at noise 0.25
DARK = 0.3


def pixel_statistics(x: np.ndarray) -> dict[str, float]:
    """The published file's statistics (SOURCES.md) of any set of images: the fraction of pixels
    exactly 1.0, dark pixels (< DARK) per image, the mean pixel, the darkest background pixel
    and the lightest slash (dark) pixel."""
    dark = x < DARK
    return {
        "white_fraction": float(np.mean(x == 1.0)),
        "dark_per_image": float(dark.reshape(len(x), -1).sum(axis=1).mean()),
        "mean_pixel": float(np.mean(x, dtype=np.float64)),
        "background_min": float(x[~dark].min()),
        "slash_max": float(x[dark].max()),
    }
