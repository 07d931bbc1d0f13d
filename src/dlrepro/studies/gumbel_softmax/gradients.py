"""Gradient estimators of an expected loss under a small categorical, against the exact gradient.

Loss: L(theta) = E_{k ~ Cat(softmax theta)} f(e_k), f(z) = ||z - t||^2 (t a point of the simplex;
f is defined on the whole simplex, so the relaxed sample can be plugged in). Exact:
dL/dtheta_j = p_j (f(e_j) - L). Estimators, one value per Gumbel draw g (the same draws for all,
so they differ only by the estimator):
- score function (REINFORCE): f(e_k) (e_k - p), k = argmax(theta + g); unbiased;
- score function with the exact mean as baseline: (f(e_k) - L) (e_k - p); still unbiased;
- Gumbel-softmax (reparameterised): d f(z)/d theta at z = softmax((theta + g)/tau); biased (it is
  the gradient of E f(z), not of E f(e_k)), the bias vanishing as tau -> 0;
- straight-through Gumbel-softmax: f evaluated at the one-hot argmax, its gradient passed through
  the soft sample's Jacobian."""

from __future__ import annotations

import numpy as np

from dlrepro.studies.gumbel_softmax.relaxation import gumbel_softmax, probabilities


def vertex_losses(t: np.ndarray) -> np.ndarray:
    """f(e_k) = ||e_k - t||^2 for every k."""
    return np.sum((np.eye(len(t)) - t) ** 2, axis=1)


def exact_gradient(logits: np.ndarray, t: np.ndarray) -> np.ndarray:
    p = probabilities(logits)
    f = vertex_losses(t)
    return p * (f - p @ f)


def score_function(logits: np.ndarray, t: np.ndarray, g: np.ndarray, baseline: bool) -> np.ndarray:
    p = probabilities(logits)
    f = vertex_losses(t)
    k = np.argmax(logits + g, axis=-1)
    onehot = np.eye(len(p))[k]
    weight = f[k] - (p @ f if baseline else 0.0)
    return weight[:, None] * (onehot - p)


def _through_softmax(z: np.ndarray, df_dz: np.ndarray, tau: float) -> np.ndarray:
    """J^T df_dz with J = dz/dtheta = (diag z - z z^T) / tau (symmetric), row by row."""
    return (z * df_dz - z * np.sum(z * df_dz, axis=-1, keepdims=True)) / tau


def gumbel_softmax_gradient(logits, t, g, tau: float) -> np.ndarray:
    z = gumbel_softmax(logits, g, tau)
    return _through_softmax(z, 2.0 * (z - t), tau)


def straight_through_gradient(logits, t, g, tau: float) -> np.ndarray:
    z = gumbel_softmax(logits, g, tau)
    hard = np.eye(z.shape[-1])[z.argmax(axis=-1)]
    return _through_softmax(z, 2.0 * (hard - t), tau)


def estimator_stats(estimates: np.ndarray, exact: np.ndarray) -> dict:
    """Per-draw variance (trace of the covariance over draws) and bias (||mean - exact||_2, which
    includes the mean's own Monte Carlo error, about sqrt(variance / draws))."""
    mean = estimates.mean(axis=0)
    variance = float(estimates.var(axis=0, ddof=1).sum())
    return {
        "variance": variance,
        "bias": float(np.linalg.norm(mean - exact)),
        "mc_error": float(np.sqrt(variance / len(estimates))),
    }
