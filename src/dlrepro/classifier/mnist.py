"""MNIST as the classifiers' input: subsets of the shared dataset artifact as float tensors."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.core.io import read_npz


def as_images(x: np.ndarray) -> torch.Tensor:
    """uint8 images [N, 28, 28] (0..255) -> the model's input, float32 [N, 1, 28, 28] in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(x)).unsqueeze(1).float().div_(255.0)


def load_mnist(path, sizes: dict, train: bool = True, test: bool = True) -> dict[str, torch.Tensor]:
    """The first `train_size` / `test_size` images of the standard splits (MNIST is shuffled)."""
    keys = (("x_train", "y_train") if train else ()) + (("x_test", "y_test") if test else ())
    arrays = read_npz(path, keys)
    out = {}
    for split, n in (("train", sizes["train_size"]), ("test", sizes["test_size"])):
        if f"x_{split}" in arrays:
            out[f"x_{split}"] = as_images(arrays[f"x_{split}"][:n])
            out[f"y_{split}"] = torch.from_numpy(arrays[f"y_{split}"][:n].astype(np.int64))
    return out
