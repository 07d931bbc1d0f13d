"""Receptive fields of convolution stacks, measured as the support of an input gradient.

The receptive field of one output unit is the set of input positions it depends on: where
d output / d input is nonzero. With positive weights and no nonlinearity the gradient is a sum
of products of positive weights, so no term can cancel and the support is the exact set of
connected inputs. Formula (stride 1): RF = 1 + sum_l (k - 1) * d_l per axis."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def dilations(depth: int, dilated: bool) -> list[int]:
    """1, 2, 4, ..., 2^(depth-1) (dilated, as in the post's figure) or all 1 (undilated)."""
    return [2**layer if dilated else 1 for layer in range(depth)]


def formula(kernel: int, dilation_rates: list[int]) -> int:
    return 1 + sum((kernel - 1) * d for d in dilation_rates)


def stack(
    dims: int, dilation_rates: list[int], kernel: int, channels: int, seed: int
) -> nn.Sequential:
    """Convolutions without bias or padding, weights uniform in [0.5, 1.5) (positive: see above)."""
    conv = {1: nn.Conv1d, 2: nn.Conv2d}[dims]
    gen = torch.Generator().manual_seed(seed)
    layers = []
    for d in dilation_rates:
        layer = conv(channels, channels, kernel, dilation=d, bias=False).double()
        with torch.no_grad():
            layer.weight.copy_(
                0.5 + torch.rand(layer.weight.shape, generator=gen, dtype=torch.float64)
            )
        layers.append(layer)
    return nn.Sequential(*layers)


def input_gradient(model: nn.Sequential, dims: int, size: int, channels: int) -> np.ndarray:
    """|d (centre output, summed over channels) / d input|, summed over input channels:
    [size] or [size, size]. `size` must exceed the receptive field."""
    x = torch.zeros((1, channels) + (size,) * dims, dtype=torch.float64, requires_grad=True)
    out = model(x)
    centre = tuple(n // 2 for n in out.shape[2:])
    out[(0, slice(None), *centre)].sum().backward()
    return x.grad.abs().sum(dim=(0, 1)).numpy()


def support(gradient: np.ndarray) -> tuple[int, int]:
    """(extent along the first axis of the nonzero gradient, number of nonzero entries)."""
    nonzero = np.argwhere(gradient != 0)
    return int(np.ptp(nonzero[:, 0]) + 1), len(nonzero)


def measure(dims: int, dilation_rates: list[int], kernel: int, channels: int, seed: int) -> dict:
    """Measured and formula receptive field, and parameters, of one stack."""
    from dlrepro.core.torch_utils import trainable_parameters

    # an input larger than any receptive field the stack could have (every layer's widest
    # reach), so the measurement never relies on the formula it is checked against
    size = 2 * (kernel - 1) * len(dilation_rates) * max(dilation_rates) + 3
    model = stack(dims, dilation_rates, kernel, channels, seed)
    extent, count = support(input_gradient(model, dims, size, channels))
    return {
        "rf_measured": extent,
        "rf_formula": formula(kernel, dilation_rates),
        "nonzero_inputs": count,
        "holes": extent**dims - count,
        "parameters": trainable_parameters(model),
    }


def figure_layers(
    dilation_rates: list[int], kernel: int, size: int, seed: int
) -> dict[str, np.ndarray]:
    """For the post's figure (2-D, one channel): for layer l, the inputs of one unit of the
    layer (taps_l: gradient support of the single layer) and the receptive field on the
    original input of the stack up to l (rf_l), both centred on a size x size grid."""
    out = {}
    for layer in range(1, len(dilation_rates) + 1):
        for name, rates in (
            ("taps", dilation_rates[layer - 1 : layer]),
            ("rf", dilation_rates[:layer]),
        ):
            grad = input_gradient(stack(2, rates, kernel, 1, seed), 2, size, 1)
            out[f"{name}_{layer}"] = grad != 0
    return out
