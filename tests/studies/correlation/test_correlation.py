"""Unit tests of the correlation study: torch conv2d is scipy's correlate2d, and convolve2d only
with the kernel flipped; property-based over random shapes (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d, correlate2d

from dlrepro.core.claims import compare, load_claims
from dlrepro.paths import study_dir
from dlrepro.studies.correlation.cli import measure_cases, summarise
from dlrepro.studies.correlation.identities import (
    asymmetric_example,
    differences,
    flip,
    nn_conv2d,
    random_case,
)

ROUNDING = 1e-10


@st.composite
def image_and_kernel(draw, odd_square: bool = False):
    if odd_square:
        k = 2 * draw(st.integers(0, 3)) + 1
        kh = kw = k
    else:
        kh, kw = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    ih, iw = draw(st.integers(kh, 14)), draw(st.integers(kw, 14))
    return random_case(draw(st.integers(0, 2**32 - 1)), (ih, iw), (kh, kw))


@settings(max_examples=60, deadline=None)
@given(image_and_kernel())
def test_conv2d_is_correlate2d_and_flipped_convolve2d(case):
    image, kernel = case
    ours = nn_conv2d(image, kernel)
    assert ours.shape == (
        image.shape[0] - kernel.shape[0] + 1,
        image.shape[1] - kernel.shape[1] + 1,
    )
    np.testing.assert_allclose(
        ours, correlate2d(image, kernel, mode="valid"), rtol=0, atol=ROUNDING
    )
    np.testing.assert_allclose(
        ours, convolve2d(image, flip(kernel), mode="valid"), rtol=0, atol=ROUNDING
    )


@settings(max_examples=40, deadline=None)
@given(image_and_kernel(odd_square=True))
def test_same_padding_matches_mode_same_for_odd_kernels(case):
    image, kernel = case
    np.testing.assert_allclose(
        nn_conv2d(image, kernel, padding=kernel.shape[0] // 2),
        correlate2d(image, kernel, mode="same"),
        rtol=0,
        atol=ROUNDING,
    )


@settings(max_examples=40, deadline=None)
@given(image_and_kernel())
def test_convolve2d_differs_unless_the_kernel_is_its_own_flip(case):
    image, kernel = case
    d = differences(image, kernel)
    symmetric = np.allclose(kernel, flip(kernel))
    assert (d["convolve2d"] < ROUNDING) == symmetric  # random normal kernels: never symmetric
    assert d["correlate2d"] < ROUNDING and d["convolve2d_flipped"] < ROUNDING


def test_flip_is_a_180_degree_rotation():
    k = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(flip(k), np.rot90(k, 2))


def test_asymmetric_example_shows_the_flip_at_a_point():
    image, kernel = asymmetric_example()
    assert not np.allclose(kernel, flip(kernel))
    out = nn_conv2d(image, kernel, padding=1)
    # a single bright point at (3, 3): correlation stamps the kernel rotated by 180 degrees
    np.testing.assert_array_equal(out[2:5, 2:5], flip(kernel))
    np.testing.assert_array_equal(convolve2d(image, kernel, mode="same")[2:5, 2:5], kernel)


def test_measure_cases_table_is_deterministic_and_separates_equal_from_unequal():
    cases = [[8, 8, 3, 3], [10, 12, 2, 4]]
    a, b = measure_cases(7, cases, 3), measure_cases(7, cases, 3)
    assert a.equals(b)
    assert (a["max |conv2d - correlate2d|"] < ROUNDING).all()
    assert (a["smallest repeat of max |conv2d - convolve2d|"] > 0.1).all()
    assert a["max |conv2d - correlate2d_same|"].isna().tolist() == [
        False,
        True,
    ]  # even kernel: no 'same'


def test_claims_are_checks_that_pass_on_the_identities_and_fail_on_a_broken_one():
    claims = load_claims(study_dir("correlation") / "claims.yaml")
    assert all(c["kind"] == "check" and c["why"] for c in claims["claims"])
    metrics = summarise(measure_cases(3, [[8, 8, 3, 3], [10, 12, 2, 4]], 4), 4)
    assert metrics["repeats"] == 4 and metrics["cases"] == 2
    table = compare(claims, metrics, {"scale": "smoke"})
    assert (table["verdict"] == "passed").all(), table
    # a worst case that is not rounding noise fails the check (a max, not a mean: one bad
    # repeat is enough)
    metrics["max_diff"]["correlate2d"] = 100.0  # above any conv - convolve2d difference
    verdicts = compare(claims, metrics, {"scale": "smoke"})["verdict"].tolist()
    assert verdicts == ["failed", "passed", "passed", "failed"]
