"""Paths through a ResNet (Veit et al. 2016): n blocks unroll into 2**n paths, one per subset
of blocks whose residual branch the path passes through; a path's length is that subset's
size, so path lengths are Binomial(n, 1/2) distributed (C(n, k) paths of length k).

Gradient per path length, Veit's method: forward as usual; backward through k randomly chosen
blocks' residual branches and the other blocks' skips only, and measure the gradient's norm at
the first block's input. Its mean over samples times C(n, k) is the share of the gradient that
paths of length k carry; the effective range is the lengths holding its central mass."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F

from dlrepro.errors import DlreproError
from dlrepro.studies.multi_residual.models import BlockNet


def path_counts(n: int) -> list[int]:
    """C(n, k) for k = 0..n, exact integers."""
    if n < 0:
        raise DlreproError(f"path_counts: n must be >= 0, got {n}")
    return [math.comb(n, k) for k in range(n + 1)]


def enumerated_counts(n: int) -> list[int]:
    """The same counts by listing every path (each block: through its branch or its skip)."""
    counts = [0] * (n + 1)
    for path in itertools.product((0, 1), repeat=n):
        counts[sum(path)] += 1
    return counts


def share_in_range(n: int, low: int, high: int) -> float:
    """The share of the 2**n paths whose length (in blocks) lies in [low, high], exact."""
    return sum(math.comb(n, k) for k in range(max(low, 0), min(high, n) + 1)) / 2**n


def gradient_norm_per_length(
    model: BlockNet,
    x: torch.Tensor,
    y: torch.Tensor,
    samples: int,
    generator: torch.Generator,
) -> list[float]:
    """Mean over `samples` random k-block paths (and over examples) of the norm of the
    per-example loss gradient at the first block's input, for k = 0..n (eval mode)."""
    n = model.n_blocks
    model.eval()
    means = []
    try:
        for k in range(n + 1):
            norms = []
            for _ in range(samples):
                on = set(torch.randperm(n, generator=generator)[:k].tolist())
                model.routes = tuple("residual" if i in on else "skip" for i in range(n))
                h = model.stream_input(x).detach().requires_grad_(True)
                # summed loss: each row of the gradient is one example's own gradient
                loss = F.cross_entropy(model.from_stream(h), y, reduction="sum")
                (grad,) = torch.autograd.grad(loss, h)
                norms.append(grad.norm(dim=1).mean().item())
            means.append(float(np.mean(norms)))
    finally:
        model.routes = None
    return means


def contribution(norms: list[float]) -> list[float]:
    """Share of the total gradient magnitude per path length: mean norm x number of paths."""
    n = len(norms) - 1
    total = [g * c for g, c in zip(norms, path_counts(n))]
    s = sum(total)
    if not s > 0:
        raise DlreproError("contribution: every path length has a zero gradient")
    return [t / s for t in total]


def effective_range(shares: list[float], mass: float) -> tuple[int, int]:
    """The lengths holding the central `mass` of the distribution: the shortest lengths, then
    the longest, holding at most (1 - mass)/2 of it each are cut off."""
    if not 0 < mass < 1:
        raise DlreproError(f"effective_range: mass must be in (0, 1), got {mass}")
    cum = np.cumsum(shares) / np.sum(shares)
    tail = (1 - mass) / 2
    low = int(np.searchsorted(cum, tail + 1e-12))  # first cumulative share > tail
    high = int(np.searchsorted(cum, 1 - tail - 1e-12))  # first >= 1 - tail
    return low, min(high, len(shares) - 1)


def mean_length(shares: list[float]) -> float:
    return float(np.dot(np.arange(len(shares)), shares) / np.sum(shares))
