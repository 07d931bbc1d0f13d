"""The study's MNIST CNN: two 3x3 convolutions with no pooling between them, so the linear
parts of the pair compose into one 5x5 correlation per output channel (see effective.py)."""

from __future__ import annotations

import torch
from torch import nn

IMAGE = 28
N_CLASSES = 10


class StackedConvNet(nn.Module):
    """conv3x3 1->conv1, ReLU, conv3x3 conv1->conv2, ReLU, max-pool 2, dense -> 10 logits.
    Input [B, 1, 28, 28] in [0, 1]."""

    def __init__(self, conv1: int, conv2: int, kernel: int = 3):
        super().__init__()
        self.conv1 = nn.Conv2d(1, conv1, kernel)
        self.conv2 = nn.Conv2d(conv1, conv2, kernel)
        side = (IMAGE - 2 * (kernel - 1)) // 2
        self.head = nn.Sequential(
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(conv2 * side * side, N_CLASSES)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.conv2(torch.relu(self.conv1(x)))))
