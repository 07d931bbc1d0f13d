"""Collect the per-model metrics of every source and run into the post's table and compare it
with claims.yaml: each run is summarised alone, then the runs are described together
(core.repeats.over_runs: mean, sd, min, max and every run's value), one block per source.

metrics.json: {"sources": [...], <source>: {"runs", "models", "data", "forest_sizes"}}; a
claim's `ours` path starts with its source (`published.models.random_forest.test_acc`), so a
source the build left out has no metrics for its claims (optional below paper scale)."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.slash.spec import LABELS, MODELS, SOURCES

METRICS = ("trainable_params", "train_acc", "test_acc")
DATA_STATS = ("white_fraction", "dark_per_image", "mean_pixel", "background_min", "slash_max")
TWINS = ("test_twin_fraction", "test_near_twin_fraction")


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
    """One source's models: every metric of every model described over the runs."""
    runs = per_run(records)
    return {"runs": len(runs), **over_runs(runs)}


def _measures(runs: list[dict], n: int, what: str) -> dict:
    if len(runs) != n:
        raise DlreproError(f"slash compare: {what} has {len(runs)} runs, the models have {n}")
    return over_runs(runs, what)


def summarise_sources(
    records: dict[str, list[dict]], data: dict[str, dict], forest: dict[str, dict]
) -> dict:
    """metrics.json: per source, the models over runs, the data's pixel statistics and twin
    fractions (over runs), and the forest-size candidates (over runs)."""
    chosen = [s for s in SOURCES if s in records]
    out: dict = {"sources": chosen}
    for source in chosen:
        block = summarise(records[source])
        d = data[source]
        block["data"] = {
            "images": d["images"],
            **{k: d[k] for k in DATA_STATS},
            **_measures(d["runs"], block["runs"], f"{source} data"),
        }
        block["forest_sizes"] = _measures(
            forest[source]["runs"], block["runs"], f"{source} forest sizes"
        )
        out[source] = block
    return out


def results_table(summary: dict) -> pd.DataFrame:
    """One row per source and model: mean and sd over runs of each metric, every run's test
    accuracy."""
    rows = []
    for source in summary["sources"]:
        block = summary[source]
        for name, m in block["models"].items():
            row = {"source": source, "model": name, "label": LABELS[name], "runs": block["runs"]}
            for metric in METRICS:
                row[f"{metric}_mean"] = m[metric]["mean"]
                row[f"{metric}_sd"] = m[metric]["sd"]
            row["test_acc_per_run"] = " ".join(f"{a:.4f}" for a in m["test_acc"]["runs"])
            rows.append(row)
    return pd.DataFrame(rows)


def data_table(summary: dict) -> pd.DataFrame:
    """One row per source: its pixel statistics and the twin fractions of its test images."""
    rows = []
    for source in summary["sources"]:
        d = summary[source]["data"]
        row = {"source": source, "images": d["images"], **{k: d[k] for k in DATA_STATS}}
        for k in TWINS:
            row[f"{k}_mean"] = d[k]["mean"]
            row[f"{k}_sd"] = d[k]["sd"]
        rows.append(row)
    return pd.DataFrame(rows)


def forest_table(summary: dict) -> pd.DataFrame:
    """One row per source, forest size and count (nodes, leaves, splits): mean, sd over runs."""
    rows = []
    for source in summary["sources"]:
        sizes = summary[source]["forest_sizes"]
        trees = sorted(int(k.removeprefix("trees_")) for k in sizes if k.startswith("trees_"))
        for n in trees:  # numeric order (metrics.json sorts its keys as text)
            for what, v in sizes[f"trees_{n}"].items():
                rows.append({
                    "source": source, "trees": n, "count": what,
                    "mean": v["mean"], "sd": v["sd"], "min": v["min"], "max": v["max"],
                })  # fmt: skip
        per_tree = sizes["nodes_per_tree"]
        rows.append({"source": source, "trees": 1, "count": "nodes (mean per tree)",
                     "mean": per_tree["mean"], "sd": per_tree["sd"], "min": per_tree["min"],
                     "max": per_tree["max"]})  # fmt: skip
    return pd.DataFrame(rows)
