"""The accuracy table, the data-quirks table beside the post's, and the summary metrics: each
variant's runs are summarised alone, then described together (core.repeats.over_runs: mean,
sd, min, max and every run's value)."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.repeats import describe, over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.quora.spec import LABELS

# the same in every run of a variant (the architecture; the split is one draw): kept scalar
CONSTANTS = ("trainable_params", "test_majority_acc")


def _constant(runs: list[dict], key: str, where: str):
    values = {r[key] for r in runs}
    if len(values) != 1:
        raise DlreproError(f"quora compare: {where} {key} differs between runs: {sorted(values)}")
    return values.pop()


def _maybe_missing(values: list) -> dict:
    """Described over runs when every run has a value; else every run's value, None where a run
    has none (precision: a run that calls no pair a duplicate has no precision)."""
    if all(v is not None for v in values):
        return describe(values)
    return {"runs": values}


def _variant(name: str, runs: list[dict]) -> dict:
    per_run = [
        {
            "train_acc": r["train_acc"],
            "test_acc": r["test_acc"],
            "test_positive_rate": r["test_positive_rate"],
            "gain_over_majority": r["test_acc"] - r["test_majority_acc"],
            "diverged": bool(r.get("diverged", False)),
        }
        for r in runs
    ]
    return {
        "runs": len(runs),
        **{k: _constant(runs, k, name) for k in CONSTANTS},
        **over_runs(per_run, name),
        "test_precision": _maybe_missing([r.get("test_precision") for r in runs]),
        "diverged_epoch": {"runs": [r.get("diverged_epoch") for r in runs]},
    }


def summary(records: list[dict], order: list[str]) -> dict:
    """metrics.json: per-variant metrics over runs plus the all-majority ("all zeros") baseline
    (one number: the split is one draw). `order`: the variants, in the post's order."""
    by_variant: dict[str, dict[int, dict]] = {}
    for r in records:
        runs = by_variant.setdefault(r["variant"], {})
        if int(r["run"]) in runs:
            raise DlreproError(f"quora compare: {r['variant']} run {r['run']} twice")
        runs[int(r["run"])] = r
    variants = {}
    for name in [v for v in order if v in by_variant]:
        runs = by_variant[name]
        if sorted(runs) != list(range(len(runs))):
            raise DlreproError(
                f"quora compare: {name} has runs {sorted(runs)}, not 0..{len(runs) - 1}"
            )
        variants[name] = _variant(name, [runs[i] for i in sorted(runs)])
    if not variants:
        raise DlreproError("quora compare: no variant's metrics")
    counts = {v["runs"] for v in variants.values()}
    if len(counts) != 1:
        raise DlreproError(f"quora compare: variants have different numbers of runs: {counts}")
    majority = {v["test_majority_acc"] for v in variants.values()}
    if len(majority) != 1:
        raise DlreproError(f"quora compare: the majority baseline differs by variant: {majority}")
    return {
        "runs": counts.pop(),
        "variants": variants,
        "baseline": {"test_majority_acc": majority.pop()},
    }


def accuracy_table(summary: dict) -> pd.DataFrame:
    """One row per variant: mean and sd over runs, and every run's test accuracy."""
    rows = []
    for name, m in summary["variants"].items():
        precision = m["test_precision"]
        rows.append(
            {
                "variant": name,
                "post_label": LABELS.get(name, name),
                "runs": m["runs"],
                "trainable_params": m["trainable_params"],
                "train_acc_mean": m["train_acc"]["mean"],
                "train_acc_sd": m["train_acc"]["sd"],
                "test_acc_mean": m["test_acc"]["mean"],
                "test_acc_sd": m["test_acc"]["sd"],
                "test_acc_per_run": " ".join(f"{a:.4f}" for a in m["test_acc"]["runs"]),
                # what the post's code printed as "accuracy": labels[distance < 0.5].mean()
                "test_precision_mean": precision.get("mean"),
                "test_positive_rate_mean": m["test_positive_rate"]["mean"],
                "diverged_runs": sum(m["diverged"]["runs"]),
            }
        )
    return pd.DataFrame(rows)


def quirks_with_post(quirks: pd.DataFrame, post: dict) -> pd.DataFrame:
    """Add the post's "Data Quirks" numbers (claims.yaml `quirks:`) beside ours."""
    return quirks.assign(post=[post.get(q, "") for q in quirks["quantity"]])
