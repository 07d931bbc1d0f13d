"""Shape distance of polynomials: closed form = quadrature = orthonormal-basis Euclidean."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import polynomial

from dlrepro.errors import DlreproError
from dlrepro.studies.polysim.distance import (
    coefficient_distance,
    gram_matrix,
    legendre_coefficients,
    shape_distance,
    shape_distance_quadrature,
)
from dlrepro.studies.polysim.evaluate import (
    REPLICATE_SETS,
    evaluate,
    replicate_fractions,
    shape_norm_agreement,
)
from dlrepro.studies.polysim.shape_norms import curve_norms, disagree

coefs = st.lists(st.floats(-5, 5), min_size=1, max_size=6)
intervals = st.tuples(st.floats(-3, 3), st.floats(0.1, 4)).map(lambda t: (t[0], t[0] + t[1]))


def _pair(p, q):
    n = max(len(p), len(q))
    return np.pad(p, (0, n - len(p))), np.pad(q, (0, n - len(q)))


@settings(max_examples=200, deadline=None)
@given(coefs, coefs, intervals)
def test_closed_form_equals_quadrature_and_legendre_euclidean(p, q, interval):
    p, q = _pair(p, q)
    a, b = interval
    d = shape_distance(p, q, a, b)
    scale = 1 + np.abs(p - q).sum() * max(abs(a), abs(b)) ** len(p)
    assert d == pytest.approx(shape_distance_quadrature(p, q, a, b), abs=1e-9 * scale)
    lp, lq = legendre_coefficients(p, a, b), legendre_coefficients(q, a, b)
    assert coefficient_distance(lp, lq) == pytest.approx(d, abs=1e-9 * scale)


def test_a_constant_offset_and_a_known_integral():
    # p - q = 1 on [0, 2]: sqrt(2); p - q = x on [-1, 1]: sqrt(2/3)
    assert shape_distance(np.array([1.0, 0]), np.zeros(2), 0, 2) == pytest.approx(np.sqrt(2))
    assert shape_distance(np.array([0, 1.0]), np.zeros(2), -1, 1) == pytest.approx(np.sqrt(2 / 3))


def test_gram_matrix_is_the_integral_of_monomial_products():
    g = gram_matrix(3, -0.5, 2.0)
    for j in range(4):
        for k in range(4):
            antiderivative = polynomial.polyint(np.eye(1, j + k + 1, j + k)[0])
            assert g[j, k] == pytest.approx(
                polynomial.polyval(2.0, antiderivative) - polynomial.polyval(-0.5, antiderivative)
            )


def test_the_two_distances_can_disagree_and_the_example_shows_it():
    params = {"interval": [-1.0, 1.0], "degree": 3, "coefficient_scale": 1.0, "triplets": 300}
    metrics, arrays = evaluate(np.random.default_rng(0), params)
    assert 0 < metrics["disagreeing_triplet_fraction"]["mean"] < 1
    ex = {k: np.array(v) for k, v in metrics["example"].items()}
    by_coef, by_shape = ex["closer_by_coefficients"], ex["closer_by_shape"]
    assert coefficient_distance(ex["reference"], by_coef) < coefficient_distance(
        ex["reference"], by_shape
    )
    assert shape_distance(ex["reference"], by_shape, -1, 1) < shape_distance(
        ex["reference"], by_coef, -1, 1
    )
    assert arrays["coefficient_distance"].shape == (600,)


def test_the_disagreeing_fraction_keeps_every_replicate_set():
    """The claim is judged on the replicate sets' fractions (core.claims reads `runs`): one per
    set, whose mean is the fraction over all triplets when the sets divide them."""
    params = {"interval": [-1.0, 1.0], "degree": 3, "coefficient_scale": 1.0, "triplets": 300}
    metrics, arrays = evaluate(np.random.default_rng(0), params)
    fraction = metrics["disagreeing_triplet_fraction"]
    assert metrics["replicate_sets"] == REPLICATE_SETS == len(fraction["runs"])
    coef = arrays["coefficient_distance"].reshape(-1, 2)
    shape = arrays["shape_distance"].reshape(-1, 2)
    disagree = (coef[:, 0] < coef[:, 1]) != (shape[:, 0] < shape[:, 1])
    assert fraction["mean"] == pytest.approx(disagree.mean())
    assert fraction["runs"] == [pytest.approx(s.mean()) for s in np.split(disagree, REPLICATE_SETS)]
    assert fraction["sd"] > 0  # the sets are independent draws, not copies
    # fewer triplets than sets: one set per triplet
    assert replicate_fractions(np.array([True, False, True])) == [1.0, 0.0, 1.0]


def test_curve_norms_of_known_differences():
    # p - q = x on [-1, 1]: integral of |x| is 1, max 1; p - q = 1 - x^2 on [0, 2]: |.| peaks at
    # x = 2 (3), its integral is 2 (2/3 above the axis, 4/3 below)
    p = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -1.0]])
    norms = curve_norms(p[:1], np.zeros((1, 3)), -1, 1)
    assert norms["L1"][0] == pytest.approx(1.0, rel=1e-6)
    assert norms["Linf"][0] == pytest.approx(1.0)
    norms = curve_norms(p[1:], np.zeros((1, 3)), 0, 2)
    assert norms["L1"][0] == pytest.approx(2.0, rel=1e-5)
    assert norms["Linf"][0] == pytest.approx(3.0)
    with pytest.raises(DlreproError, match="a < b"):
        curve_norms(p, p, 1, 1)


def test_disagree_and_norm_agreement_on_a_hand_made_case():
    coef = np.array([[1.0, 2], [1, 2], [2, 1], [2, 1]])
    l2 = np.array([[2.0, 1], [1, 2], [2, 1], [1, 2]])  # disagrees with coef on triplets 0, 3
    linf = np.array([[2.0, 1], [1, 2], [2, 1], [2, 1]])  # disagrees with coef on triplet 0 only
    assert disagree(coef, l2).tolist() == [True, False, False, True]
    out = shape_norm_agreement(coef, {"L2": l2, "Linf": linf}, sets=2)
    # sets: triplets {0, 1} and {2, 3}; L2 vs Linf disagree on triplet 3 only
    assert out["between_shape_norms_max"]["runs"] == [0.0, 0.5]
    assert out["coefficient_vs_nearest_shape_norm"]["runs"] == [0.5, 0.0]
    assert out["pairwise"] == {"L2~Linf": 0.25, "coefficients~L2": 0.5, "coefficients~Linf": 0.25}


def test_shape_norms_are_measured_on_the_same_triplets():
    params = {"interval": [-1.0, 1.0], "degree": 3, "coefficient_scale": 1.0, "triplets": 300}
    metrics, arrays = evaluate(np.random.default_rng(0), params)
    agreement = metrics["shape_norms"]
    # the coefficient~L2 pair is the disagreeing fraction of the main experiment
    assert agreement["pairwise"]["coefficients~L2"] == pytest.approx(
        metrics["disagreeing_triplet_fraction"]["mean"]
    )
    for key in ("between_shape_norms_max", "coefficient_vs_nearest_shape_norm"):
        assert len(agreement[key]["runs"]) == REPLICATE_SETS
    nearest = min(v for k, v in agreement["pairwise"].items() if k.startswith("coefficients~"))
    # the per-set minimum can only be at or below each norm's set fraction, so its mean too
    assert agreement["coefficient_vs_nearest_shape_norm"]["mean"] <= nearest + 1e-12


def test_claims_have_kinds():
    from dlrepro.core.claims import load_claims
    from dlrepro.paths import study_dir

    claims = load_claims(study_dir("polysim") / "claims.yaml")["claims"]
    kinds = {c.get("ours") or tuple(c["order"]): c for c in claims}
    # circular (judged against our own L2 distance): a check since issue 16
    assert kinds["disagreeing_triplet_fraction"]["kind"] == "check"
    assert kinds["disagreeing_triplet_fraction"]["why"]
    family = kinds[
        ("shape_norms.between_shape_norms_max", "shape_norms.coefficient_vs_nearest_shape_norm")
    ]
    assert family["kind"] == "qualitative" and str(family["fixed"]) == "2026-11-29"
    assert kinds["closed_form_vs_quadrature_max_rel_error"]["kind"] == "check"
    assert kinds["closed_form_vs_quadrature_max_rel_error"]["why"]
