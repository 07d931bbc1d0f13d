"""A small fully convolutional encoder (any input size -> one feature vector by global average
pooling, so one network encodes patches and whole images), its classifier, and the spatial
contrasting loss."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

N_CLASSES = 10


class Encoder(nn.Module):
    def __init__(self, widths: list[int]):
        super().__init__()
        layers, c_in = [], 1
        for i, c in enumerate(widths):
            layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU()]
            if i < len(widths) - 1:  # pool between blocks; the last block is pooled globally
                layers.append(nn.MaxPool2d(2))
            c_in = c
        self.body = nn.Sequential(*layers)
        self.features = widths[-1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).mean(dim=(2, 3))


class Classifier(nn.Module):
    """Encoder + linear head: fine-tuned whole (pretrained or from scratch)."""

    def __init__(self, encoder: Encoder):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.features, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))


def distances(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor):
    """Euclidean distances anchor-positive and anchor-negative, per triplet."""
    return (anchor - positive).norm(dim=1), (anchor - negative).norm(dim=1)


def distance_ratio_loss(d_pos: torch.Tensor, d_neg: torch.Tensor) -> torch.Tensor:
    """Hoffer et al.'s spatial contrasting loss, a softmax over the two distances:
    -log(exp(-d+) / (exp(-d+) + exp(-d-))) = softplus(d+ - d-), averaged over the triplets."""
    return F.softplus(d_pos - d_neg).mean()
