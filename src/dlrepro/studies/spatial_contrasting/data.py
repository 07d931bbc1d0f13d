"""MNIST splits of one run: unlabelled images for pretraining, a class-balanced labelled subset
(drawn per run seed), a validation split held out of both (for choosing hyperparameters; never
the test set), and the test images."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.classifier.labels import balanced_indices
from dlrepro.classifier.mnist import as_images
from dlrepro.core.io import read_npz
from dlrepro.errors import DlreproError

TRAIN_SIZE = 60000


def unlabelled_images(path, p: dict) -> torch.Tensor:
    """The pretraining images: the first `unlabelled` training images, labels never read."""
    if p["unlabelled"] + p["validation"] > TRAIN_SIZE:
        raise DlreproError(
            f"unlabelled {p['unlabelled']} + validation {p['validation']} exceed {TRAIN_SIZE}"
        )
    return as_images(read_npz(path, ("x_train",))["x_train"][: p["unlabelled"]])


def splits(path, p: dict, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """The last `validation` training images are the validation split; the labelled images are
    drawn (balanced) from the training images before it, so they may also be in the unlabelled
    pool (the first `unlabelled` training images), as in semi-supervised learning."""
    a = read_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    pool = TRAIN_SIZE - p["validation"]
    labelled = balanced_indices(a["y_train"][:pool], p["labels_per_class"], rng)
    val = slice(pool, TRAIN_SIZE)
    test = slice(0, p["test_size"])
    return {
        "x_labelled": as_images(a["x_train"][labelled]),
        "y_labelled": torch.from_numpy(a["y_train"][labelled].astype(np.int64)),
        "labelled_index": torch.from_numpy(labelled),
        "x_val": as_images(a["x_train"][val]),
        "y_val": torch.from_numpy(a["y_train"][val].astype(np.int64)),
        "x_test": as_images(a["x_test"][test]),
        "y_test": torch.from_numpy(a["y_test"][test].astype(np.int64)),
    }
