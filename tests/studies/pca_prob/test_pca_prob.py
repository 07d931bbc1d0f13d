"""Probabilistic PCA: draws have the model's covariance, outliers are what they say."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from dlrepro.errors import DlreproError
from dlrepro.studies.pca_prob.model import (
    OUTLIER_KINDS,
    fit,
    outliers,
    sample,
    sample_likelihoods,
    standardised_gap,
    unseen_digits,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    # 6-D data with a 2-D structure plus small noise
    z = rng.normal(size=(4000, 2)) * [3.0, 1.5]
    return z @ rng.normal(size=(2, 6)) + 0.2 * rng.normal(size=(4000, 6)) + 1.0


def test_score_samples_is_the_gaussian_log_density(data):
    pca = fit(data, 2, seed=0)
    expected = multivariate_normal(pca.mean_, pca.get_covariance()).logpdf(data[:50])
    assert np.allclose(pca.score_samples(data[:50]), expected)


def test_draws_with_noise_have_the_model_covariance(data):
    pca = fit(data, 2, seed=0)
    draws = sample(pca, np.random.default_rng(1), 200_000, with_noise=True)
    assert np.allclose(np.cov(draws, rowvar=False), pca.get_covariance(), rtol=0.02, atol=0.05)
    assert np.allclose(draws.mean(0), pca.mean_, atol=0.05)
    # off the principal subspace only the isotropic noise is left, with the model's variance
    basis = np.linalg.svd(pca.components_)[2][2:]  # orthonormal complement of the 2 components
    residual = (draws - pca.mean_) @ basis.T
    assert np.allclose(residual.var(axis=0), pca.noise_variance_, rtol=0.03)
    # without the noise, the draws lie in the 2-D principal subspace
    flat = sample(pca, np.random.default_rng(1), 500, with_noise=False) - pca.mean_
    assert np.linalg.matrix_rank(flat, tol=1e-8) == 2


def test_outliers_are_what_they_say():
    rng = np.random.default_rng(0)
    digits = rng.uniform(size=(5, 784)) * (rng.uniform(size=(5, 784)) > 0.8)
    inverted = outliers("inverted", digits, rng)
    assert np.array_equal(inverted, 1.0 - digits)
    shuffled = outliers("shuffled_pixels", digits, rng)
    assert np.array_equal(np.sort(shuffled, axis=1), np.sort(digits, axis=1))
    assert not np.array_equal(shuffled, digits)
    noise = outliers("uniform_noise", digits, rng)
    assert noise.shape == digits.shape and 0 <= noise.min() and noise.max() <= 1
    assert set(OUTLIER_KINDS) == {"uniform_noise", "inverted", "shuffled_pixels"}


def test_the_fit_is_deterministic_given_the_data_whatever_the_seed(data):
    # the page says so: a full SVD uses no randomness, so there are no runs to repeat
    a, b = fit(data, 2, seed=0), fit(data, 2, seed=12345)
    assert np.array_equal(a.components_, b.components_)
    assert a.noise_variance_ == b.noise_variance_
    assert np.array_equal(a.score_samples(data[:20]), b.score_samples(data[:20]))


def test_the_headline_is_the_unseen_digit_and_the_easy_sets_are_checks():
    from dlrepro.core.claims import compare, load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("pca_prob") / "claims.yaml")
    kinds = {c["ours"]: (c["kind"], str(c.get("fixed"))) for c in claims["claims"]}
    assert kinds["outliers.novel_digit.roc_auc"] == ("qualitative", "2026-11-21")
    assert kinds["unseen_digits.roc_auc"] == ("qualitative", "2026-11-29")
    assert all(kinds[f"outliers.{k}.roc_auc"][0] == "check" for k in OUTLIER_KINDS)
    assert kinds["samples_check.abs_standardised_gap"][0] == "check"
    metrics = {
        "outliers": {k: {"roc_auc": 0.95} for k in (*OUTLIER_KINDS, "novel_digit")},
        "unseen_digits": {"roc_auc": [0.95] * 9 + [0.5]},
        "samples_check": {"abs_standardised_gap": 0.1},
    }
    metrics["outliers"]["novel_digit"]["roc_auc"] = 0.5
    verdicts = compare(claims, metrics, {"scale": "smoke"})["verdict"].tolist()
    # one class of ten under the bound: the classes' mean interval straddles it
    assert verdicts == ["differs", "within noise", "passed", "passed", "passed", "passed"]
    metrics["unseen_digits"]["roc_auc"] = [0.5] * 10
    metrics["samples_check"]["abs_standardised_gap"] = 0.7
    verdicts = compare(claims, metrics, {"scale": "smoke"})["verdict"].tolist()
    assert verdicts[1:3] == ["differs", "failed"]


def test_unseen_digits_leave_each_class_out_and_find_a_far_class():
    rng = np.random.default_rng(0)
    # three classes: two on nearby 2-D planes, one far away: leaving the far one out is easy
    basis = rng.normal(size=(2, 12))
    centres = np.zeros((3, 12))
    centres[2] = 8.0
    y = np.repeat(np.arange(3), 400)
    x = centres[y] + rng.normal(size=(1200, 2)) @ basis + 0.1 * rng.normal(size=(1200, 12))
    train, test = x[::2], x[1::2]
    rows = unseen_digits(train, y[::2], test, y[1::2], components=2, seed=0)
    assert [r["digit"] for r in rows] == [0, 1, 2]
    assert all(r["n_unseen"] == 200 for r in rows)
    assert rows[2]["roc_auc"] > 0.99 and rows[2]["mean_loglik_unseen"] < rows[2]["mean_loglik_seen"]
    # the same score by hand for one class: a fit without it, AUC of seen (1) vs unseen (0)
    from sklearn.metrics import roc_auc_score

    by_hand = fit(train[y[::2] != 0], 2, seed=0).score_samples(test)
    assert rows[0]["roc_auc"] == pytest.approx(roc_auc_score(y[1::2] != 0, by_hand), abs=1e-9)
    with pytest.raises(DlreproError):
        unseen_digits(train, y[::2], test[:5], np.zeros(5, dtype=int), components=2, seed=0)


def test_the_models_own_draws_score_like_its_training_data(data):
    # the check's premise: at the maximum-likelihood fit E[loglik(draw)] = mean training loglik
    pca = fit(data, 2, seed=0)
    drawn = sample_likelihoods(pca, np.random.default_rng(2), 50_000)
    assert drawn["draws"].mean() == pytest.approx(pca.score(data), abs=0.02)
    # without the isotropic noise the draws skip the residual cost: (d - k) / 2 nats higher
    gap = drawn["draws_without_noise"].mean() - drawn["draws"].mean()
    assert gap == pytest.approx((6 - 2) / 2, abs=0.05)
    digits = pca.score_samples(data)
    assert abs(standardised_gap(drawn["draws"], digits)) < 0.05
    # a sampler with twice the noise would fail the check: 3 (d - k) / 2 nats lower on average
    rng = np.random.default_rng(3)
    flat = sample(pca, rng, 50_000, with_noise=False)
    wrong = pca.score_samples(
        flat + 2 * np.sqrt(pca.noise_variance_) * rng.standard_normal(flat.shape)
    )
    assert wrong.mean() - digits.mean() == pytest.approx(-3 * (6 - 2) / 2, abs=0.2)
    assert standardised_gap(wrong, digits) < -1


def test_standardised_gap_is_the_mean_difference_in_digit_sds():
    digits = np.array([1.0, 2.0, 3.0])  # mean 2, sd 1
    assert standardised_gap(np.array([3.0, 4.0]), digits) == pytest.approx(1.5)
    assert standardised_gap(np.array([2.0]), digits) == 0.0
