"""The SKM study's runs averaged per head, and its results table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.studies.skm import HEADS

MEAN_KEYS = ("test_error", "mean_test_error_over_epochs", "ece", "noise_auroc")


def summarise(runs: list[dict], params: dict) -> dict:
    heads = {}
    for head in sorted({r["head"] for r in runs}):
        mine = sorted((r for r in runs if r["head"] == head), key=lambda r: r["run"])
        heads[head] = {k: float(np.mean([r[k] for r in mine])) for k in MEAN_KEYS}
        heads[head].update(
            runs=len(mine),
            test_errors=[r["test_error"] for r in mine],
            epochs_to_error=[r["epochs_to_error"] for r in mine],
            parameters=mine[0]["parameters"],
        )
        if head == "skm":
            heads[head]["mass_noise_auroc"] = float(np.mean([r["mass_noise_auroc"] for r in mine]))
            heads[head]["ece_with_background"] = float(
                np.mean([r["ece_with_background"] for r in mine])
            )
            heads[head]["mean_log_mass"] = {
                kind: float(np.mean([r["mean_log_mass"][kind] for r in mine]))
                for kind in ("test", "noise")
            }
    return {
        "epochs": params["training"]["epochs"],
        "n_train": runs[0]["n_train"],
        "n_test": runs[0]["n_test"],
        "speed_error_threshold": params["speed_error_threshold"],
        **heads,
    }


def results_table(result: dict) -> pd.DataFrame:
    rows = []
    for head in HEADS:
        r = result[head]
        rows.append(
            {
                "head": head,
                "runs": r["runs"],
                "test error (mean)": r["test_error"],
                "test errors": " ".join(f"{e:.4f}" for e in r["test_errors"]),
                "mean test error over epochs": r["mean_test_error_over_epochs"],
                f"epochs to error <= {result['speed_error_threshold']}": " ".join(
                    "-" if e is None else str(e) for e in r["epochs_to_error"]
                ),
                "ECE of max probability": r["ece"],
                "ECE, SKM probability with background": r.get("ece_with_background", ""),
                "digits-vs-noise AUROC, max probability": r["noise_auroc"],
                "digits-vs-noise AUROC, kernel mass": r.get("mass_noise_auroc", ""),
                "mean log kernel mass, digits / noise": (
                    f"{r['mean_log_mass']['test']:.3f} / {r['mean_log_mass']['noise']:.3f}"
                    if "mean_log_mass" in r
                    else ""
                ),
                "parameters": r["parameters"],
            }
        )
    return pd.DataFrame(rows)
