"""The SELU study's results table: one row per measured quantity."""

from __future__ import annotations

import pandas as pd

SOURCES = {"gaussian": "N(0,1) inputs", "mnist": "standardised MNIST inputs"}


def results_table(result: dict) -> pd.DataFrame:
    rows = []
    for source, by_variant in result["activations"].items():
        for variant, s in by_variant.items():
            rows.append(
                {
                    "part": f"at init, {SOURCES[source]}",
                    "variant": variant,
                    "last-layer mean": s["last_mean"],
                    "last-layer variance": s["last_var"],
                    "distance from (0, 1)": s["deviation"],
                    "variance drift |ln var_L/var_1|": s["variance_drift"],
                    "test accuracy": "",
                }
            )
    for variant, r in result["training"].items():
        rows.append(
            {
                "part": "trained on MNIST (test images)",
                "variant": variant,
                "last-layer mean": "",
                "last-layer variance": "",
                "distance from (0, 1)": r["trained_deviation"],
                "variance drift |ln var_L/var_1|": "",
                "test accuracy": r["test_acc"],
            }
        )
    return pd.DataFrame(rows)
