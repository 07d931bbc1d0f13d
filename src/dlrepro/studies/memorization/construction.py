"""Zhang et al. (2017), Theorem 1: a two-layer ReLU network with 2n + d weights can represent
any function on a sample of n points in d dimensions. Their construction, exactly:

    c(x) = sum_j w_j max(<a, x> - b_j, 0)

Pick a in R^d so that the projections z_i = <a, x_i> are distinct (a random Gaussian a does so
with probability 1 for distinct points), sort them, z_(1) < ... < z_(n), and interleave the
biases: b_1 < z_(1) < b_2 < z_(2) < ... < b_n < z_(n). The matrix A_ij = max(z_(i) - b_j, 0) is
then lower triangular with a positive diagonal, so A w = y (labels in the sorted order) has
exactly one solution. Weights: a (d), b (n), w (n).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.linalg import solve_triangular
from torch import nn

from dlrepro.errors import DlreproError


class TwoLayerReLU(nn.Module):
    """x [N, ...] -> c(x) [N]: one hidden layer of n ReLU units that all share the input weight
    vector a and differ by their bias, then a linear output without bias. float64 throughout:
    the output weights are large (the interpolant's slopes change by up to 1/gap)."""

    def __init__(self, a: np.ndarray, b: np.ndarray, w: np.ndarray):
        super().__init__()
        self.a = nn.Parameter(torch.as_tensor(a, dtype=torch.float64))
        self.b = nn.Parameter(torch.as_tensor(b, dtype=torch.float64))
        self.w = nn.Parameter(torch.as_tensor(w, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.reshape(len(x), -1).to(torch.float64) @ self.a
        return torch.relu(z[:, None] - self.b[None, :]) @ self.w


def interleaved_biases(z_sorted: np.ndarray) -> np.ndarray:
    """b_1 one unit below the smallest projection, then the midpoints between neighbours: every
    bias strictly between two consecutive projections, as the construction needs."""
    return np.r_[z_sorted[0] - 1.0, (z_sorted[:-1] + z_sorted[1:]) / 2]


def fit_any_labels(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> TwoLayerReLU:
    """The network of Theorem 1 that maps each row of x [n, d] to its label y [n] (any reals)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0 or y.shape != (len(x),):
        raise DlreproError(
            f"fit_any_labels: need points [n, d] and n labels, got {x.shape} and {y.shape}"
        )
    a = rng.standard_normal(x.shape[1])
    z = x @ a
    order = np.argsort(z, kind="stable")
    z_sorted = z[order]
    if len(z) > 1 and not (np.diff(z_sorted) > 0).all():
        raise DlreproError(
            "fit_any_labels: two points share a projection <a, x> (duplicate points?); the "
            "construction needs distinct points"
        )
    b = interleaved_biases(z_sorted)
    triangle = np.maximum(z_sorted[:, None] - b[None, :], 0.0)  # lower triangular, diagonal > 0
    w = solve_triangular(triangle, y[order], lower=True)
    return TwoLayerReLU(a, b, w)


def parameter_count(net: nn.Module) -> int:
    """Every weight and bias the network has, counted from the module itself."""
    return sum(p.numel() for p in net.parameters())


def fit_report(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> dict:
    """Build the network for (x, y) and measure it on the same points: how far its outputs are
    from the labels, whether rounding them gives every label back, and its size against 2n + d."""
    net = fit_any_labels(x, y, rng)
    with torch.no_grad():
        out = net(torch.as_tensor(np.asarray(x, dtype=np.float64))).numpy()
    n, d = len(x), int(np.prod(np.shape(x)[1:]))
    parameters = parameter_count(net)
    return {
        "n": n,
        "d": d,
        "parameters": parameters,
        "extra_parameters": parameters - (2 * n + d),  # 0: exactly 2n + d
        "max_abs_residual": float(np.max(np.abs(out - y))),
        "label_accuracy": float(np.mean(np.rint(out) == y)),
        "max_abs_output_weight": float(net.w.detach().abs().max()),
    }
