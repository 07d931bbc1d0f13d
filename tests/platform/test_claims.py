"""Unit tests for the claims comparison (dlrepro.core.claims): kinds, verdicts that account for
run-to-run noise (numeric, one-sided, orderings with paired runs), formatting and loading."""

from __future__ import annotations

import math

import pytest

from dlrepro.core.claims import COLUMNS, compare, format_value, load_claims, post_of
from dlrepro.errors import DlreproError


def _one(claim: dict, metrics: dict, params: dict | None = None) -> dict:
    """The comparison row of a single claim (kind published unless given)."""
    claims = {
        "study": "toy",
        "title": "Toy",
        "source": "x",
        "claims": [{"kind": "published", **claim}],
    }
    df = compare(claims, metrics, params)
    assert list(df.columns) == COLUMNS
    return df.iloc[0].to_dict()


def _num(post, ours, tol) -> dict:
    return _one(
        {"claim": "c", "post": post, "ours": "m", "tolerance": {**tol, "why": "w"}}, {"m": ours}
    )


# ----------------------------------------------------------------------------- numeric claims


@pytest.mark.parametrize(
    "post,ours,verdict",
    [
        (0.5, 0.5, "reproduced"),
        (0.5, 0.563, "reproduced"),  # exactly at +abs (0.563 - 0.5 is 0.06299999999999994)
        (0.5, 0.437, "reproduced"),  # exactly at -abs
        (0.5, 0.5631, "differs"),
        (0.5, 0.4369, "differs"),
    ],
)
def test_single_run_within_the_tolerance(post, ours, verdict):
    row = _num(post, ours, {"abs": 0.063})
    assert row["verdict"] == verdict and row["runs"] == 1 and row["ours_spread"] == ""


def test_relative_tolerance():
    assert _num(9183, 9900.0, {"rel": 0.1})["verdict"] == "reproduced"
    assert _num(9183, 10200.0, {"rel": 0.1})["verdict"] == "differs"


def test_mean_over_runs_with_its_spread():
    row = _num(0.70, {"runs": [0.69, 0.70, 0.71, 0.70, 0.70]}, {"abs": 0.05})
    assert row["verdict"] == "reproduced" and row["runs"] == 5
    assert float(row["ours"]) == pytest.approx(0.70)
    assert row["ours_spread"].startswith("sd 0.007071") and "0.69 to 0.71" in row["ours_spread"]
    assert "run noise" in row["tolerance"]


def test_noise_wider_than_the_tolerance_is_within_noise_not_reproduced():
    # runs spread +-0.1 while the claim needs +-0.01: the post at our mean cannot be confirmed
    row = _num(0.70, {"runs": [0.6, 0.8, 0.7, 0.65, 0.75]}, {"abs": 0.01})
    assert row["verdict"] == "within noise"
    # and a post outside even that noise differs
    assert _num(0.20, {"runs": [0.6, 0.8, 0.7, 0.65, 0.75]}, {"abs": 0.01})["verdict"] == "differs"


def test_the_tolerance_is_never_tighter_than_the_noise():
    """A post 0.06 away from a mean whose runs vary by ~0.05 is not called `differs` on a 0.01
    tolerance: the noise band (prediction interval of one run) decides."""
    runs = {"runs": [0.65, 0.70, 0.75, 0.68, 0.72]}
    assert _num(0.76, runs, {"abs": 0.01})["verdict"] == "within noise"


def test_one_sided_claims_beyond_noise():
    below = {"below": 0.5}
    assert _num("Fail", 0.3, below)["verdict"] == "reproduced"
    assert _num("Fail", 0.6, below)["verdict"] == "differs"
    assert _num("Fail", {"runs": [0.3, 0.31, 0.29]}, below)["verdict"] == "reproduced"
    assert _num("Fail", {"runs": [0.3, 0.7, 0.45]}, below)["verdict"] == "within noise"
    assert _num("Fail", {"runs": [0.6, 0.7, 0.65]}, below)["verdict"] == "differs"
    assert _num(0.99, 0.994667, {"at_least": True})["verdict"] == "reproduced"
    assert _num(80, 37, {"at_most": True})["verdict"] == "reproduced"
    assert _num(80, {"runs": [70, 90, 79]}, {"at_most": True})["verdict"] == "within noise"
    assert _num("x", 0.9, {"above": 0.5})["verdict"] == "reproduced"


# ----------------------------------------------------------------------------- orderings


def _order(a, b, c=None) -> dict:
    metrics = {"a": a, "b": b, **({"c": c} if c is not None else {})}
    paths = ["a", "b"] + (["c"] if c is not None else [])
    return _one({"claim": "o", "post": "0.1 < 0.2", "order": paths}, metrics)


def test_ordering_of_single_values():
    assert _order(0.1, 0.2)["verdict"] == "reproduced"
    assert _order(0.2, 0.1)["verdict"] == "differs"
    assert _order(0.2, 0.2)["verdict"] == "differs"  # a tie does not rise


def test_ordering_uses_paired_runs():
    # the runs overlap widely, but b beats a in every run (same seeds): the order holds
    row = _order({"runs": [0.5, 0.7, 0.9]}, {"runs": [0.51, 0.71, 0.91]})
    assert row["verdict"] == "reproduced" and row["runs"] == 3
    assert "> 0 in 3/3 runs" in row["ours_spread"] and "95% CI" in row["ours_spread"]
    assert " < " in row["ours"]


def test_ordering_within_noise_and_reversed_beyond_noise():
    row = _order({"runs": [0.5, 0.5, 0.5]}, {"runs": [0.52, 0.49, 0.51]})
    assert row["verdict"] == "within noise" and " ≈ " in row["ours"]
    assert _order({"runs": [0.5, 0.6, 0.7]}, {"runs": [0.4, 0.5, 0.6]})["verdict"] == "differs"


def test_a_chain_is_as_strong_as_its_weakest_pair():
    a, b = {"runs": [0.1, 0.2, 0.3]}, {"runs": [0.4, 0.5, 0.6]}
    assert _order(a, b, {"runs": [0.7, 0.8, 0.9]})["verdict"] == "reproduced"
    assert _order(a, b, {"runs": [0.45, 0.49, 0.61]})["verdict"] == "within noise"
    assert _order(a, b, {"runs": [0.3, 0.4, 0.5]})["verdict"] == "differs"


def test_ordering_against_a_single_value_and_mismatched_runs():
    assert _order(0.1, {"runs": [0.2, 0.21, 0.22]})["verdict"] == "reproduced"
    # two runs whose gaps differ: the 95% interval (t at 1 df) is wide, so noise decides
    assert _order(0.1, {"runs": [0.2, 0.3]})["verdict"] == "within noise"
    with pytest.raises(DlreproError, match="2 and 3 runs"):
        _order({"runs": [0.1, 0.2]}, {"runs": [0.2, 0.3, 0.4]})


def test_every_run_on_one_side_counts_only_from_five_runs():
    # 3 of 3 gaps rise but their mean's 95% interval includes 0: a sign test gives p = 1/8
    three = _order({"runs": [0.0] * 3}, {"runs": [0.01, 0.02, 0.3]})
    assert three["verdict"] == "within noise"
    # 5 of 5 (p = 1/32) is evidence on its own, though the interval still includes 0
    five = _order({"runs": [0.0] * 5}, {"runs": [0.01, 0.02, 0.3, 0.01, 0.02]})
    assert five["verdict"] == "reproduced"
    one_sided = {"claim": "t", "post": "x", "ours": "m", "tolerance": {"above": 0.0}}
    row = _one(one_sided, {"m": {"runs": [0.01, 0.02, 0.3]}})
    assert row["verdict"] == "within noise" and "3 of 3 runs" in row["reason"]
    row = _one(one_sided, {"m": {"runs": [0.01, 0.02, 0.3, 0.01, 0.02]}})
    assert row["verdict"] == "reproduced" and "5 of 5 runs" in row["reason"]


# ----------------------------------------------------------------------------- kinds


def test_checks_pass_or_fail_and_say_why():
    row = _one({"claim": "identity", "kind": "check", "why": "true by construction", "post": 0,
                "ours": "m", "tolerance": {"abs": 1e-9, "why": "float"}}, {"m": 0.0})  # fmt: skip
    assert row["verdict"] == "passed" and "check: true by construction" in row["reason"]
    row = _one({"claim": "identity", "kind": "check", "why": "w", "post": 0,
                "ours": "m", "tolerance": {"abs": 1e-9, "why": "float"}}, {"m": 1.0})  # fmt: skip
    assert row["verdict"] == "failed"


def _claims_file(tmp_path, claim: str):
    path = tmp_path / "claims.yaml"
    path.write_text(f"study: x\ntitle: y\nsource: z\nclaims:\n  - {claim}\n")
    return path


@pytest.mark.parametrize(
    "claim,error",
    [
        ("{claim: a, post: 1, ours: m, tolerance: {abs: 1, why: w}}", "kind must be one of"),
        ("{claim: a, kind: guess, post: 1, ours: m, tolerance: {abs: 1, why: w}}", "kind must"),
        ("{claim: a, kind: qualitative, post: x, ours: m, tolerance: {below: 1}}", "fixed"),
        (
            "{claim: a, kind: qualitative, post: x, ours: m, tolerance: {below: 1}, fixed: soon}",
            "fixed",
        ),
        ("{claim: a, kind: check, post: 1, ours: m, tolerance: {abs: 1, why: w}}", "why"),
        ("{claim: a, kind: published, post: 1, ours: m, tolerance: {abs: 1}}", "why"),
    ],
)
def test_load_claims_refuses_claims_without_kind_date_or_reason(tmp_path, claim, error):
    with pytest.raises(DlreproError, match=error):
        load_claims(_claims_file(tmp_path, claim))


def test_load_claims_accepts_a_dated_qualitative_claim(tmp_path):
    claim = (
        "{claim: a, kind: qualitative, post: x, ours: m, tolerance: {below: 1}, fixed: 2026-01-31}"
    )
    assert load_claims(_claims_file(tmp_path, claim))["claims"][0]["kind"] == "qualitative"


# ----------------------------------------------------------------------------- missing metrics


def test_optional_claims_may_miss_their_metric_only_below_paper_scale():
    claim = {"claim": "N=50", "post": 0.3, "ours": "ensembles.50", "optional": True,
             "tolerance": {"abs": 0.05, "why": "w"}}  # fmt: skip
    row = _one(claim, {"ensembles": {}}, {"scale": "smoke"})
    assert row["verdict"] == "not comparable" and "paper scale" in row["reason"]
    with pytest.raises(DlreproError, match="only below paper scale"):
        _one(claim, {"ensembles": {}}, {"scale": "paper"})
    with pytest.raises(DlreproError, match="not in the results"):
        _one({**claim, "optional": False}, {"ensembles": {}}, {"scale": "smoke"})


def test_not_comparable_still_shows_ours():
    row = _one({"claim": "Kinetics top-1", "post": 0.7, "ours": "m", "not_comparable": "other data"},
               {"m": {"runs": [0.6, 0.62]}})  # fmt: skip
    assert row["verdict"] == "not comparable" and row["reason"] == "other data"
    assert float(row["ours"]) == pytest.approx(0.61) and row["runs"] == 2


def test_comparable_if_reads_the_params():
    claim = {"claim": "c", "post": 0.6, "ours": "m", "tolerance": {"abs": 0.1, "why": "w"},
             "comparable_if": {"param": "data.source", "equals": "full", "otherwise": "subset"}}  # fmt: skip
    assert _one(claim, {"m": 0.6}, {"data": {"source": "bimpm"}})["verdict"] == "not comparable"
    assert _one(claim, {"m": 0.6}, {"data": {"source": "full"}})["verdict"] == "reproduced"


def test_post_column_quotes_the_post():
    row = _one(
        {"claim": "o", "post": "0.27 < 0.30 < 0.35", "order": ["a", "b"]}, {"a": 0.1, "b": 0.2}
    )
    assert row["post"] == "0.27 < 0.30 < 0.35"


# ----------------------------------------------------------------------------- format_value


@pytest.mark.parametrize(
    "value,text",
    [
        (9183, "9183"),
        (9183.0, "9183"),
        (0.994667, "0.994667"),
        (1, "1"),
        (1.0, "1"),
        (0.5, "0.5"),
        (0.1 + 0.2, "0.3"),  # binary noise beyond 12 significant digits is dropped
        (0.123456789012345, "0.123456789012"),  # and nothing coarser
        (0.0, "0"),
        (-3.0, "-3"),
        (None, ""),
        (True, "true"),
        (False, "false"),
        ("text", "text"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_numpy_scalars():
    import numpy as np

    assert format_value(np.float64(9183.0)) == "9183"
    assert format_value(np.float64(0.994667)) == "0.994667"
    assert format_value(np.int64(675000)) == "675000"


def test_format_value_large_and_non_finite_floats():
    assert format_value(1e20) == "1e+20"  # not a 21-digit integer string
    assert format_value(math.inf) == "inf"
    assert format_value(math.nan) == "nan"


# ----------------------------------------------------------------------------- load_claims


def test_load_claims_requires_its_keys(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("study: x\ntitle: y\nsource: z\n")
    with pytest.raises(DlreproError, match="claims"):
        load_claims(path)
    path.write_text("study: x\ntitle: y\nclaims: []\n")
    with pytest.raises(DlreproError, match="source"):
        load_claims(path)


def test_load_claims_bad_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken_claims.yaml"
    path.write_text("claims: [\n")
    with pytest.raises(DlreproError, match="broken_claims.yaml"):
        load_claims(path)


# ----------------------------------------------------------------------------- post_of


def test_post_of_finds_the_claim_on_our_metric_and_none_otherwise():
    claims = {
        "claims": [
            {"claim": "a", "kind": "published", "post": 0.09, "ours": "attack.acc"},
            {"claim": "order", "kind": "published", "order": ["x", "y"]},
            {"claim": "b", "kind": "check", "why": "w", "post": 1, "ours": "identity"},
        ]
    }
    assert post_of(claims, "attack.acc") == 0.09
    assert post_of(claims, "identity") is None  # a check is not the post's number
    assert post_of(claims, "attack") is None
