"""Summary over run seeds: mean, std and every run's test accuracy, per variant."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.studies.random_dilation.variants import VARIANTS

LABELS = {
    "no_dilation": "BesNet, no dilation (d = 1)",
    "dilation2": "BesNet, dilation 2",
    "random_dilation": "BesNet, random dilation {1, 2}",
    "frame_mlp": "frame-feature MLP",
}


def mean_std(values) -> dict:
    """Mean and sample std (ddof 1; 0 with a single run, where no spread can be measured)."""
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0}


def summarise(runs: list[dict]) -> tuple[pd.DataFrame, dict]:
    variants, rows = {}, []
    for variant in VARIANTS:
        mine = sorted((r for r in runs if r["variant"] == variant), key=lambda r: r["run"])
        if not mine:
            continue
        accs = [r["test_acc"] for r in mine]
        strides = sorted(mine[0]["test_acc_by_stride"], key=int)
        entry = {
            **mean_std(accs),
            "runs": accs,
            "n_runs": len(mine),
            "parameters": mine[0]["parameters"],
            "by_stride": {s: mean_std([r["test_acc_by_stride"][s] for r in mine]) for s in strides},
        }
        if variant == "random_dilation":
            entry["single_dilation"] = {
                d: mean_std([r["test_acc_single_dilation"][d] for r in mine])
                for d in sorted(mine[0]["test_acc_single_dilation"])
            }
        variants[variant] = entry
        rows.append(
            {
                "variant": LABELS[variant],
                "test_top1_mean": entry["mean"],
                "test_top1_std": entry["std"],
                "runs": len(mine),
                **{f"stride_{s}_mean": entry["by_stride"][s]["mean"] for s in strides},
                "per_run": " ".join(f"{a:.4f}" for a in accs),
                "parameters": entry["parameters"],
            }
        )
    return pd.DataFrame(rows), {"variants": variants}
