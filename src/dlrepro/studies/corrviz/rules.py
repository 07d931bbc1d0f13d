"""The post's five rules for a correlation heat map, applied one at a time (each panel keeps the
rules before it), and a number per rule that says what the rule changes.

1. limit the colour range to the middle 99.x% of the values (the diagonal of ones no longer
   sets the scale);
2. symmetric bounds (-m, m), so 0 sits at the middle of the colour map;
3. a diverging colour map (sign shows as hue);
4. 0 a dull dark colour, strong correlations bright (matplotlib's `berlin`: dark centre);
5. an ordering that puts correlated features together (hierarchical clustering of 1 - |r|).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
from scipy.spatial.distance import squareform

RULES = ("default", "middle_range", "symmetric", "diverging", "dark_zero", "ordered")


@dataclass(frozen=True)
class Panel:
    rule: str
    cmap: str
    vmin: float
    vmax: float
    order: tuple[int, ...]


def off_diagonal(corr: np.ndarray) -> np.ndarray:
    return corr[np.triu_indices(len(corr), k=1)]


def cluster_order(corr: np.ndarray) -> tuple[int, ...]:
    """Leaves of average-linkage clustering on 1 - |r|, optimally ordered (deterministic)."""
    distance = squareform(1.0 - np.abs(corr), checks=False)
    tree = linkage(distance, method="average")
    return tuple(int(i) for i in leaves_list(optimal_leaf_ordering(tree, distance)))


def panels(corr: np.ndarray, middle: float) -> list[Panel]:
    """One panel per rule, cumulative. `middle`: the share of values the colour range spans."""
    n = len(corr)
    identity = tuple(range(n))
    # off-diagonal values only: the diagonal of ones is not data, and with few features it is
    # more than the 0.x% the rule trims, so it would keep setting the top of the scale
    lo, hi = np.quantile(off_diagonal(corr), [(1 - middle) / 2, (1 + middle) / 2])
    m = max(abs(lo), abs(hi))
    return [
        Panel("default", "viridis", float(corr.min()), float(corr.max()), identity),
        Panel("middle_range", "viridis", float(lo), float(hi), identity),
        Panel("symmetric", "viridis", -float(m), float(m), identity),
        Panel("diverging", "RdBu_r", -float(m), float(m), identity),
        Panel("dark_zero", "berlin", -float(m), float(m), identity),
        Panel("ordered", "berlin", -float(m), float(m), cluster_order(corr)),
    ]


def luminance(cmap: str, value: float, vmin: float, vmax: float) -> float:
    """Relative luminance (sRGB, WCAG) of the colour a value gets."""
    rgb = np.array(
        matplotlib.colormaps[cmap]((np.clip(value, vmin, vmax) - vmin) / (vmax - vmin))[:3]
    )
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def panel_metrics(corr: np.ndarray, panel: Panel) -> dict:
    """What each rule is for, measured on the panel:
    - colour_range_used: share of the colour range spanned by the middle 98% of the
      off-diagonal values (rule 1 raises it);
    - zero_offset: distance of r = 0 from the middle of the colour range, in range units (rule 2);
    - sign_luminance_asymmetry: |lightness(-m/2) - lightness(+m/2)|: a sequential map tells
      the sign by lightness, a diverging one by hue at equal lightness (rule 3 lowers it);
    - luminance_zero / luminance_strong: r = 0 vs the mean of r = +-m (rule 4 makes 0 darker);
    - neighbour_abs_corr: mean |r| of features next to each other in the order (rule 5).
    """
    lo, hi = np.quantile(off_diagonal(corr), [0.01, 0.99])
    span = panel.vmax - panel.vmin
    used = (min(hi, panel.vmax) - max(lo, panel.vmin)) / span
    m = max(abs(panel.vmin), abs(panel.vmax))
    order = np.array(panel.order)
    return {
        "rule": panel.rule,
        "cmap": panel.cmap,
        "vmin": panel.vmin,
        "vmax": panel.vmax,
        "colour_range_used": float(used),
        "zero_offset": float(abs((0 - panel.vmin) / span - 0.5)),
        "sign_luminance_asymmetry": abs(
            luminance(panel.cmap, -m / 2, panel.vmin, panel.vmax)
            - luminance(panel.cmap, m / 2, panel.vmin, panel.vmax)
        ),
        "luminance_zero": luminance(panel.cmap, 0.0, panel.vmin, panel.vmax),
        "luminance_strong": float(
            np.mean([luminance(panel.cmap, s * m, panel.vmin, panel.vmax) for s in (-1, 1)])
        ),
        "neighbour_abs_corr": float(np.mean(np.abs(corr[order[:-1], order[1:]]))),
    }
