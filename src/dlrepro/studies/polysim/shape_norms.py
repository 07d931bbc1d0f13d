"""Other measures of how far apart two curves are on [a, b]: the L1 and L-infinity norms of
p - q (the L2 norm is `distance.shape_distance`). The post's own function is unknown, so the
claim is judged against all three standard norms, not our one pick: the coefficient distance
should rank triplets unlike any of them more often than they rank them unlike each other.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import polynomial

from dlrepro.errors import DlreproError

# points of the grid the L1 and L-inf norms are taken on: the curves are low-degree
# polynomials, so the grid's error (relative ~1e-6) matters only for near-ties
GRID_POINTS = 2001
CHUNK = 4096  # pairs per block, to bound memory (CHUNK x GRID_POINTS floats)


def curve_norms(p: np.ndarray, q: np.ndarray, a: float, b: float) -> dict[str, np.ndarray]:
    """L1 (integral of |p - q|, trapezoid rule) and L-inf (max |p - q|) on a grid of [a, b];
    p, q: [pairs, degree + 1] coefficients, x^0 first."""
    if not b > a:
        raise DlreproError(f"polysim: the interval needs a < b, got [{a}, {b}]")
    d = np.atleast_2d(np.asarray(p, float) - np.asarray(q, float))
    x = np.linspace(a, b, GRID_POINTS)
    l1, linf = np.empty(len(d)), np.empty(len(d))
    for start in range(0, len(d), CHUNK):
        block = np.abs(polynomial.polyval(x, d[start : start + CHUNK].T))  # [pairs, points]
        l1[start : start + CHUNK] = np.trapezoid(block, x, axis=1)
        linf[start : start + CHUNK] = block.max(axis=1)
    return {"L1": l1, "Linf": linf}


def disagree(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per triplet, whether two distances pick different candidates as the closer one;
    first, second: [triplets, 2] distances from the reference to candidates A and B."""
    return (first[:, 0] < first[:, 1]) != (second[:, 0] < second[:, 1])
