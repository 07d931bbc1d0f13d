"""Per-run results -> metrics.json (every number over the runs) and the results table."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import index_runs, over_runs
from dlrepro.studies.gumbel_softmax.variants import VARIANTS

MODEL_KEYS = ("test_acc", "val_acc", "train_acc", "best_step")


def summarise(estimator_runs: list[dict], model_runs: list[dict]) -> dict:
    """{estimators: the per-run measurements over runs (the run's own probabilities left out:
    each run draws its own categorical), semi: {variant: accuracies over runs}}."""
    per_run = [
        {k: v for k, v in r.items() if k not in ("run", "probs")}
        for r in sorted(estimator_runs, key=lambda r: r["run"])
    ]
    names, runs, by_key = index_runs(model_runs, "variant", "gumbel_softmax models")
    semi = {
        v: over_runs([{k: by_key[(v, r)][k] for k in MODEL_KEYS} for r in runs], v)
        for v in VARIANTS
        if v in names
    }
    return {"estimators": over_runs(per_run, "estimators"), "semi": semi}


def _cell(leaf) -> str:
    return f"{leaf['mean']:.4g} ± {leaf['sd']:.2g}"


def results_table(result: dict) -> pd.DataFrame:
    """One row per temperature (mean ± sd over runs), one per score-function estimator (sf_:
    they do not depend on tau), then one per semi-supervised variant."""
    e = result["estimators"]
    rows = []
    for tau in e["tau"].values():
        rows.append(
            {
                "setting": f"tau = {tau['tau']['mean']:g}",
                "max_component": _cell(tau["max_component"]),
                "l1_mean_to_probs": _cell(tau["l1_to_probs"]),
                "l1_mean_to_uniform": _cell(tau["l1_to_uniform"]),
                "gs_variance": _cell(tau["gumbel_softmax"]["variance"]),
                "gs_bias": _cell(tau["gumbel_softmax"]["bias"]),
                "st_variance": _cell(tau["straight_through"]["variance"]),
                "st_bias": _cell(tau["straight_through"]["bias"]),
                "gs_over_sf_variance": _cell(tau["gs_over_sf_variance"]),
                "gs_over_sf_baseline_variance": _cell(tau["gs_over_sf_baseline_variance"]),
            }
        )
    for name in ("score_function", "score_function_baseline"):
        rows.append(
            {
                "setting": name.replace("_", " "),
                "sf_variance": _cell(e[name]["variance"]),
                "sf_bias": _cell(e[name]["bias"]),
            }
        )
    for variant, m in result["semi"].items():
        rows.append(
            {
                "setting": f"MNIST {variant}",
                "test_acc": _cell(m["test_acc"]),
                "val_acc": _cell(m["val_acc"]),
                "best_step": _cell(m["best_step"]),
            }
        )
    return pd.DataFrame(rows).fillna("")
