"""The SELU study's results over run seeds (metrics.json), its table (one row per measured
quantity, mean and sd over the runs) and the wall-clock timings over runs (timing.json, kept
out of the hashed results)."""

from __future__ import annotations

import statistics

import pandas as pd

from dlrepro.core.repeats import describe, index_runs, over_runs
from dlrepro.errors import DlreproError

SOURCES = {"gaussian": "N(0,1) inputs", "mnist": "standardised MNIST inputs"}
AT_INIT = ("last_mean", "last_var", "deviation", "variance_drift")
TRAINED = ("test_acc", "train_acc")


def _by_variant_and_run(records: list[dict], what: str) -> tuple[list[str], list[int], dict]:
    return index_runs(records, "variant", f"selu ({what})")


def summarise_runs(activations: list[dict], trained: list[dict]) -> dict:
    """Each run's statistics at init and trained results -> metrics over the runs (core.repeats):
    every numeric leaf {mean, sd, min, max, runs}; parameter counts stay single numbers."""
    activations = sorted(activations, key=lambda a: a["run"])
    variants, runs, by_key = _by_variant_and_run(trained, "training metrics")
    if [a["run"] for a in activations] != runs:
        raise DlreproError(
            f"selu: activation statistics of runs {[a['run'] for a in activations]}, "
            f"training of runs {runs}"
        )
    per_run = []
    for acts, i in zip(activations, runs):
        per_run.append(
            {
                "activations": {
                    src: {v: {k: s[k] for k in AT_INIT} for v, s in by_var.items()}
                    for src, by_var in acts["statistics"].items()
                },
                "training": {
                    v: {k: by_key[v, i][k] for k in TRAINED}
                    | {"trained_deviation": by_key[v, i]["statistics_trained"]["deviation"]}
                    for v in sorted(variants)
                },
            }
        )
    result = over_runs(per_run)
    for v in sorted(variants):  # fixed by the architecture: the same in every run
        result["training"][v]["parameters"] = by_key[v, runs[0]]["parameters"]
    return result


def _cells(name: str, leaf: dict | None) -> dict:
    if leaf is None:
        return {name: "", f"{name} sd": ""}
    return {name: leaf["mean"], f"{name} sd": leaf["sd"]}


def results_table(result: dict) -> pd.DataFrame:
    rows = []
    for source, by_variant in result["activations"].items():
        for variant, s in by_variant.items():
            rows.append(
                {
                    "part": f"at init, {SOURCES[source]}",
                    "variant": variant,
                    "runs": len(s["deviation"]["runs"]),
                    **_cells("last-layer mean", s["last_mean"]),
                    **_cells("last-layer variance", s["last_var"]),
                    **_cells("distance from (0, 1)", s["deviation"]),
                    **_cells("variance drift |ln var_L/var_1|", s["variance_drift"]),
                    **_cells("test accuracy", None),
                }
            )
    for variant, r in result["training"].items():
        rows.append(
            {
                "part": "trained on MNIST (test images)",
                "variant": variant,
                "runs": len(r["test_acc"]["runs"]),
                **_cells("last-layer mean", None),
                **_cells("last-layer variance", None),
                **_cells("distance from (0, 1)", r["trained_deviation"]),
                **_cells("variance drift |ln var_L/var_1|", None),
                **_cells("test accuracy", r["test_acc"]),
            }
        )
    return pd.DataFrame(rows)


def summarise_timings(timings: list[dict]) -> dict:
    """Wall-clock seconds per epoch over runs: each job's median epoch, described over the runs
    per variant, and SELU vs ReLU+BN paired by run (both jobs of run r saw the same batches,
    but not necessarily the same machine load: wall time is a measurement, not a result)."""
    variants, runs, by_key = _by_variant_and_run(timings, "timings")
    median = {(v, i): statistics.median(by_key[v, i]["seconds_per_epoch"]) for v, i in by_key}
    out = {
        v: {
            "median_seconds_per_epoch": describe([median[v, i] for i in runs]),
            "jobs": [by_key[v, i] for i in runs],
        }
        for v in sorted(variants)
    }
    if {"selu", "relu_bn"} <= set(variants):
        ratios = [median["selu", i] / median["relu_bn", i] for i in runs]
        out["selu_over_relu_bn"] = {
            "ratio_of_median_epoch_times": describe(ratios),
            "selu_faster_in_runs": sum(r < 1 for r in ratios),
            "runs": len(runs),
        }
    return out
