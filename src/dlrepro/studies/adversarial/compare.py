"""The study's results table: each model or ensemble, clean and adversarial test accuracy."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["model", "clean_test_acc", "baseline_adversarial_test_acc", "own_adversarial_test_acc"]


def results_table(result: dict) -> pd.DataFrame:
    base, att, adv, ens = (result[k] for k in ("baseline", "attack", "advtrain", "ensembles"))
    rows = [
        (
            "baseline ConvNet",
            base["clean_test_acc"],
            att["adversarial_test_acc"],
            att["adversarial_test_acc"],
        ),
        (
            "adversarial training",
            adv["clean_test_acc"],
            adv["baseline_adversarial_test_acc"],
            adv["own_adversarial_test_acc"],
        ),
        (
            f"best single member ({ens['best_single']['member']})",
            ens["best_single"]["clean_acc"],
            ens["best_single"]["adversarial_acc"],
            None,
        ),
    ]
    for kind, sizes in ens["ensembles"].items():
        for n, hows in sizes.items():
            for how, s in hows.items():
                rows.append(
                    (f"{how} ensemble, {kind}, N={n}", s["clean_acc"], s["adversarial_acc"], None)
                )
    plus = ens["best_max_plus_baseline"]
    rows.append((f"max ensemble {plus['ensemble']} + baseline", None, plus["after"], None))
    return pd.DataFrame(rows, columns=COLUMNS)
