"""The SELU study's nets: deep fully connected nets (shared: dlrepro.classifier.fully_connected) and
their activation statistics.

The post's constants (Klambauer et al. 2017) are checked against torch's nn.SELU / nn.AlphaDropout
by a unit test; torch hard-codes the same float64 values, so torch's layers are used."""

from __future__ import annotations

import torch
from torch import nn

# the nets themselves are shared (the memorization study's MLP is one)
from dlrepro.classifier.fully_connected import VARIANTS, fully_connected  # noqa: F401

# quoted from the post (../shared/posts/003_f1697a0a375024af.txt)
ALPHA = 1.6732632423543772848170429916717
LAMBDA = 1.0507009873554804934193349852946


def selu_reference(x: torch.Tensor) -> torch.Tensor:
    """SELU written out with the post's constants (for the constants test)."""
    return LAMBDA * torch.where(x > 0, x, ALPHA * torch.expm1(x))


def block_outputs(model: nn.Sequential) -> list[int]:
    """Indices of the modules whose outputs end a hidden layer (the activation, or the dropout
    after it): where the activation statistics are taken."""
    ends = []
    for i, m in enumerate(model):
        if isinstance(m, (nn.SELU, nn.ReLU)):
            ends.append(i)
        elif isinstance(m, (nn.Dropout, nn.AlphaDropout)) and ends and ends[-1] == i - 1:
            ends[-1] = i
    return ends


@torch.no_grad()
def layer_statistics(model: nn.Sequential, x: torch.Tensor) -> dict[str, list[float]]:
    """Mean and variance of every hidden layer's output over all units and examples, for one
    forward pass of x in the model's current mode (train mode: dropout and BN batch stats on)."""
    ends = set(block_outputs(model))
    means, variances = [], []
    h = x
    for i, m in enumerate(model):
        h = m(h)
        if i in ends:
            h64 = h.double()
            means.append(float(h64.mean()))
            variances.append(float(h64.var(unbiased=False)))
    return {"mean": means, "var": variances}
