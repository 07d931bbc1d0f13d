"""The adversarial test images made on the baseline, and the members' file layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from dlrepro.core.io import read_npz
from dlrepro.errors import DlreproError


def load_examples(path, n: int) -> torch.Tensor:
    """The baseline's FGSM test images, checked against the test subset they were made from."""
    x_adv = read_npz(path, ("x_adv",))["x_adv"]
    if x_adv.shape != (n, 28, 28):
        raise DlreproError(
            f"{path}: adversarial images of shape {x_adv.shape}, expected ({n}, 28, 28)"
        )
    return torch.from_numpy(x_adv.astype(np.float32)).unsqueeze(1)


def member_of(path) -> tuple[str, int]:
    """results/adversarial/members/<kind>/<index>/weights.pt -> (kind, index)."""
    parts = Path(path).parts
    try:
        return parts[-3], int(parts[-2])
    except (IndexError, ValueError):
        raise DlreproError(
            f"{path}: not a member's weights (members/<kind>/<index>/weights.pt)"
        ) from None
