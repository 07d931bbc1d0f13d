"""MNIST for this study: subsets of the shared dataset artifact as float tensors, and the
adversarial test images made on the baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from dlrepro.core.io import read_npz
from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial.train import as_images


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


def load_examples(path, n: int) -> torch.Tensor:
    """The baseline's FGSM test images, checked against the test subset they were made from."""
    x_adv = read_npz(path, ("x_adv",))["x_adv"]
    if x_adv.shape != (n, 28, 28):
        raise DlreproError(f"{path}: adversarial images of shape {x_adv.shape}, expected ({n}, 28, 28)")
    return torch.from_numpy(x_adv.astype(np.float32)).unsqueeze(1)


def member_of(path) -> tuple[str, int]:
    """results/adversarial/members/<kind>/<index>/weights.pt -> (kind, index)."""
    parts = Path(path).parts
    try:
        return parts[-3], int(parts[-2])
    except (IndexError, ValueError):
        raise DlreproError(f"{path}: not a member's weights (members/<kind>/<index>/weights.pt)") from None
