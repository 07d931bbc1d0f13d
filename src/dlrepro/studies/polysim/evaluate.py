"""How often the coefficient distance and the shape distance disagree, on random polynomials."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from dlrepro.studies.polysim.distance import (
    coefficient_distance,
    legendre_coefficients,
    shape_distance,
    shape_distance_quadrature,
)


def random_polynomials(rng: np.random.Generator, n: int, degree: int, scale: float) -> np.ndarray:
    return rng.normal(0.0, scale, size=(n, degree + 1))


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
    rho = spearmanr(coef.ravel(), shape.ravel()).statistic
    metrics = {
        "triplets": int(len(ref)),
        "disagreeing_triplet_fraction": float(disagree.mean()),
        "spearman_coefficient_vs_shape": float(rho),
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
