"""The runs of the memorization study gathered per corruption level, and its results table."""

from __future__ import annotations

import pandas as pd

from dlrepro.studies.memorization.data import PIXELS

KEYS = (
    "train_acc",
    "test_acc",
    "fitted",
    "epochs_to_fit",
    "epochs_run",
    "replaced_labels",
    "n_train",
    "n_test",
)


def summarise(runs: list[dict], params: dict) -> dict:
    levels = {
        str(r["corrupted_percent"]): {k: r[k] for k in KEYS}
        for r in sorted(
            (r for r in runs if r["run"] != PIXELS), key=lambda r: r["corrupted_percent"]
        )
    }
    pixels = [{k: r[k] for k in KEYS} for r in runs if r["run"] == PIXELS]
    every = [*levels.values(), *pixels]
    return {
        "fit_threshold": params["fit_threshold"],
        "max_epochs": params["training"]["epochs"],
        "levels": levels,
        PIXELS: pixels[0] if pixels else None,
        "min_train_acc": min(r["train_acc"] for r in every),
        "all_fitted": all(r["fitted"] for r in every),
    }


def results_table(result: dict) -> pd.DataFrame:
    rows = [{"training set": f"{p}% random labels", **r} for p, r in result["levels"].items()]
    if result[PIXELS]:
        rows.append({"training set": "Gaussian pixels, real labels", **result[PIXELS]})
    table = pd.DataFrame(rows)
    # an unfitted run has no epochs-to-fit: leave the cell empty rather than write NaN
    table["epochs_to_fit"] = table["epochs_to_fit"].astype("Int64")
    return table
