"""Summary over run seeds: each run's results per variant, merged by core.repeats.over_runs so
that every metric holds {mean, sd, min, max, runs} (run i of every variant shares a seed)."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import index_runs, over_runs
from dlrepro.studies.random_dilation.data import GROUPS
from dlrepro.studies.random_dilation.variants import VARIANTS

LABELS = {
    "no_dilation": "BesNet, no dilation (d = 1)",
    "dilation2": "BesNet, dilation 2",
    "random_dilation": "BesNet, random dilation {1, 2}",
    "frame_mlp": "frame-feature MLP",
}


def run_summary(r: dict) -> dict:
    """One variant's measured results in one run (what over_runs describes)."""
    strides = r["test_acc_by_stride"]
    group, shuffled = r["test_acc_by_group"], r["test_acc_shuffled"]
    out = {
        "test_acc": r["test_acc"],
        "by_stride": {s: strides[s] for s in sorted(strides, key=int)},
        # how much the frame rate moves accuracy: the post's "reduces the effect of FPS"
        "stride_spread": max(strides.values()) - min(strides.values()),
        # accuracy where context decides the class and where motion does ("context vs motion")
        "by_group": {g: group[g] for g in GROUPS},
        "shuffled": dict(shuffled),
        # what putting the frames in a random order costs (motion removed, context kept)
        "shuffle_cost": {g: group[g] - shuffled[g] for g in ("all", *GROUPS)},
    }
    if "test_acc_single_dilation" in r:
        single = r["test_acc_single_dilation"]
        out["single_dilation"] = {d: single[d] for d in sorted(single)}
        out["dilations_drawn"] = {d: n for d, n in sorted(r["dilations_drawn"].items())}
    return out


def summarise(runs: list[dict]) -> tuple[pd.DataFrame, dict]:
    """Every (variant, run)'s metrics -> the table and metrics.json ({"variants": ...})."""
    names, indices, by_key = index_runs(runs, "variant", "random_dilation")
    present = [v for v in VARIANTS if v in names]
    per_run = [{v: run_summary(by_key[v, i]) for v in present} for i in indices]
    variants = over_runs(per_run)
    rows = []
    for v in present:
        variants[v]["parameters"] = by_key[v, indices[0]]["parameters"]  # the same every run
        acc = variants[v]["test_acc"]
        strides = variants[v]["by_stride"]
        rows.append(
            {
                "variant": LABELS[v],
                "test_top1_mean": acc["mean"],
                "test_top1_sd": acc["sd"],
                "runs": len(acc["runs"]),
                **{f"stride_{s}_mean": strides[s]["mean"] for s in strides},
                "stride_spread_mean": variants[v]["stride_spread"]["mean"],
                **{f"{g}_classes_mean": variants[v]["by_group"][g]["mean"] for g in GROUPS},
                "shuffled_mean": variants[v]["shuffled"]["all"]["mean"],
                "per_run": " ".join(f"{a:.4f}" for a in acc["runs"]),
                "parameters": variants[v]["parameters"],
            }
        )
    return pd.DataFrame(rows), {"variants": variants}
