"""Gradient correlations along a line of inputs, per network kind and depth."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.core.determinism import stream_seed
from dlrepro.core.repeats import describe
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


def _fit_rates(depth: np.ndarray, c: np.ndarray) -> tuple[float, float] | None:
    """(per-layer factor r of c ~ r^L, exponent a of c ~ L^-a), or None under two points."""
    if len(depth) < 2:
        return None
    factor = float(np.exp(np.polyfit(depth, np.log(c), 1)[0]))
    return factor, float(-np.polyfit(np.log(depth), np.log(c), 1)[0])


def decay_fits(table, floor: float) -> dict:
    """Per kind: the mean lag-1 correlation per depth; the lag-1 correlation at the deepest depth
    per replicate; and two fits of how it falls with depth, per replicate: the per-layer factor r
    of c ~ r^L (the paper: 1/2 for feed-forward rectifier nets) and the exponent a of c ~ L^-a
    (the paper: 1/2 for resnets with BN). The fits use the depths where the MEAN correlation is
    still above `floor` (below, it is noise around 0), the same depths for every replicate so
    that their fits compare; a replicate is fitted over the part of them where its own
    correlation is positive (a log needs it), and left out with fewer than two such depths.

    Replicate values are described (core.repeats.describe: mean, sd, min, max, `runs`) so that
    claims are judged with the spread over replicates."""
    fits = {}
    for kind, frame in table.groupby("kind", sort=False):
        by_depth = frame.pivot(index="depth", columns="replicate", values="lag1_correlation")
        mean = by_depth.mean(axis=1)
        depth = mean.index.to_numpy(float)
        # up to the first depth where the mean is at the floor
        above = np.cumprod(mean.to_numpy() > floor).astype(bool)
        d = depth[above]
        rates = []
        for r in by_depth.columns:
            c = by_depth[r].to_numpy()[above]
            positive = np.cumprod(c > 0).astype(bool)
            rates.append(_fit_rates(d[positive], c[positive]))
        fitted = [x for x in rates if x is not None]
        fits[kind] = {
            "mean_lag1_by_depth": {str(int(k)): float(v) for k, v in mean.items()},
            # no fit (fewer than two depths above the floor, e.g. at smoke scale): no key
            **(
                {
                    "per_layer_factor": describe([f for f, _ in fitted]),
                    "power_law_exponent": describe([a for _, a in fitted]),
                }
                if fitted
                else {}
            ),
            "replicates_fitted": len(fitted),
            "depths_fitted": [int(x) for x in d],
            "deepest": int(depth.max()),
            "lag1_at_deepest": describe(by_depth.iloc[-1].tolist()),
        }
    return fits
