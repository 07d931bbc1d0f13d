"""Collect the per-model metrics of every run into the post's table and compare it with
claims.yaml: each run is summarised alone, then the runs are described together
(core.repeats.over_runs: mean, sd, min, max and every run's value)."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.slash.spec import LABELS, MODELS

METRICS = ("trainable_params", "train_acc", "test_acc")


def per_run(records: list[dict]) -> list[dict]:
    """One {"models": {model: {metric: value}}} per run, in run order, models in table order."""
    runs: dict[int, dict[str, dict]] = {}
    for r in records:
        models = runs.setdefault(int(r["run"]), {})
        if r["model"] in models:
            raise DlreproError(f"slash compare: model {r['model']} twice in run {r['run']}")
        models[r["model"]] = {k: r[k] for k in METRICS}
    if sorted(runs) != list(range(len(runs))):
        raise DlreproError(f"slash compare: runs {sorted(runs)} are not 0..{len(runs) - 1}")
    out = []
    for run in sorted(runs):
        missing = [m for m in MODELS if m not in runs[run]]
        if missing:
            raise DlreproError(f"slash compare: run {run} has no metrics for {', '.join(missing)}")
        out.append({"models": {m: runs[run][m] for m in MODELS}})
    return out


def summarise(records: list[dict]) -> dict:
    """metrics.json: every metric of every model described over the runs."""
    runs = per_run(records)
    return {"runs": len(runs), **over_runs(runs)}


def results_table(summary: dict) -> pd.DataFrame:
    """One row per model: mean and sd over runs of each metric, and every run's test accuracy."""
    rows = []
    for name, m in summary["models"].items():
        row = {"model": name, "label": LABELS[name], "runs": summary["runs"]}
        for metric in METRICS:
            row[f"{metric}_mean"] = m[metric]["mean"]
            row[f"{metric}_sd"] = m[metric]["sd"]
        row["test_acc_per_run"] = " ".join(f"{a:.4f}" for a in m["test_acc"]["runs"])
        rows.append(row)
    return pd.DataFrame(rows)
