"""Residual MLPs on MNIST: a ResNet (x + f(x) per block), a plain net of equal depth (f(x) per
block, VGG-like: no skips) and a multi-residual net (x + f_1(x) + ... + f_k(x) per block).

Every residual function f is the pre-activation pair BN-ReLU-Linear-BN-ReLU-Linear (He et al.
2016), so the plain net's chain of blocks is an ordinary BN-ReLU MLP of the same depth and
parameters. Hooks the study needs, all off by default:
- `deleted`: blocks skipped at test time (the block becomes the identity: Veit's lesion test);
- `routes`: per block "residual" or "skip": the gradient flows back through only that branch
  (the forward values are unchanged), Veit's method of sampling paths of a given length;
- `sampler`: in training mode, called once per forward (one mini-batch) for the set of blocks
  to keep; the others are the identity (training on sampled paths only);
- `residual_scale`: multiplies every residual branch (at test time after path sampling, the
  expected share of kept blocks, as stochastic depth does)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from dlrepro.errors import DlreproError

ROUTES = ("residual", "skip")


def residual_function(width: int) -> nn.Sequential:
    return nn.Sequential(
        nn.BatchNorm1d(width),
        nn.ReLU(),
        nn.Linear(width, width),
        nn.BatchNorm1d(width),
        nn.ReLU(),
        nn.Linear(width, width),
    )


class BlockNet(nn.Module):
    def __init__(
        self,
        inputs: int,
        width: int,
        blocks: int,
        *,
        functions: int = 1,
        residual: bool = True,
        classes: int = 10,
    ):
        super().__init__()
        if blocks < 1 or functions < 1:
            raise DlreproError(f"BlockNet: blocks {blocks} and functions {functions} must be >= 1")
        if not residual and functions != 1:
            raise DlreproError("BlockNet: a plain net has one function per block")
        self.residual = residual
        self.stem = nn.Linear(inputs, width)
        self.blocks = nn.ModuleList(
            nn.ModuleList(residual_function(width) for _ in range(functions)) for _ in range(blocks)
        )
        self.head = nn.Sequential(nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, classes))
        self.deleted: frozenset[int] = frozenset()
        self.routes: tuple[str, ...] | None = None
        self.sampler: Callable[[], frozenset[int]] | None = None
        self.residual_scale = 1.0

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    def stream_input(self, x: torch.Tensor) -> torch.Tensor:
        """The input of the first block (what path gradients are measured at)."""
        return self.stem(x.flatten(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.from_stream(self.stream_input(x))

    def from_stream(self, h: torch.Tensor) -> torch.Tensor:
        if self.routes is not None and (len(self.routes) != self.n_blocks or not self.residual):
            raise DlreproError("BlockNet: routes need a residual net and one route per block")
        kept = self.sampler() if (self.training and self.sampler is not None) else None
        for i, functions in enumerate(self.blocks):
            if i in self.deleted or (kept is not None and i not in kept):
                continue  # the identity
            f = sum(g(h) for g in functions)
            if not self.residual:
                h = f
                continue
            f = f * self.residual_scale
            route = self.routes[i] if self.routes is not None else None
            if route == "residual":  # the gradient passes only through f
                h = h.detach() + f
            elif route == "skip":  # ... only through the skip connection
                h = h + f.detach()
            else:
                h = h + f
        return self.head(h)


def block_sampler(blocks: int, low: int, high: int, generator: torch.Generator):
    """A fresh random set of k blocks per call, k uniform in [low, high] (Veit's training on
    the effective paths: every path of a mini-batch's net is at most k blocks long)."""
    if not 0 <= low <= high <= blocks:
        raise DlreproError(f"block_sampler: need 0 <= {low} <= {high} <= {blocks}")

    def sample() -> frozenset[int]:
        k = int(torch.randint(low, high + 1, (1,), generator=generator))
        return frozenset(torch.randperm(blocks, generator=generator)[:k].tolist())

    return sample
