"""Distances between polynomials p(x) = sum_k c_k x^k on an interval [a, b].

The shape distance is the L2 distance of the curves, sqrt(integral_a^b (p - q)^2 dx). With
d = c_p - c_q it is a quadratic form in the coefficients, d^T G d, where G is the Gram matrix
of the monomials on [a, b]: G_jk = (b^(j+k+1) - a^(j+k+1)) / (j+k+1). So it costs no more than
the Euclidean distance of the coefficients, which weighs every power of x the same whatever
it does to the curve on the interval. (In an orthonormal basis of the interval, e.g. scaled
Legendre polynomials, the two coincide: see `legendre_coefficients`.)
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import legendre, polynomial


def gram_matrix(degree: int, a: float, b: float) -> np.ndarray:
    power = np.arange(degree + 1)
    s = power[:, None] + power[None, :] + 1
    return (b**s - a**s) / s


def shape_distance(p: np.ndarray, q: np.ndarray, a: float, b: float) -> np.ndarray:
    """L2 distance of the curves on [a, b]; p, q: [..., degree + 1] coefficients, x^0 first."""
    d = np.asarray(p, float) - np.asarray(q, float)
    g = gram_matrix(d.shape[-1] - 1, a, b)
    return np.sqrt(np.maximum(np.einsum("...j,jk,...k->...", d, g, d), 0.0))


def coefficient_distance(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.linalg.norm(np.asarray(p, float) - np.asarray(q, float), axis=-1)


def shape_distance_quadrature(p: np.ndarray, q: np.ndarray, a: float, b: float) -> float:
    """The same integral by Gauss-Legendre quadrature (exact for these degrees): a check."""
    d = np.asarray(p, float) - np.asarray(q, float)
    nodes, weights = legendre.leggauss(d.shape[-1] + 1)
    x = (b - a) / 2 * nodes + (a + b) / 2
    return float(np.sqrt((b - a) / 2 * np.sum(weights * polynomial.polyval(x, d) ** 2)))


def legendre_coefficients(p: np.ndarray, a: float, b: float) -> np.ndarray:
    """Coefficients of p in the Legendre basis of [a, b], orthonormalised, so that their
    Euclidean distance equals the shape distance."""
    n = len(p)
    # p(x) with x = (b - a)/2 * u + (a + b)/2, as a polynomial in u on [-1, 1]
    in_u = polynomial.polyval(polynomial.Polynomial([(a + b) / 2, (b - a) / 2]), p)
    c = legendre.poly2leg(in_u.coef)
    c = np.pad(c, (0, n - len(c)))  # numpy trims trailing zero coefficients
    norm = np.sqrt((b - a) / 2 * 2 / (2 * np.arange(n) + 1))  # ||P_k|| on [a, b]
    return c * norm
