"""Repeated runs: one job per run seed (a `run` wildcard), and the per-run results merged into
one metrics dict whose numeric leaves carry every run.

A study's compare step summarises each run the way it summarised its single run before, then
`over_runs` merges the per-run dicts: a number becomes {mean, sd, min, max, runs: [...]} (runs in
run order, so run i of two metrics came from the same seed: paired). Claims (core.claims) read
`runs` to judge with the measured spread; `dvc metrics show` shows mean, sd, min and max.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from dlrepro.core.determinism import stream_seed
from dlrepro.errors import DlreproError

STAT_KEYS = ("mean", "sd", "min", "max", "runs")


def run_seed(seed: int, study: str, run: int, *names: str) -> int:
    """The seed of one run's stream: run r of every variant shares it (paired runs), and run 0
    of a study is unrelated to run 0 of another."""
    return stream_seed(seed, study, "run", str(run), *names)


def is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def describe(values: Sequence[float]) -> dict:
    """mean, sample sd (ddof 1; 0 for one run, where no spread is measured), min, max, runs."""
    v = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
        "min": float(v.min()),
        "max": float(v.max()),
        "runs": [float(x) for x in v],
    }


def over_runs(per_run: Sequence[Mapping], where: str = "") -> dict:
    """Same-shaped dicts, one per run in run order -> one dict: numeric leaves described over
    the runs (see `describe`), booleans as {all, any, runs}, equal other leaves kept once."""
    if not per_run:
        raise DlreproError(f"over_runs{' ' + where if where else ''}: no runs")
    first = per_run[0]
    if isinstance(first, Mapping):
        keys = list(first)
        for i, d in enumerate(per_run):
            if not isinstance(d, Mapping) or list(d) != keys:
                raise DlreproError(
                    f"over_runs: run {i} has other keys at {where or 'the top'} than run 0"
                )
        return {k: over_runs([d[k] for d in per_run], f"{where}.{k}".lstrip(".")) for k in keys}
    if all(isinstance(v, bool) for v in per_run):
        return {"all": all(per_run), "any": any(per_run), "runs": list(per_run)}
    if all(is_number(v) for v in per_run):
        return describe(per_run)
    if all(v == first for v in per_run):
        return first
    raise DlreproError(f"over_runs: {where} differs between runs and is not a number")


def samples(value, where: str = "") -> list[float]:
    """The measurements a metric holds: a described leaf's runs, a list of numbers (replicates
    made in one job), or one number (a single, or deterministic, result)."""
    if isinstance(value, Mapping) and "runs" in value:
        value = value["runs"]
    if isinstance(value, bool):
        return [float(value)]
    if is_number(value):
        return [float(value)]
    if (
        isinstance(value, Sequence)
        and value
        and all(is_number(v) or isinstance(v, bool) for v in value)
    ):
        return [float(v) for v in value]
    raise DlreproError(f"{where or 'metric'} is not a number, a list of numbers or runs: {value!r}")


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean (the runs are independent). One value: (v, v)."""
    v = np.asarray(values, dtype=np.float64)
    m = float(v.mean())
    if len(v) < 2:
        return m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return m - half, m + half


def prediction_half_width(values: Sequence[float], level: float = 0.95) -> float:
    """Half-width of the Student-t interval where one more run would fall: how far a single run
    (the post's, say) may lie from our mean by run-to-run noise alone. 0 for one run."""
    v = np.asarray(values, dtype=np.float64)
    if len(v) < 2:
        return 0.0
    t = float(stats.t.ppf(0.5 + level / 2, len(v) - 1))
    return t * float(v.std(ddof=1)) * math.sqrt(1 + 1 / len(v))


def index_runs(records: Sequence[Mapping], key: str, where: str):
    """Per-job records of a (name, run) grid (e.g. variant x run) -> (names in first-seen order,
    run indices, {(name, run): record}). Refuses a grid with a hole: a summary over runs must
    not quietly average fewer runs for one name."""
    names = list(dict.fromkeys(r[key] for r in records))
    runs = sorted({r["run"] for r in records})
    by_key = {(r[key], r["run"]): r for r in records}
    missing = [(n, i) for n in names for i in runs if (n, i) not in by_key]
    if missing:
        raise DlreproError(f"{where}: no metrics for ({key}, run) {missing[:3]}")
    return names, runs, by_key
