"""Networks from a 1-D input to a scalar, as in "The Shattered Gradients Problem" (Balduzzi et
al. 2017): an input layer to `width` units, `depth` hidden blocks, a linear read-out. He-normal
weights, PyTorch's default (uniform) biases, no training: the paper's measurements are at
initialisation. Zero biases would make a ReLU net positively homogeneous, so on a 1-D input
its gradient would have one jump at 0 whatever the depth.

Kinds:
- ``feedforward``: Linear -> ReLU per block;
- ``feedforward_bn``: Linear -> BN -> ReLU per block;
- ``resnet``: x + block(x), block = BN -> ReLU -> Linear (pre-activation, as in the paper);
- ``resnet_beta``: x + beta * block(x), the paper's rescaled skip connections.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dlrepro.errors import DlreproError

KINDS = ("feedforward", "feedforward_bn", "resnet", "resnet_beta")


def _linear(n_in: int, n_out: int) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    return layer


class Block(nn.Module):
    def __init__(self, width: int, kind: str, beta: float):
        super().__init__()
        self.residual = kind.startswith("resnet")
        self.scale = beta if kind == "resnet_beta" else 1.0
        if kind == "feedforward":
            self.body = nn.Sequential(_linear(width, width), nn.ReLU())
        elif kind == "feedforward_bn":
            self.body = nn.Sequential(_linear(width, width), nn.BatchNorm1d(width), nn.ReLU())
        else:
            self.body = nn.Sequential(nn.BatchNorm1d(width), nn.ReLU(), _linear(width, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.scale * self.body(x) if self.residual else self.body(x)


class LineNet(nn.Module):
    def __init__(self, kind: str, depth: int, width: int, beta: float = 0.1):
        super().__init__()
        if kind not in KINDS:
            raise DlreproError(
                f"shattered: unknown network kind {kind!r} (one of {', '.join(KINDS)})"
            )
        self.stem = _linear(1, width)
        self.blocks = nn.Sequential(*(Block(width, kind, beta) for _ in range(depth)))
        self.head = _linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(torch.relu(self.stem(x))))


def freeze_batch_statistics(net: LineNet, x: torch.Tensor) -> LineNet:
    """BN normalises with the statistics of the whole line of inputs (as a batch would), then
    holds them fixed, so each point's gradient is its own and not a mix over the batch."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.momentum = 1.0  # running stats := this batch's stats
    net.train()
    with torch.no_grad():
        net(x)
    return net.eval()


@torch.no_grad()
def activation_patterns(net: LineNet, x: torch.Tensor) -> list[np.ndarray]:
    """Which rectifiers are active (input > 0) for each point of x, per hidden block in order:
    a bool array [points, width] per block (the block's ReLU; in resnets the branch's ReLU)."""
    patterns: list[np.ndarray] = []
    relus = [m for block in net.blocks for m in block.body if isinstance(m, nn.ReLU)]
    hooks = [
        m.register_forward_hook(lambda _m, inp, _out: patterns.append((inp[0] > 0).numpy()))
        for m in relus
    ]
    try:
        net(x)
    finally:
        for h in hooks:
            h.remove()
    return patterns


def input_gradients(net: LineNet, x: torch.Tensor) -> torch.Tensor:
    """d output / d input at every point of the line x [n, 1] -> [n]."""
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(x).sum(), x)  # eval mode: points do not interact
    return grad[:, 0].detach()
