"""Explicit regularisers for the memorization study's MLP (Zhang et al.'s "explicit
regularization": dropout, weight decay, data augmentation), added to the unchanged network so
that the shared training loop (classifier.train) trains it as it trains the plain one.

- Data augmentation: random shifts of the images, as a first layer that acts in train mode only
  (eval-mode predictions see the images as they are), like dropout.
- Dropout after every hidden ReLU.
- Weight decay: the L2 term `weight_decay * theta` added to every parameter's gradient, exactly
  what torch.optim.Adam(weight_decay=...) adds (the shared loop builds a plain Adam).
"""

from __future__ import annotations

import torch
from torch import nn

from dlrepro.errors import DlreproError


class RandomShift(nn.Module):
    """Train mode: each image [C, H, W] moved by its own random integer offset in
    [-max_shift, max_shift] along each axis, the uncovered border filled with 0 (the background).
    Eval mode: the identity. Offsets come from torch's global generator (seeded by the caller)."""

    def __init__(self, max_shift: int):
        super().__init__()
        if max_shift < 0:
            raise DlreproError(f"RandomShift: max_shift must be >= 0, got {max_shift}")
        self.max_shift = max_shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.max_shift
        if not self.training or s == 0:
            return x
        if x.dim() != 4:
            raise DlreproError(f"RandomShift: expected images [N, C, H, W], got {tuple(x.shape)}")
        n, _, h, w = x.shape
        padded = nn.functional.pad(x, (s, s, s, s))
        # top-left corner of each image's crop in the padded image: offset s = no shift
        dy = torch.randint(0, 2 * s + 1, (n,), device=x.device)
        dx = torch.randint(0, 2 * s + 1, (n,), device=x.device)
        rows = (dy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]
        cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, None, :]
        batch = torch.arange(n, device=x.device)[:, None, None, None]
        channel = torch.arange(x.shape[1], device=x.device)[None, :, None, None]
        return padded[batch, channel, rows, cols]


def with_regularisers(model: nn.Sequential, *, dropout: float, max_shift: int) -> nn.Sequential:
    """The same layers (the same weights, not copies) with RandomShift first (max_shift > 0) and
    Dropout(dropout) after every ReLU (dropout > 0). Adds no parameters."""
    if not 0.0 <= dropout < 1.0:
        raise DlreproError(f"with_regularisers: dropout must be in [0, 1), got {dropout}")
    layers: list[nn.Module] = [RandomShift(max_shift)] if max_shift > 0 else []
    for layer in model:
        layers.append(layer)
        if isinstance(layer, nn.ReLU) and dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def add_weight_decay(model: nn.Module, weight_decay: float) -> None:
    """From now on, every backward pass adds weight_decay * parameter to each parameter's
    gradient (L2 regularisation, as Adam's own weight_decay applies it)."""
    if weight_decay < 0:
        raise DlreproError(f"add_weight_decay: weight_decay must be >= 0, got {weight_decay}")
    if weight_decay == 0:
        return
    for p in model.parameters():
        p.register_hook(lambda grad, p=p: grad + weight_decay * p.detach())
