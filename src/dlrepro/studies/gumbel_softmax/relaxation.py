"""The Gumbel-softmax (concrete) relaxation of a categorical, in numpy, and what is measured of
it: distance from the simplex, closeness to one-hot vectors, the argmax's distribution and the
mean sample against the categorical's probabilities.

A sample is z = softmax((logits + g) / tau) with g i.i.d. standard Gumbel; argmax z is
argmax(logits + g), which the Gumbel-max trick makes distributed exactly as Categorical(softmax
(logits)) for every tau > 0."""

from __future__ import annotations

import numpy as np
from scipy import stats

from dlrepro.errors import DlreproError


def probabilities(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard Gumbel draws, -log(-log U); U in (0, 1) so both logs are finite."""
    u = rng.uniform(np.finfo(np.float64).tiny, 1.0, size=shape)
    return -np.log(-np.log(u))


def gumbel_softmax(logits: np.ndarray, g: np.ndarray, tau: float) -> np.ndarray:
    """softmax((logits + g) / tau) over the last axis (the relaxed sample), in float64."""
    if tau <= 0:
        raise DlreproError(f"gumbel_softmax: the temperature must be > 0, got {tau}")
    return probabilities((np.asarray(logits, np.float64) + g) / tau)


def simplex_violation(z: np.ndarray) -> float:
    """How far samples are from the simplex: max of the most negative component's size and the
    largest |sum - 1| (0 for points on it, up to rounding)."""
    return float(max(max(-z.min(), 0.0), np.abs(z.sum(axis=-1) - 1.0).max()))


def mean_max_component(z: np.ndarray) -> float:
    """Mean of each sample's largest component: 1 exactly for one-hot vectors, 1/K at the centre.
    (The L1 distance to the nearest vertex is 2 (1 - max component), so it says the same.)"""
    return float(z.max(axis=-1).mean())


def expectation_distances(z: np.ndarray, p: np.ndarray) -> dict:
    """L1 distance of the mean sample from the categorical's probabilities and from uniform."""
    mean = z.mean(axis=0)
    k = len(p)
    return {
        "l1_to_probs": float(np.abs(mean - p).sum()),
        "l1_to_uniform": float(np.abs(mean - 1.0 / k).sum()),
    }


def argmax_fit(z: np.ndarray, p: np.ndarray) -> dict:
    """Pearson chi-square goodness of fit of the samples' argmax counts to Categorical(p), and the
    largest |frequency - p|."""
    n, k = z.shape
    if len(p) != k:
        raise DlreproError(f"argmax_fit: {k} components but {len(p)} probabilities")
    counts = np.bincount(z.argmax(axis=-1), minlength=k)
    test = stats.chisquare(counts, n * p)
    return {
        "chi2": float(test.statistic),
        "p_value": float(test.pvalue),
        "max_abs_freq_error": float(np.abs(counts / n - p).max()),
    }


def tau_key(tau: float) -> str:
    """A temperature as a metrics key without a dot (claims' paths split on dots): 0.5 -> tau_0p5."""
    return "tau_" + f"{tau:g}".replace(".", "p")
