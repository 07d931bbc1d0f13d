"""Unit tests for the claims comparison (dlrepro.core.claims): verdicts, formatting, loading, and
every study's claim for a metric its figures draw the post's value for."""

from __future__ import annotations

import math

import pytest

from dlrepro.core.claims import COLUMNS, compare, format_value, load_claims, post_of, verdict
from dlrepro.errors import DlreproError
from dlrepro.paths import study_dir

# ----------------------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    "post,ours,expected",
    [
        (0.5, 0.5, True),
        (0.5, 0.563, True),  # exactly at +abs (0.563 - 0.5 is 0.06299999999999994 in floats)
        (0.5, 0.437, True),  # exactly at -abs
        (0.5, 0.5631, False),
        (0.5, 0.4369, False),
        (1.0, 0.937, True),
        (1.0, 0.9369, False),
    ],
)
def test_verdict_abs(post, ours, expected):
    assert verdict(post, ours, {"abs": 0.063}) is expected


def test_verdict_abs_zero_is_exact():
    assert verdict(1041, 1041, {"abs": 0}) is True
    assert verdict(1041, 1042, {"abs": 0}) is False
    assert verdict(1041, 1040, {"abs": 0}) is False
    assert verdict(901, 901.0, {"abs": 0}) is True


@pytest.mark.parametrize(
    "post,ours,expected",
    [
        (1000, 1000, True),
        (1000, 1100, True),  # at +10 %
        (1000, 900, True),  # at -10 %
        (1000, 1100.01, False),
        (1000, 899.99, False),
        (9183, 9183 * 1.1, True),
        (9183, 10102, False),  # 10101.3 is the bound
        (-1000, -1100, True),  # relative to |post|
        (-1000, -1100.01, False),
        (0, 0, True),
        (0, 1e-6, False),
    ],
)
def test_verdict_rel(post, ours, expected):
    assert verdict(post, ours, {"rel": 0.10}) is expected


@pytest.mark.parametrize(
    "ours,expected", [(80, True), (37, True), (79.999, True), (80.001, False), (81, False)]
)
def test_verdict_at_most(ours, expected):
    assert verdict(80, ours, {"at_most": True}) is expected


@pytest.mark.parametrize("ours,expected", [(0.9, True), (1.0, True), (0.8999, False), (0.5, False)])
def test_verdict_at_least(ours, expected):
    assert verdict(0.9, ours, {"at_least": True}) is expected


@pytest.mark.parametrize(
    "tol,ours,expected",
    [
        ({"below": 5}, 4.9, True),
        ({"below": 5}, 5, False),
        ({"above": 0.1}, 0.11, True),
        ({"above": 0.1}, 0.1, False),
        ({"above": 0.1}, -1, False),
    ],
)
def test_verdict_below_and_above_ignore_the_post(tol, ours, expected):
    assert verdict(float("nan"), ours, tol) is expected


def test_compare_qualitative_post_with_above():
    claims = {
        "claims": [
            {"claim": "c", "post": "often", "ours": "x", "tolerance": {"above": 0.1, "why": "w"}}
        ]
    }
    row = compare(claims, {"x": 0.25}).iloc[0]
    assert (row["post"], row["ours"], row["tolerance"], row["verdict"]) == (
        "often",
        "0.25",
        "ours > 0.1",
        "reproduced",
    )
    assert compare(claims, {"x": 0.05}).iloc[0]["verdict"] == "differs"


def test_verdict_ignores_the_why_field():
    assert verdict(1, 1, {"abs": 0, "why": "fixed"}) is True


def test_verdict_unknown_tolerance_raises():
    with pytest.raises(DlreproError, match="tolerance"):
        verdict(1, 1, {"percent": 5})


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


# ----------------------------------------------------------------------------- compare


def _claims():
    return {
        "study": "toy",
        "title": "Toy",
        "source": "nowhere",
        "claims": [
            {
                "claim": "A: test accuracy",
                "post": 0.5,
                "ours": "models.a.test_acc",
                "tolerance": {"abs": 0.063, "why": "two SE"},
            },
            {
                "claim": "A: params",
                "post": 9183,
                "ours": "models.a.trainable_params",
                "tolerance": {"rel": 0.10, "why": "draw"},
            },
            {
                "claim": "B: params",
                "post": 80,
                "ours": "models.b.trainable_params",
                "tolerance": {"at_most": True, "why": "budget"},
            },
            {
                "claim": "B: train accuracy",
                "post": 0.99,
                "ours": "models.b.train_acc",
                "tolerance": {"at_least": True, "why": "floor"},
            },
            {"claim": "C: wall time", "post": 12, "not_comparable": "different hardware"},
        ],
    }


METRICS_IN = {
    "models": {
        "a": {"test_acc": 0.54, "trainable_params": 12000.0},
        "b": {"trainable_params": 37, "train_acc": 0.994667},
    }
}


def test_compare_rows_and_verdicts():
    df = compare(_claims(), METRICS_IN)
    assert list(df.columns) == COLUMNS
    assert len(df) == 5
    rows = df.to_dict("records")
    assert rows[0] == {
        "claim": "A: test accuracy",
        "post": "0.5",
        "ours": "0.54",
        "tolerance": "±0.063",
        "verdict": "reproduced",
        "reason": "two SE",
    }
    assert rows[1] == {
        "claim": "A: params",
        "post": "9183",
        "ours": "12000",
        "tolerance": "±10%",
        "verdict": "differs",
        "reason": "draw",
    }
    assert rows[2] == {
        "claim": "B: params",
        "post": "80",
        "ours": "37",
        "tolerance": "ours ≤ post",
        "verdict": "reproduced",
        "reason": "budget",
    }
    assert rows[3] == {
        "claim": "B: train accuracy",
        "post": "0.99",
        "ours": "0.994667",
        "tolerance": "ours ≥ post",
        "verdict": "reproduced",
        "reason": "floor",
    }
    assert rows[4] == {
        "claim": "C: wall time",
        "post": "12",
        "ours": "",
        "tolerance": "",
        "verdict": "not comparable",
        "reason": "different hardware",
    }


def test_compare_keeps_claim_order():
    claims = _claims()
    claims["claims"].reverse()
    df = compare(claims, METRICS_IN)
    assert list(df["claim"]) == [c["claim"] for c in claims["claims"]]


def test_compare_not_comparable_with_an_ours_value():
    claims = {
        "claims": [
            {
                "claim": "x",
                "post": 1,
                "ours": "models.a.test_acc",
                "not_comparable": "other protocol",
            }
        ]
    }
    row = compare(claims, METRICS_IN).iloc[0]
    assert row["verdict"] == "not comparable"
    assert row["ours"] == "0.54"
    assert row["reason"] == "other protocol"


def test_compare_flips_when_ours_crosses_the_tolerance():
    claims = {"claims": [_claims()["claims"][0]]}
    assert (
        compare(claims, {"models": {"a": {"test_acc": 0.563}}}).iloc[0]["verdict"] == "reproduced"
    )
    assert compare(claims, {"models": {"a": {"test_acc": 0.564}}}).iloc[0]["verdict"] == "differs"
    assert compare(claims, {"models": {"a": {"test_acc": 0.436}}}).iloc[0]["verdict"] == "differs"


def test_compare_missing_metric_raises():
    with pytest.raises(DlreproError, match="models.a.test_acc"):
        compare({"claims": [_claims()["claims"][0]]}, {"models": {"b": {}}})


def test_optional_claim_missing_from_the_run_is_not_comparable():
    value = {**_claims()["claims"][0], "optional": True}
    order = {
        "claim": "o",
        "post": "1 < 2",
        "order": ["models.a.test_acc", "models.b.test_acc"],
        "optional": True,
    }
    rows = compare({"claims": [value, order]}, {"models": {"b": {}}})
    assert list(rows["verdict"]) == ["not comparable", "not comparable"]
    assert all("not in this run" in r for r in rows["reason"])
    # present values are still judged
    assert compare({"claims": [value]}, METRICS_IN)["verdict"].iloc[0] in ("reproduced", "differs")


def test_compare_unknown_tolerance_raises():
    claims = {
        "claims": [{"claim": "x", "post": 1, "ours": "models.a.test_acc", "tolerance": {"pct": 1}}]
    }
    with pytest.raises(DlreproError):
        compare(claims, METRICS_IN)


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
            {"claim": "a", "post": 0.09, "ours": "attack.adversarial_test_acc"},
            {"claim": "order", "order": ["x", "y"]},
            {"claim": "b", "post": 0.7, "ours": "variants.none.mean"},
        ]
    }
    assert post_of(claims, "attack.adversarial_test_acc") == 0.09
    assert post_of(claims, "variants.none.mean") == 0.7
    assert post_of(claims, "variants.none") is None


@pytest.mark.parametrize(
    "study,ours",
    [
        ("adversarial", "attack.adversarial_test_acc"),
        ("skm", "skm.test_error"),
        ("random_dilation", "variants.random_dilation.mean"),
    ],
)
def test_every_metric_a_figure_draws_the_post_for_has_a_numeric_claim(study, ours):
    assert isinstance(post_of(load_claims(study_dir(study) / "claims.yaml"), ours), (int, float))
