"""The adversarial study's MNIST ConvNet (also the skm study's body). The post gives no
architecture ("a simple ConvNet", 0.98 test accuracy after 5 epochs); this is a LeNet-like net,
chosen over Keras' mnist_cnn because it is ~5-7x cheaper per epoch on CPU at the same accuracy
(the study trains ~100 members)."""

from __future__ import annotations

import torch
from torch import nn

from dlrepro.errors import DlreproError

IMAGE = 28
N_CLASSES = 10


class ConvNet(nn.Module):
    """conv(k) -> ReLU -> max-pool 2 -> conv(k) -> ReLU -> max-pool 2 -> dense `hidden` -> ReLU
    -> dropout -> dense 10. Input [B, 1, 28, 28] in [0, 1]; output logits [B, 10].

    Speed (benchmarks/member_step.py, one CPU thread): ReLU runs after each max-pool, on a
    quarter of the elements. The two commute exactly (ReLU is monotone; 2x2 windows do not
    overlap, so each input gets at most one gradient), so outputs and gradients are the same
    bits as ReLU-then-pool. Weights and activations are channels_last, where oneDNN's
    convolutions and max-pool are fastest on CPU at these sizes; this changes the bytes (the
    summation order of the convolutions), not the maths."""

    def __init__(self, conv1: int, conv2: int, hidden: int, dropout: float, kernel: int = 5):
        super().__init__()
        side = ((IMAGE - kernel + 1) // 2 - kernel + 1) // 2
        if side < 1:
            raise DlreproError(f"ConvNet: kernel {kernel} is too large for 28 x 28 images")
        if not 0.0 <= dropout < 1.0:
            raise DlreproError(f"ConvNet: dropout must be in [0, 1), got {dropout}")
        self.body = nn.Sequential(
            nn.Conv2d(1, conv1, kernel),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Conv2d(conv1, conv2, kernel),
            nn.MaxPool2d(2),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(conv2 * side * side, hidden),
            nn.ReLU(),
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, N_CLASSES)
        self.to(memory_format=torch.channels_last)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Activations of the last hidden layer [B, hidden] (after ReLU, before dropout)."""
        return self.body(x.contiguous(memory_format=torch.channels_last))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))
