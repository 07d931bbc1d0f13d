"""Seconds per training epoch of ReLU+BN and SELU, timed in one process with their epochs
interleaved, so that a change of machine load falls on both variants alike (the training jobs
time one variant each, so their two variants never saw the same load). Wall time: kept out of
the hashed results."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from dlrepro.core.repeats import describe
from dlrepro.errors import DlreproError

TIMED = ("relu_bn", "selu")  # the post's comparison: SELU against ReLU+BN


def round_order(variants: Sequence[str], i: int) -> list[str]:
    """Round i's order: as given in even rounds, reversed in odd ones, so that neither variant
    always runs first (after the other's epoch, or with a warmer cache)."""
    return list(variants) if i % 2 == 0 else list(reversed(variants))


def interleaved_epoch_seconds(
    epochs: Mapping[str, Callable[[int], object]],
    timed: int,
    warmup: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict:
    """Runs `warmup + timed` rounds; in each round every variant's epoch(round) once, in
    `round_order`. The first `warmup` rounds are discarded (first-call allocations, caches).
    -> {"seconds_per_epoch": {variant: [timed seconds]}, "warmup_seconds": {...}, "order": [...]}"""
    if timed < 1 or warmup < 0:
        raise DlreproError(
            f"selu timing: need timed >= 1 and warmup >= 0 epochs, got {timed}, {warmup}"
        )
    if len(epochs) < 2:
        raise DlreproError(f"selu timing: interleaving needs two variants, got {list(epochs)}")
    seconds: dict[str, list[float]] = {v: [] for v in epochs}
    order = []
    for i in range(warmup + timed):
        order.append(round_order(list(epochs), i))
        for v in order[-1]:
            start = clock()
            epochs[v](i)
            seconds[v].append(clock() - start)
    return {
        "seconds_per_epoch": {v: s[warmup:] for v, s in seconds.items()},
        "warmup_seconds": {v: s[:warmup] for v, s in seconds.items()},
        "order": order,
    }


def summarise_interleaved(records: list[dict]) -> dict:
    """Per run (one record each): each variant's median timed epoch and SELU / ReLU+BN, the ratio
    of the two medians; described over the runs (core.repeats.describe: `runs` in run order)."""
    if not records:
        raise DlreproError("selu timing: no runs")
    records = sorted(records, key=lambda r: r["run"])
    runs = [r["run"] for r in records]
    if len(set(runs)) != len(runs):
        raise DlreproError(f"selu timing: a run appears twice in {runs}")
    median = {v: [statistics.median(r["seconds_per_epoch"][v]) for r in records] for v in TIMED}
    ratios = [s / b for s, b in zip(median["selu"], median["relu_bn"])]
    return {
        "runs": runs,
        "device": sorted({r["device"] for r in records}),
        "threads": sorted({r["threads"] for r in records}),
        "timed_epochs": sorted({len(r["seconds_per_epoch"]["selu"]) for r in records}),
        "median_seconds_per_epoch": {v: describe(median[v]) for v in TIMED},
        "selu_over_relu_bn": describe(ratios),
        "selu_faster_in_runs": sum(x < 1 for x in ratios),
    }


def timing_claims(claims: dict) -> dict:
    """The claims judged on wall time (`ours` under `timing.`): in comparison.csv they are not
    comparable (wall time is not a reproducible result); here they are judged, without that
    reason, on the interleaved timings."""
    rows = [
        {k: v for k, v in c.items() if k != "not_comparable"}
        for c in claims["claims"]
        if str(c.get("ours", "")).startswith("timing.")
    ]
    if not rows:
        raise DlreproError("selu claims.yaml: no claim on `timing.` metrics to judge")
    return {**claims, "claims": rows}
