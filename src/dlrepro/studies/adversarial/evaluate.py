"""Ensemble results of one run: every kind x size x combination on clean and adversarial test
images, the best single member, and the baseline added to each max ensemble."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from dlrepro.classifier.train import accuracy
from dlrepro.errors import DlreproError
from dlrepro.studies.adversarial.ensemble import any_correct, combine

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


def stack_pool(rows: list[tuple[int, np.ndarray]], kind: str) -> np.ndarray:
    """(member index, probs [N, C]) in any order -> probs [M, N, C] in index order, checked
    to be the whole pool 0..M-1: with a member missing, position i would hold member i + 1 and
    every ensemble would report members it did not use."""
    indices = sorted(i for i, _ in rows)
    if indices != list(range(len(rows))):
        missing = sorted(set(range(max(indices, default=-1) + 1)) - set(indices))
        raise DlreproError(
            f"{kind} members: indices {indices[:8]}... are not the whole pool 0..{len(rows) - 1}"
            + (f" (missing {missing[:8]})" if missing else " (repeated indices)")
        )
    return np.stack([p for _, p in sorted(rows, key=lambda r: r[0])])


def check_pool(kind: str, n_images: int, *probs: np.ndarray) -> int:
    """Each array: one kind's members' probabilities [M, n_images, C], the same M in all (the
    clean and the adversarial predictions of one pool). -> M."""
    shapes = [np.shape(p) for p in probs]
    if any(len(s) != 3 or s[1] != n_images or s[:1] != shapes[0][:1] for s in shapes):
        raise DlreproError(
            f"{kind} members: probabilities of shapes {shapes}; expected [members, {n_images} "
            "images, classes], the same members in each"
        )
    return shapes[0][0]


def check_subset(kind: str, n: int, idx, pool: int) -> np.ndarray:
    """An ensemble of size n must be n distinct members of the pool: a pool smaller than n
    would otherwise report a size it did not build."""
    idx = np.asarray(idx, dtype=np.int64)
    if n > pool:
        raise DlreproError(
            f"{kind} ensemble of {n} members asked, but the pool holds only {pool} members: "
            "train as many members as the largest ensemble size"
        )
    if n < 1 or idx.shape != (n,) or len(np.unique(idx)) != n or idx.min() < 0 or idx.max() >= pool:
        raise DlreproError(
            f"{kind} ensemble of size {n}: indices {idx[:5].tolist()}... are not {n} "
            f"distinct members of a pool of {pool}"
        )
    return idx


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
        check_pool(kind, len(y), clean, adv)
        by_kind[kind], plus_baseline[kind] = {}, {}
        for n, idx in sorted(subsets[kind].items()):
            idx = check_subset(kind, n, idx, len(clean))
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


def ensembles_at_eps(
    adv: dict[str, np.ndarray], y: np.ndarray, subsets: Mapping[str, Mapping], best: str
) -> dict:
    """One attack strength: adv: kind -> the pool's probabilities [M, N, 10] on that eps's
    adversarials; subsets: kind -> size -> member indices (the run's, from its ensembles.json);
    best: the best single member "kind/index". -> that member's accuracy; per kind and size,
    the mean and max ensembles' accuracy and `any` (some member right: max's ceiling); per kind,
    the pool's mean top probability where a member is right and where it is wrong (max gains
    only if the right members are the more confident)."""
    out = {"ensembles": {}, "confidence": {}}
    for kind, probs in adv.items():
        check_pool(kind, len(y), probs)
        top, right = probs.max(axis=2), probs.argmax(axis=2) == np.asarray(y)[None]
        out["confidence"][kind] = {
            name: float(top[mask].mean()) if mask.any() else None
            for name, mask in (("right", right), ("wrong", ~right))
        }
        out["ensembles"][kind] = {}
        for n, idx in sorted(subsets[kind].items(), key=lambda kv: int(kv[0])):
            idx = check_subset(kind, int(n), idx, len(probs))
            scores = {how: accuracy(combine(probs[idx], how), y) for how in HOWS}
            scores["any"] = float(np.mean(any_correct(probs[idx], y)))
            out["ensembles"][kind][str(n)] = scores
    kind, _, index = best.partition("/")
    if kind not in adv or not index.isdigit() or int(index) >= len(adv[kind]):
        raise DlreproError(f"best single member {best!r} is not in the pool")
    out["best_single"] = accuracy(adv[kind][int(index)].argmax(1), y)
    return out
