"""How close each test slash lies to the training slashes: exact twins and near twins.

A slash is its set of dark pixels (data.DARK): noise keeps background and slash apart, so the
set is exactly the slash, and its place is where the slash was drawn (on the published file
too, whose generator we do not have). `slash_masks` checks that each set is a diagonal of the
image's class before anything is counted.

- exact twin: a training image of the same class with its slash on exactly the same pixels;
- near twin: a training image of the same class whose slash shares at least 2 pixels. Why 2:
  a backslash and a forward slash cross at most once (lines of opposite slope), so a
  same-class slash sharing 2 or more pixels is nearer, in pixels, than any slash of the other
  class: what a 1-nearest-neighbour classifier needs (noise aside).
"""

from __future__ import annotations

import numpy as np

from dlrepro.errors import DlreproError
from dlrepro.studies.slash.data import DARK

NEAR = 2  # shared pixels that make a near twin (see the module docstring)


def slash_masks(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n, pixels) boolean masks of each image's dark pixels, checked to be one diagonal of at
    least 2 pixels running down-right for class 0 (backslash), down-left for class 1."""
    dark = x < DARK
    for i in range(len(x)):
        rows, cols = np.nonzero(dark[i])  # row-major: rows ascend
        step = np.diff(cols)
        want = 1 if y[i] == 0 else -1
        if len(rows) < 2 or np.any(np.diff(rows) != 1) or np.any(step != want):
            raise DlreproError(
                f"slash image {i} (class {y[i]}): its {len(rows)} dark pixels (< {DARK}) are not "
                f"one {'backslash' if want == 1 else 'forward slash'}; noise too strong for "
                "the slash to be read off the pixels?"
            )
    return dark.reshape(len(x), -1)


def twin_fractions(
    x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray
) -> dict[str, float]:
    """The fraction of test images with an exact twin, and with a near twin, in training."""
    train = slash_masks(x_train, y_train).astype(np.int64)
    test = slash_masks(x_test, y_test).astype(np.int64)
    shared = test @ train.T  # (n_test, n_train) pixels in common
    same_class = y_test[:, None] == y_train[None, :]
    lengths_test, lengths_train = test.sum(axis=1), train.sum(axis=1)
    exact = (shared == lengths_test[:, None]) & (lengths_train[None, :] == lengths_test[:, None])
    return {
        "test_twin_fraction": float(np.mean((same_class & exact).any(axis=1))),
        "test_near_twin_fraction": float(np.mean((same_class & (shared >= NEAR)).any(axis=1))),
    }
