"""Gradient correlations along a line of inputs, per network kind and depth."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.core.determinism import stream_seed
from dlrepro.studies.shattered.nets import LineNet, freeze_batch_statistics, input_gradients


def line(p: dict) -> torch.Tensor:
    lo, hi = p["interval"]
    return torch.linspace(lo, hi, p["points"], dtype=torch.float64)[:, None]


def gradients(kind: str, depth: int, seed: int, p: dict) -> np.ndarray:
    torch.manual_seed(stream_seed(seed, "shattered", kind, str(depth)))
    net = LineNet(kind, depth, p["width"], p["beta"]).double()
    x = line(p)
    return input_gradients(freeze_batch_statistics(net, x), x).numpy()


def autocorrelation(g: np.ndarray, max_lag: int) -> np.ndarray:
    """Correlation of g[i] with g[i + lag], lag = 0..max_lag (1 at lag 0)."""
    g = g - g.mean()
    var = float(g @ g)
    if var == 0:  # a constant gradient (a linear function): perfectly correlated
        return np.ones(max_lag + 1)
    return np.array([float(g[: len(g) - k] @ g[k:]) / var for k in range(max_lag + 1)])


def measure(kinds, p: dict, seed: int) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Rows (kind, depth, replicate, lag-1 correlation) and the gradients for the figures."""
    rows, examples = [], {}
    for kind in kinds:
        for depth in p["depths"]:
            for r in range(p["replicates"]):
                g = gradients(kind, depth, stream_seed(seed, str(r)), p)
                rows.append(
                    {
                        "kind": kind,
                        "depth": depth,
                        "replicate": r,
                        "lag1_correlation": float(autocorrelation(g, 1)[1]),
                    }
                )
                if r == 0:
                    examples[f"{kind}/{depth}"] = g
    return rows, examples


def decay_fits(table, floor: float) -> dict:
    """Per kind: the mean lag-1 correlation per depth, and two fits of how it falls with depth,
    over the depths where it is still above `floor` (below, it is noise around 0): the per-layer
    factor r of c ~ r^L (the paper: 1/2 for feed-forward rectifier nets) and the exponent a of
    c ~ L^-a (the paper: 1/2 for resnets with BN)."""
    fits = {}
    for kind, frame in table.groupby("kind", sort=False):
        mean = frame.groupby("depth")["lag1_correlation"].mean()
        depth, c = mean.index.to_numpy(float), mean.to_numpy()
        above = np.cumprod(c > floor).astype(bool)  # up to the first depth at the floor
        d, c_fit = depth[above], c[above]
        enough = len(d) > 1
        fits[kind] = {
            "mean_lag1_by_depth": {str(int(k)): float(v) for k, v in mean.items()},
            "per_layer_factor": float(np.exp(np.polyfit(d, np.log(c_fit), 1)[0]))
            if enough
            else None,
            "power_law_exponent": float(-np.polyfit(np.log(d), np.log(c_fit), 1)[0])
            if enough
            else None,
            "depths_fitted": [int(x) for x in d],
            "deepest": int(depth.max()),
            "lag1_at_deepest": float(c[-1]),
        }
    return fits
