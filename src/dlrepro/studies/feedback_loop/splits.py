"""Validation splits: fastai's default hold-out, and a split that keeps the future for validation.

The lesson: "It will automatically select a set of values from the training set. Usually 20% of
the training set is held out for validation." That is fastai's default: a `DataBlock` given no
splitter uses `RandomSplitter()` (fastai/data/block.py, `DataBlock.datasets`), whose
`valid_pct=0.2` cuts the first int(valid_pct * n) items of a random permutation for validation
(fastai/data/transforms.py). fastai is not installed here, so `FASTAI_VALID_PCT` is that
documented constant and `random_split` a copy of the rule (numpy's generator for torch's).
"""

from __future__ import annotations

import numpy as np

from dlrepro.core.determinism import rng
from dlrepro.errors import DlreproError

FASTAI_VALID_PCT = 0.2  # fastai.data.transforms.RandomSplitter(valid_pct=0.2, seed=None)


def _cut(n: int, valid_pct: float) -> int:
    if n < 2 or not 0 < valid_pct < 1:
        raise DlreproError(
            f"a split needs n >= 2 items and 0 < valid_pct < 1, got {n}, {valid_pct}"
        )
    return int(valid_pct * n)


def random_split(
    n: int, rng: np.random.Generator, valid_pct: float = FASTAI_VALID_PCT
) -> tuple[np.ndarray, np.ndarray]:
    """fastai's RandomSplitter rule: (train, valid) indices, valid = the first int(valid_pct * n)
    of a random permutation."""
    cut = _cut(n, valid_pct)
    order = rng.permutation(n)
    return order[cut:], order[:cut]


def time_split(n: int, valid_pct: float = FASTAI_VALID_PCT) -> tuple[np.ndarray, np.ndarray]:
    """The same number of validation items, but the last ones: the future is the validation set."""
    cut = _cut(n, valid_pct)
    return np.arange(n - cut), np.arange(n - cut, n)


def sklearn_default_test_share(n: int) -> float:
    """Share of n items that scikit-learn's train_test_split holds out with its defaults (the
    installed library, called, not a constant)."""
    from sklearn.model_selection import train_test_split

    _, test = train_test_split(np.arange(n), random_state=0)
    return len(test) / n


def hold_out_table(sizes: list[int], seed: int) -> list[dict]:
    """Per data size: the share fastai's default rule holds out, where its validation items lie
    (share in the last 20% of the items: about 0.2 when they are spread at random), and the share
    scikit-learn's installed default holds out."""
    rows = []
    for n in sizes:
        train, valid = random_split(n, rng(seed, "feedback_loop", "holdout", str(n)))
        tail = n - int(FASTAI_VALID_PCT * n)
        rows.append(
            {
                "items": n,
                "fastai_default_valid_items": len(valid),
                "fastai_default_share": len(valid) / n,
                "valid_share_in_last_20pct": float((valid >= tail).mean()),
                "disjoint_and_complete": bool(
                    len(np.intersect1d(train, valid)) == 0 and len(train) + len(valid) == n
                ),
                "sklearn_default_test_share": sklearn_default_test_share(n),
            }
        )
    return rows


def summarise_hold_out(rows: list[dict]) -> dict:
    """metrics.json's `holdout`: each quantity as the list over data sizes (a claim judges all)."""
    return {
        "documented_valid_pct": FASTAI_VALID_PCT,
        "sizes": [r["items"] for r in rows],
        "fastai_default_share": [r["fastai_default_share"] for r in rows],
        "valid_share_in_last_20pct": [r["valid_share_in_last_20pct"] for r in rows],
        "sklearn_default_test_share": [r["sklearn_default_test_share"] for r in rows],
        "all_disjoint_and_complete": all(r["disjoint_and_complete"] for r in rows),
    }
