"""The study's summary over run seeds: each run's baseline, attack, adversarial training,
ensembles, hidden-space distances and ensembles at other eps merged by
core.repeats.over_runs, and the results table (mean and sd per model or ensemble, clean and
adversarial test accuracy)."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import over_runs

ACCURACIES = ["clean_test_acc", "baseline_adversarial_test_acc", "own_adversarial_test_acc"]
# the same in every run (architecture and data sizes, the attack's eps): kept as plain numbers
CONSTANTS = {
    "baseline": ("parameters", "n_train", "n_test"),
    "attack": ("eps",),
    "receding": ("n",),
}


def summarise(per_run: list[dict]) -> dict:
    """per_run: one {"baseline", "attack", "advtrain", "ensembles", "receding", "ensemble_eps"}
    dict per run, in run order -> metrics.json: numeric leaves described over the runs (mean,
    sd, min, max, runs)."""
    runs, constants = [], {}
    for result in per_run:
        result = {k: dict(v) for k, v in result.items()}
        for section, keys in CONSTANTS.items():
            constants[section] = {k: result[section].pop(k) for k in keys}
        result["ensembles"].pop("subsets")  # member indices: in each run's ensembles.json
        runs.append(result)
    summary = over_runs(runs)
    for section, values in constants.items():
        summary[section].update(values)
    summary["ensembles"]["best_max_plus_baseline"] = best_max_plus_baseline(summary["ensembles"])
    return summary


def best_max_plus_baseline(ensembles: dict) -> dict:
    """The baseline added to the best max ensemble: the kind and size whose max ensemble has
    the highest mean adversarial accuracy over the runs (one choice for every run, so before
    and after stay paired), with its accuracy before and after."""
    candidates = [
        (kind, n) for kind, by_n in ensembles["ensembles"].items() for n in sorted(by_n, key=int)
    ]
    kind, n = max(  # first of equals wins
        candidates,
        key=lambda kn: ensembles["ensembles"][kn[0]][kn[1]]["max"]["adversarial_acc"]["mean"],
    )
    return {
        "ensemble": f"{kind} N={n}",
        "before": ensembles["ensembles"][kind][n]["max"]["adversarial_acc"],
        "after": ensembles["max_plus_baseline"][kind][n],
    }


def _mean_sd(leaf) -> list:
    if leaf is None:
        return [None, None]
    return [leaf["mean"], leaf["sd"]]


def results_table(summary: dict) -> pd.DataFrame:
    base, att, adv, ens = (summary[k] for k in ("baseline", "attack", "advtrain", "ensembles"))
    rows = [
        ("baseline ConvNet", base["clean_test_acc"], att["adversarial_test_acc"],
         att["adversarial_test_acc"]),
        ("adversarial training", adv["clean_test_acc"], adv["baseline_adversarial_test_acc"],
         adv["own_adversarial_test_acc"]),
        (f"best single member ({ens['best_single']['member']})",
         ens["best_single"]["clean_acc"], ens["best_single"]["adversarial_acc"], None),
    ]  # fmt: skip
    for kind, sizes in ens["ensembles"].items():
        for n, hows in sizes.items():
            for how, s in hows.items():
                rows.append(
                    (f"{how} ensemble, {kind}, N={n}", s["clean_acc"], s["adversarial_acc"], None)
                )
    plus = ens["best_max_plus_baseline"]
    rows.append((f"max ensemble {plus['ensemble']} + baseline", None, plus["after"], None))
    columns = [f"{c}_{stat}" for c in ACCURACIES for stat in ("mean", "sd")]
    table = pd.DataFrame(
        [[name, *(x for leaf in leaves for x in _mean_sd(leaf))] for name, *leaves in rows],
        columns=["model", *columns],
    )
    table["runs"] = [len(base["clean_test_acc"]["runs"])] * len(table)
    return table
