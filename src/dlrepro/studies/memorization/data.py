"""Corrupted training sets after Zhang et al. (2017): labels partly replaced by random ones, or
the images replaced by Gaussian noise with MNIST's pixel mean and standard deviation."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.errors import DlreproError

N_CLASSES = 10
PIXELS = "gaussian_pixels"


def setting_names(percents) -> list[str]:
    """Training-set settings (the `setting` wildcard): labels_<percent> per corruption level,
    plus random pixels."""
    return [f"labels_{p}" for p in percents] + [PIXELS]


def percent_of(setting: str) -> int | None:
    """labels_40 -> 40; gaussian_pixels -> None."""
    if setting == PIXELS:
        return None
    try:
        return int(setting.removeprefix("labels_"))
    except ValueError:
        raise DlreproError(
            f"unknown memorization setting {setting!r} (labels_<percent> or {PIXELS})"
        ) from None


def corrupt_labels(
    y: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Exactly round(fraction * n) labels, at positions drawn without replacement, replaced by
    uniform random classes (which may equal the true one, as in Zhang et al.). Returns the new
    labels and the boolean mask of the replaced positions."""
    if not 0.0 <= fraction <= 1.0:
        raise DlreproError(f"corrupt_labels: fraction must be in [0, 1], got {fraction}")
    n = len(y)
    replaced = np.zeros(n, dtype=bool)
    replaced[rng.permutation(n)[: round(fraction * n)]] = True
    out = np.array(y, dtype=np.int64, copy=True)
    out[replaced] = rng.integers(0, N_CLASSES, size=int(replaced.sum()))
    return out, replaced


def gaussian_pixels(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Images of independent N(mean, std^2) pixels, mean and std those of x's pixels."""
    mean, std = float(x.double().mean()), float(x.double().std())
    return torch.from_numpy(rng.normal(mean, std, size=tuple(x.shape)).astype(np.float32))
