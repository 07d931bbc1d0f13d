"""The SKM study's runs described per head over the run seeds (core.repeats.over_runs: every
numeric leaf {mean, sd, min, max, runs}, run r of both heads sharing a seed), and its table."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import index_runs, over_runs
from dlrepro.studies.skm import HEADS

MEASURED = ("test_error", "mean_test_error_over_epochs", "ece", "noise_auroc")
SKM_ONLY = ("mass_noise_auroc", "ece_with_background", "mean_log_mass")


def _measured(r: dict) -> dict:
    return {k: r[k] for k in MEASURED + (SKM_ONLY if r["head"] == "skm" else ())}


def summarise(runs: list[dict], params: dict) -> dict:
    names, indices, by_key = index_runs(runs, "head", "skm")
    heads = [h for h in HEADS if h in names]
    result = over_runs([{h: _measured(by_key[h, i]) for h in heads} for i in indices])
    for h in heads:
        # epochs until the error threshold: None in a run that never reached it
        result[h]["epochs_to_error"] = [by_key[h, i]["epochs_to_error"] for i in indices]
        result[h]["parameters"] = by_key[h, indices[0]]["parameters"]  # fixed by the model
    first = by_key[heads[0], indices[0]]
    return {
        "epochs": params["training"]["epochs"],
        "n_train": first["n_train"],
        "n_test": first["n_test"],
        "speed_error_threshold": params["speed_error_threshold"],
        "runs": len(indices),
        **result,
    }


def _mean_sd(leaf: dict | None) -> str:
    return "" if leaf is None else f"{leaf['mean']:.4g} ± {leaf['sd']:.2g}"


def results_table(result: dict) -> pd.DataFrame:
    rows = []
    for head in HEADS:
        if head not in result:
            continue
        r = result[head]
        log_mass = r.get("mean_log_mass")
        rows.append(
            {
                "head": head,
                "runs": len(r["test_error"]["runs"]),
                "test error (mean)": r["test_error"]["mean"],
                "test error (sd)": r["test_error"]["sd"],
                "test errors": " ".join(f"{e:.4f}" for e in r["test_error"]["runs"]),
                "mean test error over epochs": _mean_sd(r["mean_test_error_over_epochs"]),
                f"epochs to error <= {result['speed_error_threshold']}": " ".join(
                    "-" if e is None else str(e) for e in r["epochs_to_error"]
                ),
                "ECE of max probability": _mean_sd(r["ece"]),
                "ECE, SKM probability with background": _mean_sd(r.get("ece_with_background")),
                "digits-vs-noise AUROC, max probability": _mean_sd(r["noise_auroc"]),
                "digits-vs-noise AUROC, kernel mass": _mean_sd(r.get("mass_noise_auroc")),
                "mean log kernel mass, digits / noise": (
                    f"{log_mass['test']['mean']:.3f} / {log_mass['noise']['mean']:.3f}"
                    if log_mass
                    else ""
                ),
                "parameters": r["parameters"],
            }
        )
    return pd.DataFrame(rows)
