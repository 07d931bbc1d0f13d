"""The accuracy table, the data-quirks table beside the post's, and the summary metrics: each
variant's runs are summarised alone, then described together (core.repeats.over_runs: mean,
sd, min, max and every run's value).

Per variant, `evaluated` holds the evaluate step's scores of the saved weights: `running` (BN
running averages) and `batch` (BN batch statistics, Keras mode=2), each with test_acc,
test_positive_rate and test_precision (the linked code's `labels[distance < 0.5].mean()`;
left out when a run calls no pair a duplicate, every run's value or None in
test_precision_runs), and `own`: the way the variant is reported (its bn_test)."""

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


def _way(name: str, runs: list[dict]) -> dict:
    """One BN way of the evaluate step's records, described over runs."""
    per_run = [{k: r[k] for k in ("test_acc", "test_positive_rate")} for r in runs]
    out = over_runs(per_run, name)
    precision = [r["test_precision"] for r in runs]
    if all(v is not None for v in precision):
        out["test_precision"] = describe(precision)
    out["test_precision_runs"] = precision
    return out


def _evaluated(name: str, runs: list[dict], trained: list[dict]) -> dict:
    """The evaluate step's records of one variant (run order); `own` is the way the variant is
    reported (its bn_test), whose accuracy should equal metrics.json's (own_minus_trained_max:
    0 when the saved weights reproduce it; evaluated on the CPU, a GPU-trained model may differ
    on a few pairs near the threshold)."""
    out = {way: _way(f"{name} {way}", [r[way] for r in runs]) for way in ("running", "batch")}
    out["own"] = _constant(runs, "bn_test", name)
    out["own_minus_trained_max"] = max(
        abs(r[out["own"]]["test_acc"] - t["test_acc"]) for r, t in zip(runs, trained)
    )
    out["split"] = _constant(runs, "split", name)
    out["has_batchnorm"] = _constant(runs, "has_batchnorm", name)
    return out


def _by_variant_run(records: list[dict], what: str) -> dict[str, dict[int, dict]]:
    by_variant: dict[str, dict[int, dict]] = {}
    for r in records:
        runs = by_variant.setdefault(r["variant"], {})
        if int(r["run"]) in runs:
            raise DlreproError(f"quora compare: {what} of {r['variant']} run {r['run']} twice")
        runs[int(r["run"])] = r
    return by_variant


def summary(records: list[dict], order: list[str], evaluation: list[dict]) -> dict:
    """metrics.json: per-variant metrics over runs plus the all-majority ("all zeros") baseline
    (one number: the split is one draw) of the variants on the prepared split; a variant on
    the code's own split is measured against its own majority baseline (gain_over_majority).
    `order`: the variants, in the post's order; `evaluation`: the evaluate step's records."""
    by_variant = _by_variant_run(records, "metrics")
    evaluated = _by_variant_run(evaluation, "evaluation")
    variants = {}
    for name in [v for v in order if v in by_variant]:
        runs = by_variant[name]
        if sorted(runs) != list(range(len(runs))):
            raise DlreproError(
                f"quora compare: {name} has runs {sorted(runs)}, not 0..{len(runs) - 1}"
            )
        if sorted(evaluated.get(name, {})) != sorted(runs):
            raise DlreproError(
                f"quora compare: {name} has evaluated runs {sorted(evaluated.get(name, {}))}, "
                f"trained runs {sorted(runs)}"
            )
        trained = [runs[i] for i in sorted(runs)]
        variants[name] = {
            **_variant(name, trained),
            "evaluated": _evaluated(name, [evaluated[name][i] for i in sorted(runs)], trained),
        }
    if not variants:
        raise DlreproError("quora compare: no variant's metrics")
    counts = {v["runs"] for v in variants.values()}
    if len(counts) != 1:
        raise DlreproError(f"quora compare: variants have different numbers of runs: {counts}")
    prepared = [v for v in variants.values() if v["evaluated"]["split"] == "prepared"]
    majority = {v["test_majority_acc"] for v in prepared}
    if len(majority) != 1:
        raise DlreproError(f"quora compare: the majority baseline differs by variant: {majority}")
    return {
        "runs": counts.pop(),
        "variants": variants,
        "baseline": {"test_majority_acc": majority.pop()},
    }


def _mean(block: dict, key: str):
    return block[key]["mean"] if key in block else None


def accuracy_table(summary: dict) -> pd.DataFrame:
    """One row per variant: mean and sd over runs, every run's test accuracy, and the evaluate
    step's scores: the linked code's precision, and accuracy with BN batch statistics."""
    rows = []
    for name, m in summary["variants"].items():
        ev = m["evaluated"]
        own = ev[ev["own"]]
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
                "test_positive_rate_mean": m["test_positive_rate"]["mean"],
                "split": ev["split"],
                "test_majority_acc": m["test_majority_acc"],
                "bn_test": ev["own"],
                # what the post's code printed as "accuracy": labels[distance < 0.5].mean()
                "code_precision_mean": _mean(own, "test_precision"),
                "code_precision_sd": own["test_precision"]["sd"]
                if "test_precision" in own
                else None,
                # the same weights, BN on each test batch's statistics (Keras mode=2)
                "bn_batch_test_acc_mean": ev["batch"]["test_acc"]["mean"],
                "bn_batch_code_precision_mean": _mean(ev["batch"], "test_precision"),
                "bn_running_test_acc_mean": ev["running"]["test_acc"]["mean"],
                "evaluated_minus_trained_max": ev["own_minus_trained_max"],
                "diverged_runs": sum(m["diverged"]["runs"]),
            }
        )
    return pd.DataFrame(rows)


def quirks_with_post(quirks: pd.DataFrame, post: dict) -> pd.DataFrame:
    """Add the post's "Data Quirks" numbers (claims.yaml `quirks:`) beside ours."""
    return quirks.assign(post=[post.get(q, "") for q in quirks["quantity"]])
