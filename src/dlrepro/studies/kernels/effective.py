"""Effective kernels of stacked convolutions, and a number for "structure" in a kernel.

A neural-network "convolution" is a cross-correlation: corr(x, u)[i] = sum_m x[i+m] u[m].
Two in a row: corr(corr(x, u), v)[j] = sum_n sum_m x[j+n+m] u[m] v[n] = corr(x, u * v)[j],
where u * v is the FULL (true) convolution of the two kernels, of size k1 + k2 - 1. With
channels, conv2's output b sums over conv1's outputs a:  W[b, c] = sum_a w1[a, c] * w2[b, a],
and the biases pass through conv2 as B[b] = b2[b] + sum_a b1[a] * sum(w2[b, a]).
So conv2(conv1(x)) without the ReLU between them is ONE correlation with W and B."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def compose(
    w1: torch.Tensor, b1: torch.Tensor | None, w2: torch.Tensor, b2: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """conv2d weights w1 [C1, Cin, k1, k1'], w2 [C2, C1, k2, k2'] (+ biases or None) ->
    (W [C2, Cin, k1+k2-1, k1'+k2'-1], B [C2]) with conv(conv(x, w1, b1), w2, b2) == conv(x, W, B)."""
    k2h, k2w = w2.shape[-2:]
    # full convolution u * v == correlation of u, zero-padded by k2-1, with v flipped; one
    # conv2d call does it for every (c, a, b): conv1's input channels act as the batch
    full = F.conv2d(w1.transpose(0, 1), w2.flip(-2, -1), padding=(k2h - 1, k2w - 1))
    weight = full.transpose(0, 1).contiguous()
    b1 = torch.zeros(w1.shape[0], dtype=w1.dtype) if b1 is None else b1
    b2 = torch.zeros(w2.shape[0], dtype=w2.dtype) if b2 is None else b2
    return weight, b2 + w2.sum(dim=(-2, -1)) @ b1


def linear_stack_error(model, x: torch.Tensor) -> float:
    """max |conv2(conv1(x)) - conv(x, W_eff)| in float64 for a model with .conv1/.conv2."""
    w1, b1 = model.conv1.weight.double(), model.conv1.bias.double()
    w2, b2 = model.conv2.weight.double(), model.conv2.bias.double()
    with torch.no_grad():
        x = x.double()
        stacked = F.conv2d(F.conv2d(x, w1, b1), w2, b2)
        weight, bias = compose(w1, b1, w2, b2)
        return float((stacked - F.conv2d(x, weight, bias)).abs().max())


def neighbour_correlation(kernels: np.ndarray) -> float:
    """Pearson correlation of horizontally and vertically adjacent taps, pooled over kernels
    [..., k, k]: ~0 for independent random weights, > 0 for smooth (blob/edge-like) kernels."""
    w = np.asarray(kernels, dtype=np.float64).reshape(-1, *kernels.shape[-2:])
    a = np.concatenate([w[:, :, :-1].ravel(), w[:, :-1, :].ravel()])
    b = np.concatenate([w[:, :, 1:].ravel(), w[:, 1:, :].ravel()])
    return float(np.corrcoef(a, b)[0, 1])
