"""The slash study's Vanilla CNN (the kernels study reads its trained weights)."""

from __future__ import annotations

import torch
from torch import nn


class VanillaCNN(nn.Module):
    """Two rounds of conv -> BN -> pool (the post's "cookie-cutter" net), then one logit.

    3x3 conv 1->c (no bias), BN, ReLU, 2x2 max pool, 3x3 conv c->c (no bias), BN, ReLU,
    global max pool, dense c->1: 90 + 20 + 900 + 20 + 11 = 1041 parameters at c = 10.
    """

    def __init__(self, channels: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(channels, channels, 3, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.AdaptiveMaxPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    @property
    def first_layer(self) -> nn.Conv2d:
        return self.features[0]
