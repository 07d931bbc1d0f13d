"""PCA read as a Gaussian: probabilistic PCA (Tipping & Bishop 1999), which scikit-learn's PCA
implements: covariance W W^T + s^2 I with W from the leading components and s^2 the mean of the
discarded variances. `PCA.score_samples` is its log-likelihood; sampling is written here."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

OUTLIER_KINDS = ("uniform_noise", "inverted", "shuffled_pixels")


def fit(x: np.ndarray, components: int, seed: int) -> PCA:
    return PCA(n_components=components, svd_solver="full", random_state=seed).fit(x)


def sample(pca: PCA, rng: np.random.Generator, n: int, with_noise: bool) -> np.ndarray:
    """Draws from the fitted Gaussian; without the isotropic noise, only the k-dim part."""
    scale = np.sqrt(np.maximum(pca.explained_variance_ - pca.noise_variance_, 0.0))
    z = rng.standard_normal((n, pca.n_components_))
    x = pca.mean_ + (z * scale) @ pca.components_
    if with_noise:
        x = x + np.sqrt(pca.noise_variance_) * rng.standard_normal(x.shape)
    return x


def outliers(kind: str, digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Images that are not digits, built from test digits [n, 784] in [0, 1]:
    uniform noise; inverted digits (1 - x); each digit's pixels shuffled (same intensities,
    no strokes)."""
    if kind == "uniform_noise":
        return rng.uniform(0.0, 1.0, digits.shape)
    if kind == "inverted":
        return 1.0 - digits
    if kind == "shuffled_pixels":
        return rng.permuted(digits, axis=1)
    raise ValueError(kind)
