"""How often the coefficient distance and the shape distance disagree, on random polynomials."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from dlrepro.core.repeats import describe
from dlrepro.studies.polysim.distance import (
    coefficient_distance,
    legendre_coefficients,
    shape_distance,
    shape_distance_quadrature,
)
from dlrepro.studies.polysim.shape_norms import curve_norms, disagree


def random_polynomials(rng: np.random.Generator, n: int, degree: int, scale: float) -> np.ndarray:
    return rng.normal(0.0, scale, size=(n, degree + 1))


# The triplets are split into this many equal sets, each an independent replicate of the
# experiment (made in this one job: each takes milliseconds), so that the claim on the
# disagreeing fraction is judged with its spread over replicates (core.claims reads `runs`).
REPLICATE_SETS = 10


def replicate_fractions(disagree: np.ndarray) -> list[float]:
    """The disagreeing fraction in each of min(REPLICATE_SETS, triplets) consecutive sets of
    triplets (sizes differ by at most one; equal when the sets divide the triplets)."""
    sets = np.array_split(disagree, min(REPLICATE_SETS, len(disagree)))
    return [float(s.mean()) for s in sets]


def shape_norm_agreement(
    coef: np.ndarray, norms: dict[str, np.ndarray], sets: int
) -> dict[str, dict]:
    """Per replicate set (as `replicate_fractions`): the largest disagreement between two of the
    curve norms, and the coefficient distance's disagreement with the norm it agrees with most.
    coef and each norm: [triplets, 2]. Also each pair's disagreement over all triplets."""
    names = list(norms)
    pairs = [(x, y) for i, x in enumerate(names) for y in names[i + 1 :]]
    between = {f"{x}~{y}": disagree(norms[x], norms[y]) for x, y in pairs}
    with_coef = {f"coefficients~{x}": disagree(coef, norms[x]) for x in names}
    split = {k: np.array_split(v, sets) for k, v in {**between, **with_coef}.items()}
    between_max = [max(split[k][i].mean() for k in between) for i in range(sets)]
    nearest = [min(split[k][i].mean() for k in with_coef) for i in range(sets)]
    return {
        "between_shape_norms_max": describe(between_max),
        "coefficient_vs_nearest_shape_norm": describe(nearest),
        "pairwise": {k: float(v.mean()) for k, v in {**between, **with_coef}.items()},
    }


def evaluate(rng: np.random.Generator, p: dict) -> tuple[dict, dict]:
    """Metrics, and the arrays the figures draw (pairs' distances, the clearest triplet)."""
    a, b = p["interval"]
    polys = random_polynomials(rng, 3 * p["triplets"], p["degree"], p["coefficient_scale"])
    ref, one, two = polys[0::3], polys[1::3], polys[2::3]
    coef = np.stack([coefficient_distance(ref, one), coefficient_distance(ref, two)], axis=1)
    shape = np.stack([shape_distance(ref, one, a, b), shape_distance(ref, two, a, b)], axis=1)
    # a triplet disagrees when the two distances pick different candidates as the closer one
    disagree = (coef[:, 0] < coef[:, 1]) != (shape[:, 0] < shape[:, 1])
    # the clearest disagreement: the largest product of the two log-ratios of opposite sign
    margin = -np.log(coef[:, 0] / coef[:, 1]) * np.log(shape[:, 0] / shape[:, 1])
    best = int(np.argmax(np.where(disagree, margin, -np.inf))) if disagree.any() else 0

    checks = polys[: min(len(polys), 200)]
    quad_err = max(
        abs(shape_distance(x, y, a, b) - shape_distance_quadrature(x, y, a, b))
        / max(shape_distance(x, y, a, b), 1e-300)
        for x, y in zip(checks[::2], checks[1::2])
    )
    leg_err = max(
        abs(
            shape_distance(x, y, a, b)
            - coefficient_distance(legendre_coefficients(x, a, b), legendre_coefficients(y, a, b))
        )
        / max(shape_distance(x, y, a, b), 1e-300)
        for x, y in zip(checks[::2], checks[1::2])
    )
    # the same triplets under the L1 and L-inf norms of p - q (no new random draws)
    other = [curve_norms(ref, cand, a, b) for cand in (one, two)]
    norms = {"L2": shape, **{k: np.stack([o[k] for o in other], axis=1) for k in other[0]}}
    agreement = shape_norm_agreement(coef, norms, min(REPLICATE_SETS, len(ref)))
    rho = spearmanr(coef.ravel(), shape.ravel()).statistic
    metrics = {
        "triplets": int(len(ref)),
        "replicate_sets": min(REPLICATE_SETS, len(ref)),
        # described over the replicate sets: mean, sd, min, max and each set's value (`runs`)
        "disagreeing_triplet_fraction": describe(replicate_fractions(disagree)),
        "spearman_coefficient_vs_shape": float(rho),
        "shape_norms": agreement,
        "closed_form_vs_quadrature_max_rel_error": float(quad_err),
        "legendre_euclidean_vs_shape_max_rel_error": float(leg_err),
        "example": {
            "reference": ref[best].tolist(),
            "closer_by_coefficients": (one if coef[best, 0] < coef[best, 1] else two)[
                best
            ].tolist(),
            "closer_by_shape": (one if shape[best, 0] < shape[best, 1] else two)[best].tolist(),
        },
    }
    arrays = {"coefficient_distance": coef.ravel(), "shape_distance": shape.ravel()}
    return metrics, arrays
