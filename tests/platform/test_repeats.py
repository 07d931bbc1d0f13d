"""Runs over seeds (dlrepro.core.repeats): merging per-run results, reading them back, intervals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dlrepro.core.repeats import (
    mean_ci,
    over_runs,
    prediction_half_width,
    run_seed,
    samples,
)
from dlrepro.errors import DlreproError


def test_over_runs_describes_numbers_and_keeps_the_shape():
    merged = over_runs([
        {"acc": 0.5, "model": "cnn", "fit": True, "by": {"a": 1, "b": 2.0}},
        {"acc": 0.7, "model": "cnn", "fit": False, "by": {"a": 3, "b": 2.0}},
    ])  # fmt: skip
    assert merged["acc"] == {"mean": 0.6, "sd": pytest.approx(np.std([0.5, 0.7], ddof=1)),
                             "min": 0.5, "max": 0.7, "runs": [0.5, 0.7]}  # fmt: skip
    assert merged["model"] == "cnn"
    assert merged["fit"] == {"all": False, "any": True, "runs": [True, False]}
    assert merged["by"]["a"]["runs"] == [1.0, 3.0] and merged["by"]["b"]["sd"] == 0.0


def test_over_runs_refuses_runs_that_do_not_match():
    with pytest.raises(DlreproError, match="other keys"):
        over_runs([{"a": 1}, {"b": 1}])
    with pytest.raises(DlreproError, match="model differs between runs"):
        over_runs([{"model": "a"}, {"model": "b"}])
    with pytest.raises(DlreproError, match="no runs"):
        over_runs([])


def test_samples_reads_every_form_a_metric_takes():
    assert samples(0.5) == [0.5]
    assert samples([1, 2, 3]) == [1.0, 2.0, 3.0]  # replicates made inside one job
    assert samples(over_runs([{"x": 1.0}, {"x": 2.0}])["x"]) == [1.0, 2.0]
    with pytest.raises(DlreproError, match="not a number"):
        samples("text", "m")


def test_intervals_are_students():
    v = [0.61, 0.65, 0.6, 0.7, 0.66]
    lo, hi = mean_ci(v)
    ref = stats.t.interval(0.95, len(v) - 1, loc=np.mean(v), scale=stats.sem(v))
    assert (lo, hi) == pytest.approx(ref)
    half = prediction_half_width(v)
    assert half == pytest.approx((hi - lo) / 2 * np.sqrt(len(v) + 1))
    assert mean_ci([0.3]) == (0.3, 0.3) and prediction_half_width([0.3]) == 0.0


def test_run_seeds_differ_by_run_and_study_and_repeat():
    seeds = {run_seed(1, s, r) for s in ("slash", "quora") for r in range(5)}
    assert len(seeds) == 10
    assert run_seed(1, "slash", 0) == run_seed(1, "slash", 0)
    assert run_seed(1, "slash", 0, "split") != run_seed(1, "slash", 0)


def test_index_runs_refuses_a_grid_with_a_hole():
    from dlrepro.core.repeats import index_runs

    jobs = [{"variant": v, "run": r} for v in ("b", "a") for r in (1, 0)]
    names, runs, by_key = index_runs(jobs, "variant", "toy")
    assert names == ["b", "a"] and runs == [0, 1] and by_key["a", 1] == {"variant": "a", "run": 1}
    with pytest.raises(DlreproError, match=r"toy: no metrics for \(variant, run\) \[\('a', 0\)\]"):
        index_runs(jobs[:-1], "variant", "toy")
