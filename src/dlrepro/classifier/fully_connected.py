"""The selu study's deep fully connected nets (also the memorization study's MLP)."""

from __future__ import annotations

import math

import torch
from torch import nn

from dlrepro.errors import DlreproError

# variant -> (activation, init, batch norm, dropout kind); init gain: LeCun 1/n, He 2/n
VARIANTS = {
    "selu": ("selu", "lecun", False, None),
    "relu": ("relu", "he", False, None),
    "relu_bn": ("relu", "he", True, None),
    "selu_alpha_dropout": ("selu", "lecun", False, "alpha"),
    "selu_dropout": ("selu", "lecun", False, "standard"),
}
INIT_GAIN = {"lecun": 1.0, "he": 2.0}


def fully_connected(
    in_features: int,
    depth: int,
    width: int,
    variant: str,
    *,
    dropout: float = 0.0,
    out_features: int | None = None,
) -> nn.Sequential:
    """Flatten -> depth x [Linear(width) -> (BatchNorm) -> activation -> (dropout)] -> optional
    Linear(out_features) head. Weights ~ N(0, gain / fan_in), biases 0 (BN: weight 1, bias 0)."""
    if variant not in VARIANTS:
        raise DlreproError(f"unknown variant {variant!r}; choose from {sorted(VARIANTS)}")
    if depth < 1 or width < 1:
        raise DlreproError(f"fully_connected: depth and width must be >= 1, got {depth}, {width}")
    if not 0.0 <= dropout < 1.0:
        raise DlreproError(f"fully_connected: dropout must be in [0, 1), got {dropout}")
    activation, init, batch_norm, dropout_kind = VARIANTS[variant]
    layers: list[nn.Module] = [nn.Flatten()]
    n_in = in_features
    for _ in range(depth):
        layers.append(_linear(n_in, width, INIT_GAIN[init]))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.SELU() if activation == "selu" else nn.ReLU())
        if dropout_kind == "alpha" and dropout > 0:
            layers.append(nn.AlphaDropout(dropout))
        elif dropout_kind == "standard" and dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = width
    if out_features is not None:  # classifier head: LeCun init, no activation
        layers.append(_linear(n_in, out_features, 1.0))
    return nn.Sequential(*layers)


def _linear(n_in: int, n_out: int, gain: float) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    with torch.no_grad():
        layer.weight.normal_(0.0, math.sqrt(gain / n_in))
        layer.bias.zero_()
    return layer
