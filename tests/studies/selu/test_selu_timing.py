"""Interleaved epoch timing of ReLU+BN and SELU, and the timing claim judged over runs."""

from __future__ import annotations

import pytest

from dlrepro.core.claims import compare, load_claims
from dlrepro.errors import DlreproError
from dlrepro.paths import study_dir
from dlrepro.studies.selu.timing import (
    interleaved_epoch_seconds,
    round_order,
    summarise_interleaved,
    timing_claims,
)


class FakeClock:
    """Time advances only inside an epoch, by that variant's cost (+ the round, to tell them)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rounds_alternate_which_variant_runs_first():
    assert [round_order(["a", "b"], i) for i in range(3)] == [["a", "b"], ["b", "a"], ["a", "b"]]


def test_interleaved_epochs_time_each_variant_and_discard_the_warmup():
    clock, calls = FakeClock(), []

    def epoch(variant, cost):
        def run(i):
            calls.append((variant, i))
            clock.now += cost + i  # round i costs i seconds more, for both variants alike

        return run

    out = interleaved_epoch_seconds(
        {"relu_bn": epoch("relu_bn", 3.0), "selu": epoch("selu", 2.0)}, timed=2, warmup=1,
        clock=clock,
    )  # fmt: skip
    assert calls == [("relu_bn", 0), ("selu", 0), ("selu", 1), ("relu_bn", 1),
                     ("relu_bn", 2), ("selu", 2)]  # fmt: skip
    assert out["warmup_seconds"] == {"relu_bn": [3.0], "selu": [2.0]}
    assert out["seconds_per_epoch"] == {"relu_bn": [4.0, 5.0], "selu": [3.0, 4.0]}
    assert out["order"] == [["relu_bn", "selu"], ["selu", "relu_bn"], ["relu_bn", "selu"]]


@pytest.mark.parametrize("timed, warmup", [(0, 1), (2, -1)])
def test_interleaving_needs_a_timed_epoch(timed, warmup):
    with pytest.raises(DlreproError, match="need timed >= 1"):
        interleaved_epoch_seconds({"a": print, "b": print}, timed, warmup)


def test_interleaving_needs_two_variants():
    with pytest.raises(DlreproError, match="two variants"):
        interleaved_epoch_seconds({"selu": print}, 1, 0)


def _record(run, selu, relu_bn):
    return {"run": run, "device": "cpu", "threads": 1,
            "seconds_per_epoch": {"selu": selu, "relu_bn": relu_bn}}  # fmt: skip


def test_summary_is_the_ratio_of_median_epochs_per_run_in_run_order():
    out = summarise_interleaved(
        [_record(1, [3.0, 1.0, 2.0], [4.0, 4.0, 8.0]), _record(0, [6.0], [3.0])]
    )
    assert out["runs"] == [0, 1]
    assert out["median_seconds_per_epoch"]["selu"]["runs"] == [6.0, 2.0]
    assert out["median_seconds_per_epoch"]["relu_bn"]["runs"] == [3.0, 4.0]
    assert out["selu_over_relu_bn"]["runs"] == [2.0, 0.5]
    assert out["selu_faster_in_runs"] == 1
    assert out["timed_epochs"] == [1, 3] and out["threads"] == [1]
    with pytest.raises(DlreproError, match="twice"):
        summarise_interleaved([_record(0, [1.0], [1.0]), _record(0, [1.0], [1.0])])


def test_the_timing_claim_is_not_comparable_in_comparison_csv_and_judged_on_timings():
    claims = load_claims(study_dir("selu") / "claims.yaml")
    (row,) = timing_claims(claims)["claims"]
    assert "not_comparable" not in row and row["tolerance"]["below"] == 1.0
    faster = summarise_interleaved([_record(r, [2.0], [3.0 + r / 10]) for r in range(5)])
    slower = summarise_interleaved([_record(r, [3.0 + r / 10], [2.0]) for r in range(5)])
    judged = timing_claims(claims)
    assert compare(judged, {"timing": faster})["verdict"].tolist() == ["reproduced"]
    assert compare(judged, {"timing": slower})["verdict"].tolist() == ["differs"]
    # the study's own comparison never reads wall time
    in_main = [c for c in claims["claims"] if c.get("ours", "").startswith("timing.")]
    assert len(in_main) == 1 and in_main[0]["not_comparable"]
