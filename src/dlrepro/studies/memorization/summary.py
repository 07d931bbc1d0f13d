"""The memorization study's jobs gathered per setting (corruption level or random pixels) and
described over the run seeds (core.repeats.over_runs), and its results table; likewise the
fixed-budget variants (with the regularisation gap per run) and the 2n + d construction."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import index_runs, over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.memorization.data import PIXELS

MEASURED = ("train_acc", "test_acc", "fitted", "epochs_run")  # vary from run to run
FIXED = ("replaced_labels", "n_train", "n_test")  # set by params: the same in every run
# a fixed-budget variant's settings (params): the same in every run
VARIANT_SETTINGS = ("data", "epochs", "dropout", "weight_decay", "max_shift", "n_train", "n_test")
PLAIN, REGULARISED = "plain", "regularised"  # the variants the regularisation gap compares


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


def summarise_fixed_budget(jobs: list[dict]) -> tuple[dict, dict | None]:
    """Every (variant, run)'s fixed-budget metrics -> (per variant: train_acc and test_acc over
    the runs, with the variant's settings; the regularisation gap, or None without both the
    plain and the regularised variant). The gap is paired: run r of both variants shares its
    initialisation and batch order. error_reduction: the share of the plain net's test error
    that the regularisers remove, (err_plain - err_regularised) / err_plain."""
    variants, runs, by_key = index_runs(jobs, "variant", "memorization fixed budget")
    out = {}
    for v in variants:
        first = by_key[v, runs[0]]
        for k in VARIANT_SETTINGS:
            if any(by_key[v, i][k] != first[k] for i in runs):
                raise DlreproError(f"memorization: fixed-budget {v}'s {k} differs between runs")
        out[v] = {
            **over_runs([{k: by_key[v, i][k] for k in ("train_acc", "test_acc")} for i in runs]),
            **{k: first[k] for k in VARIANT_SETTINGS},
        }
    if PLAIN not in out or REGULARISED not in out:
        return out, None
    per_run = []
    for i in runs:
        plain, regularised = by_key[PLAIN, i]["test_acc"], by_key[REGULARISED, i]["test_acc"]
        if plain >= 1.0:
            raise DlreproError(
                "memorization: the plain net makes no test error in run "
                f"{i}, so the share of it that regularisation removes is undefined"
            )
        per_run.append(
            {
                "test_acc_gain": regularised - plain,
                "error_reduction": (regularised - plain) / (1.0 - plain),
            }
        )
    return out, over_runs(per_run, "regularisation")


def summarise_construction(reports: list[dict]) -> dict:
    """The construction's per-run reports (construction.fit_report, in run order) over the
    runs; n, d and the parameter counts are the same in every run."""
    if not reports:
        raise DlreproError("memorization: the construction has no runs")
    if [r["run"] for r in reports] != list(range(len(reports))):
        raise DlreproError("memorization: the construction's runs are not 0..R-1 in order")
    return over_runs([{k: v for k, v in r.items() if k != "run"} for r in reports])


def _mean_sd(leaf: dict) -> tuple[float, float]:
    return leaf["mean"], leaf["sd"]


def fixed_budget_table(variants: dict) -> pd.DataFrame:
    rows = []
    for name, v in variants.items():
        (train, train_sd), (test, test_sd) = _mean_sd(v["train_acc"]), _mean_sd(v["test_acc"])
        rows.append(
            {
                "variant": name,
                "training data": v["data"].replace("_", " "),
                "epochs": v["epochs"],
                "dropout": v["dropout"],
                "weight_decay": v["weight_decay"],
                "max_shift (px)": v["max_shift"],
                "runs": len(v["train_acc"]["runs"]),
                "train_acc": train,
                "train_acc sd": train_sd,
                "test_acc": test,
                "test_acc sd": test_sd,
            }
        )
    return pd.DataFrame(rows)


def construction_table(c: dict) -> pd.DataFrame:
    n, d = int(c["n"]["mean"]), int(c["d"]["mean"])
    return pd.DataFrame(
        [
            {
                "n (points)": n,
                "d (dimensions)": d,
                "2n + d": 2 * n + d,
                "parameters (counted)": int(c["parameters"]["max"]),
                "runs": len(c["parameters"]["runs"]),
                "max |output - label| (worst run)": c["max_abs_residual"]["max"],
                "labels recovered by rounding (worst run)": c["label_accuracy"]["min"],
                "max |output weight| (largest run)": c["max_abs_output_weight"]["max"],
            }
        ]
    )
