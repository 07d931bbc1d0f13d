"""The memorization study's jobs gathered per setting (corruption level or random pixels) and
described over the run seeds (core.repeats.over_runs), and its results table."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import index_runs, over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.memorization.data import PIXELS

MEASURED = ("train_acc", "test_acc", "fitted", "epochs_run")  # vary from run to run
FIXED = ("replaced_labels", "n_train", "n_test")  # set by params: the same in every run


def _measured(r: dict) -> dict:
    return {k: r[k] for k in MEASURED}


def _run_summary(jobs: list[dict]) -> dict:
    """One run's settings, as the study summarised its single run before."""
    levels = sorted(
        (r for r in jobs if r["setting"] != PIXELS), key=lambda r: r["corrupted_percent"]
    )
    pixels = [r for r in jobs if r["setting"] == PIXELS]
    out = {"levels": {str(r["corrupted_percent"]): _measured(r) for r in levels}}
    if pixels:
        out[PIXELS] = _measured(pixels[0])
    every = [*levels, *pixels]
    out["min_train_acc"] = min(r["train_acc"] for r in every)
    out["all_fitted"] = all(r["fitted"] for r in every)
    return out


def summarise(jobs: list[dict], params: dict) -> dict:
    """Every (setting, run)'s metrics -> metrics over the runs: numeric leaves {mean, sd, min,
    max, runs}, `fitted` {all, any, runs}; per-run epochs to fit (None: the budget ran out) and
    the settings' fixed sizes beside them."""
    settings, runs, by_key = index_runs(jobs, "setting", "memorization")
    result = over_runs([_run_summary([by_key[s, i] for s in settings]) for i in runs])
    for s in settings:
        first = by_key[s, runs[0]]
        entry = result[PIXELS] if s == PIXELS else result["levels"][str(first["corrupted_percent"])]
        for k in FIXED:
            if any(by_key[s, i][k] != first[k] for i in runs):
                raise DlreproError(f"memorization: {s}'s {k} differs between runs")
            entry[k] = first[k]
        entry["epochs_to_fit"] = [by_key[s, i]["epochs_to_fit"] for i in runs]
    result.setdefault(PIXELS, None)
    return {
        "fit_threshold": params["fit_threshold"],
        "max_epochs": params["training"]["epochs"],
        "runs": len(runs),
        **result,
    }


def _row(name: str, r: dict) -> dict:
    return {
        "training set": name,
        "runs": len(r["train_acc"]["runs"]),
        "train_acc": r["train_acc"]["mean"],
        "train_acc sd": r["train_acc"]["sd"],
        "test_acc": r["test_acc"]["mean"],
        "test_acc sd": r["test_acc"]["sd"],
        "fitted runs": sum(r["fitted"]["runs"]),
        "epochs_run": r["epochs_run"]["mean"],
        "epochs_run sd": r["epochs_run"]["sd"],
        # an unfitted run has no epochs-to-fit: "-" rather than NaN
        "epochs_to_fit per run": " ".join("-" if e is None else str(e) for e in r["epochs_to_fit"]),
        **{k: r[k] for k in FIXED},
    }


def results_table(result: dict) -> pd.DataFrame:
    rows = [_row(f"{p}% random labels", r) for p, r in result["levels"].items()]
    if result[PIXELS]:
        rows.append(_row("Gaussian pixels, real labels", result[PIXELS]))
    return pd.DataFrame(rows)
