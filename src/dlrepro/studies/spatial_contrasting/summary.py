"""The study's runs described over the run seeds (core.repeats.over_runs: every numeric leaf
{mean, sd, min, max, runs}; run r of every variant shares a seed, so orderings are paired),
the pretraining loss windows, and the results table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.repeats import over_runs
from dlrepro.errors import DlreproError

MEASURED = ("pretrain", "triplets", "probe", "finetune", "gain")


def loss_windows(losses: list[float], window: float) -> dict[str, float]:
    """Mean pretraining loss over the first and the last `window` share of the steps (at
    least one step each): whether the spatial contrasting loss fell."""
    if not losses:
        raise DlreproError("spatial_contrasting: an empty pretraining loss history")
    k = max(1, round(window * len(losses)))
    return {"loss_first": float(np.mean(losses[:k])), "loss_last": float(np.mean(losses[-k:]))}


def summarise(runs: list[dict]) -> dict:
    runs = sorted(runs, key=lambda r: r["run"])
    indices = [r["run"] for r in runs]
    if indices != list(range(len(runs))):
        raise DlreproError(f"spatial_contrasting: metrics of runs {indices}, expected 0..R-1")
    result = over_runs([{k: r[k] for k in MEASURED} for r in runs])
    first = runs[0]
    return {
        "runs": len(runs),
        "n_labelled": first["n_labelled"],
        "n_test": first["n_test"],
    } | result


def _cell(leaf: dict) -> str:
    return f"{leaf['mean']:.4f} ± {leaf['sd']:.4f}"


def results_table(result: dict) -> pd.DataFrame:
    """One row per network: accuracies mean ± sd over the runs."""
    ft, probe, trip = result["finetune"], result["probe"], result["triplets"]
    rows = [
        {"network": "fine-tuned, pretrained encoder", "val accuracy": _cell(ft["pretrained"]["val_acc"]),
         "test accuracy": _cell(ft["pretrained"]["test_acc"]), "held-out triplet accuracy": ""},
        {"network": "trained from scratch", "val accuracy": _cell(ft["scratch"]["val_acc"]),
         "test accuracy": _cell(ft["scratch"]["test_acc"]), "held-out triplet accuracy": ""},
    ]  # fmt: skip
    for k, name in (("pretrained", "pretrained encoder"), ("random", "random-init encoder")):
        rows.append(
            {
                "network": f"linear probe, frozen {name}",
                "val accuracy": _cell(probe[k]["val"]),
                "test accuracy": _cell(probe[k]["test"]),
                "held-out triplet accuracy": _cell(trip[k]["accuracy"]),
            }
        )
    table = pd.DataFrame(rows)
    table.insert(1, "runs", result["runs"])
    table.insert(2, "labelled images", result["n_labelled"])
    return table
