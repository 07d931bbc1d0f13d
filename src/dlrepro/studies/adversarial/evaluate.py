"""Ensemble results of one run: every kind x size x combination on clean and adversarial test
images, the best single member, and the baseline added to each max ensemble."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from dlrepro.classifier.train import accuracy
from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial.ensemble import combine

HOWS = ("mean", "max")


def draw_subsets(
    pool: Mapping[str, int], sizes: list[int], seed_of: Callable[[str, int], int]
) -> dict[str, dict[int, np.ndarray]]:
    """kind -> N -> the member indices of one run's ensemble of size N: N drawn at random
    without replacement from the kind's pool of `pool[kind]` members (seed_of(kind, N) seeds
    the draw), sorted so that the max rule's tie-break (lowest index) does not depend on the
    draw's order. N equal to the pool size is the whole pool in every run."""
    out = {}
    for kind, size in pool.items():
        out[kind] = {}
        for n in sorted(sizes):
            if not 1 <= n <= size:
                raise DlreproError(
                    f"ensembles of {n} {kind} members from a pool of {size}: the pool holds "
                    "as many members as the largest ensemble size"
                )
            rng = np.random.default_rng(seed_of(kind, n))
            out[kind][n] = np.sort(rng.choice(size, size=n, replace=False)).astype(np.int64)
    return out


def evaluate_ensembles(
    members: dict[str, tuple[np.ndarray, np.ndarray]],
    baseline: tuple[np.ndarray, np.ndarray],
    y: np.ndarray,
    subsets: dict[str, dict[int, np.ndarray]],
) -> tuple[pd.DataFrame, dict]:
    """members: kind -> (clean probs [M, N, 10], adversarial probs [M, N, 10]), members in
    index order (the pool); subsets: kind -> size -> member indices (`draw_subsets`)."""
    rows, by_kind, plus_baseline = [], {}, {}
    for kind, (clean, adv) in members.items():
        by_kind[kind], plus_baseline[kind] = {}, {}
        for n, idx in sorted(subsets[kind].items()):
            idx = np.asarray(idx, dtype=np.int64)
            if n < 1 or len(np.unique(idx)) != n or idx.min() < 0 or idx.max() >= len(clean):
                raise DlreproError(
                    f"{kind} ensemble of size {n}: indices {idx[:5].tolist()}... are not {n} "
                    f"distinct members of a pool of {len(clean)}"
                )
            by_kind[kind][str(n)] = {}
            for how in HOWS:
                scores = {
                    "clean_acc": accuracy(combine(clean[idx], how), y),
                    "adversarial_acc": accuracy(combine(adv[idx], how), y),
                }
                by_kind[kind][str(n)][how] = scores
                rows.append({"kind": kind, "members": n, "combination": how, **scores})
            # the baseline (whose own gradients made the adversarials) added to this max
            # ensemble; the compare step reports it for the best one over the runs
            with_baseline = np.concatenate([adv[idx], baseline[1][None]])
            plus_baseline[kind][str(n)] = accuracy(combine(with_baseline, "max"), y)

    # best single member: highest clean test accuracy in the pool (as the post selects); the
    # pool and the clean test set are fixed, so every run picks the same member
    singles = [
        (accuracy(clean[i].argmax(1), y), accuracy(adv[i].argmax(1), y), kind, i)
        for kind, (clean, adv) in members.items()
        for i in range(len(clean))
    ]
    clean_acc, adv_acc, kind, i = max(singles, key=lambda s: s[0])  # first of equals wins
    best_single = {"member": f"{kind}/{i}", "clean_acc": clean_acc, "adversarial_acc": adv_acc}
    sizes = sorted({n for by_n in subsets.values() for n in by_n})
    metrics = {
        "ensembles": by_kind,
        "best_single": best_single,
        "max_plus_baseline": plus_baseline,
        "largest": str(max(sizes)),
        "subsets": {
            k: {str(n): [int(i) for i in idx] for n, idx in s.items()} for k, s in subsets.items()
        },
    }
    return pd.DataFrame(rows), metrics
