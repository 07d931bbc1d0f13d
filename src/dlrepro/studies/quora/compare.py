"""The accuracy table, the data-quirks table beside the post's, and the summary metrics."""

from __future__ import annotations

import pandas as pd

from dlrepro.studies.quora.spec import LABELS


def summary(per_variant: dict[str, dict]) -> dict:
    """metrics.json: per-variant metrics plus the all-majority ("all zeros") baseline."""
    variants = {}
    for name, m in per_variant.items():
        variants[name] = {**m, "gain_over_majority": m["test_acc"] - m["test_majority_acc"]}
    any_variant = next(iter(per_variant.values()))
    return {
        "variants": variants,
        "baseline": {"test_majority_acc": any_variant["test_majority_acc"]},
    }


def accuracy_table(per_variant: dict[str, dict]) -> pd.DataFrame:
    rows = [
        {
            "variant": name,
            "post_label": LABELS.get(name, name),
            "trainable_params": m["trainable_params"],
            "train_acc": m["train_acc"],
            "test_acc": m["test_acc"],
            # what the post's code printed as "accuracy": labels[distance < 0.5].mean()
            "test_precision": m.get("test_precision"),
            "test_positive_rate": m["test_positive_rate"],
            "diverged": bool(m.get("diverged", False)),
        }
        for name, m in per_variant.items()
    ]
    return pd.DataFrame(rows)


def quirks_with_post(quirks: pd.DataFrame, post: dict) -> pd.DataFrame:
    """Add the post's "Data Quirks" numbers (claims.yaml `quirks:`) beside ours."""
    return quirks.assign(post=[post.get(q, "") for q in quirks["quantity"]])
