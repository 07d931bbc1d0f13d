"""Ensemble results: every kind x size x combination on clean and adversarial test images, the
best single member, and the baseline added to the best max ensemble."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.classifier.train import accuracy
from dlrepro.studies.adversarial.ensemble import combine

HOWS = ("mean", "max")


def evaluate_ensembles(
    members: dict[str, tuple[np.ndarray, np.ndarray]],
    baseline: tuple[np.ndarray, np.ndarray],
    y: np.ndarray,
    sizes: list[int],
) -> tuple[pd.DataFrame, dict]:
    """members: kind -> (clean probs [M, N, 10], adversarial probs [M, N, 10]), members in
    index order; an ensemble of size n is the first n members of its kind."""
    rows, by_kind = [], {}
    for kind, (clean, adv) in members.items():
        by_kind[kind] = {}
        for n in sorted(sizes):
            by_kind[kind][str(n)] = {}
            for how in HOWS:
                scores = {
                    "clean_acc": accuracy(combine(clean[:n], how), y),
                    "adversarial_acc": accuracy(combine(adv[:n], how), y),
                }
                by_kind[kind][str(n)][how] = scores
                rows.append({"kind": kind, "members": n, "combination": how, **scores})

    # best single member: highest clean test accuracy among all members (as the post selects)
    singles = [
        (accuracy(clean[i].argmax(1), y), accuracy(adv[i].argmax(1), y), kind, i)
        for kind, (clean, adv) in members.items()
        for i in range(len(clean))
    ]
    clean_acc, adv_acc, kind, i = max(singles, key=lambda s: s[0])  # first of equals wins
    best_single = {"member": f"{kind}/{i}", "clean_acc": clean_acc, "adversarial_acc": adv_acc}

    # the baseline (whose own gradients made the adversarials) added to the best max ensemble
    best = max(
        ((kind, n) for kind in members for n in sorted(sizes)),
        key=lambda kn: by_kind[kn[0]][str(kn[1])]["max"]["adversarial_acc"],
    )
    kind, n = best
    with_baseline = np.concatenate([members[kind][1][:n], baseline[1][None]])
    plus_baseline = {
        "ensemble": f"{kind} N={n}",
        "before": by_kind[kind][str(n)]["max"]["adversarial_acc"],
        "after": accuracy(combine(with_baseline, "max"), y),
    }
    metrics = {
        "ensembles": by_kind,
        "best_single": best_single,
        "best_max_plus_baseline": plus_baseline,
        "largest": str(max(sizes)),
    }
    return pd.DataFrame(rows), metrics
