"""Gradient correlations along a line of inputs, per network kind and depth; co-activation of
the rectifiers per layer (Balduzzi et al. 2017: a unit is co-active on two inputs when it is
active on both)."""

from __future__ import annotations

import numpy as np
import torch

from dlrepro.core.determinism import stream_seed
from dlrepro.core.repeats import describe
from dlrepro.errors import DlreproError
from dlrepro.studies.shattered.nets import (
    LineNet,
    activation_patterns,
    freeze_batch_statistics,
    input_gradients,
)


def line(p: dict) -> torch.Tensor:
    lo, hi = p["interval"]
    return torch.linspace(lo, hi, p["points"], dtype=torch.float64)[:, None]


def initialised(kind: str, depth: int, seed: int, p: dict) -> tuple[LineNet, torch.Tensor]:
    """One random initialisation (BN statistics frozen on the line) and the line."""
    torch.manual_seed(stream_seed(seed, "shattered", kind, str(depth)))
    net = LineNet(kind, depth, p["width"], p["beta"]).double()
    x = line(p)
    return freeze_batch_statistics(net, x), x


def gradients(kind: str, depth: int, seed: int, p: dict) -> np.ndarray:
    net, x = initialised(kind, depth, seed, p)
    return input_gradients(net, x).numpy()


def coactivation(active: np.ndarray) -> float:
    """Fraction of (unit, pair of distinct inputs) where the unit is active on both inputs, for
    a pattern active[input, unit]. Per unit active on k of n inputs: k(k-1) / (n(n-1)) of the
    ordered pairs; so 1/4 (up to 1/n) when every unit is active on half the inputs."""
    active = np.asarray(active, dtype=bool)
    if active.ndim != 2 or active.shape[0] < 2 or active.shape[1] < 1:
        raise DlreproError(
            f"coactivation: need a pattern [inputs >= 2, units >= 1], got shape {active.shape}"
        )
    n = active.shape[0]
    k = active.sum(axis=0).astype(np.float64)
    return float(np.mean(k * (k - 1)) / (n * (n - 1)))


def layer_coactivation(net: LineNet, x: torch.Tensor) -> dict[str, list[float]]:
    """Per hidden block (1..depth): co-activation over pairs of the inputs x, and the fraction
    of units active per input (averaged over inputs)."""
    patterns = activation_patterns(net, x)
    return {
        "coactivation": [coactivation(a) for a in patterns],
        "active_fraction": [float(a.mean()) for a in patterns],
    }


def autocorrelation(g: np.ndarray, max_lag: int) -> np.ndarray:
    """Correlation of g[i] with g[i + lag], lag = 0..max_lag (1 at lag 0)."""
    g = g - g.mean()
    var = float(g @ g)
    if var == 0:  # a constant gradient (a linear function): perfectly correlated
        return np.ones(max_lag + 1)
    return np.array([float(g[: len(g) - k] @ g[k:]) / var for k in range(max_lag + 1)])


def measure(kinds, p: dict, seed: int) -> tuple[list[dict], dict[str, np.ndarray], dict]:
    """Rows (kind, depth, replicate, lag-1 correlation; co-activation and active fraction at the
    net's last hidden layer), the gradients for the figures (first replicate), and per kind the
    deepest net's co-activation and active fraction per layer: arrays [replicate, layer]."""
    rows, examples, layers = [], {}, {}
    deepest = max(p["depths"])
    for kind in kinds:
        for depth in p["depths"]:
            per_replicate = []
            for r in range(p["replicates"]):
                net, x = initialised(kind, depth, stream_seed(seed, str(r)), p)
                g = input_gradients(net, x).numpy()
                co = layer_coactivation(net, x)
                per_replicate.append(co)
                rows.append(
                    {
                        "kind": kind,
                        "depth": depth,
                        "replicate": r,
                        "lag1_correlation": float(autocorrelation(g, 1)[1]),
                        "coactivation_last_layer": co["coactivation"][-1],
                        "active_fraction_last_layer": co["active_fraction"][-1],
                    }
                )
                if r == 0:
                    examples[f"{kind}/{depth}"] = g
            if depth == deepest:
                layers[kind] = {
                    k: np.array([co[k] for co in per_replicate]) for k in per_replicate[0]
                }
    return rows, examples, layers


def coactivation_summary(layers: dict) -> dict:
    """Per kind, from the deepest net's [replicate, layer] arrays: the mean over replicates per
    layer (layer 1 = the first hidden block), and the first and last hidden layers' values per
    replicate (described over replicates, for the claims)."""
    out = {}
    for kind, arrays in layers.items():
        co, active = arrays["coactivation"], arrays["active_fraction"]
        out[kind] = {
            "coactivation_by_layer": {str(i + 1): float(v) for i, v in enumerate(co.mean(0))},
            "active_fraction_by_layer": {
                str(i + 1): float(v) for i, v in enumerate(active.mean(0))
            },
            "coactivation_first_layer": describe(co[:, 0].tolist()),
            "coactivation_last_layer": describe(co[:, -1].tolist()),
            "active_fraction_first_layer": describe(active[:, 0].tolist()),
            "active_fraction_last_layer": describe(active[:, -1].tolist()),
        }
    return out


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
