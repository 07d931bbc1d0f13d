"""Per-run results -> the study's metrics (over runs, core.repeats.over_runs) and its table.
Drops are accuracy lost by deleting one block: full-net test accuracy minus the lesioned one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.repeats import over_runs
from dlrepro.errors import DlreproError
from dlrepro.studies.multi_residual import paths

# the post's 110-layer ResNet: 54 residual blocks of 2 layers; "10-34 layers" = 5-17 blocks
POST_BLOCKS, POST_LOW_BLOCKS, POST_HIGH_BLOCKS = 54, 5, 17


def drops(full: float, lesioned: list[float]) -> dict:
    d = [full - a for a in lesioned]
    return {
        "mean_drop": float(np.mean(d)),
        "median_drop": float(np.median(d)),
        "max_drop": float(np.max(d)),
        "per_block": {str(i): x for i, x in enumerate(d)},
    }


def _run_summary(r: dict) -> dict:
    acc, g = r["test_acc"], r["gradient"]
    n = len(g["shares"]) - 1
    length = paths.mean_length(g["shares"])
    return {
        "test_acc": dict(acc),
        "lesion": {v: drops(acc[v], r["lesion"][v]) for v in ("resnet", "plain")},
        "gradient": {
            "mean_length": length,
            "mean_path_length": n / 2,
            "mean_length_ratio": length / (n / 2),
            "effective_low": g["low"],
            "effective_high": g["high"],
            "shares": {str(k): s for k, s in enumerate(g["shares"])},
            "norms": {str(k): s for k, s in enumerate(g["norms"])},
        },
        "effective_gap": acc["resnet"] - acc["effective"],
        "parameter_gap": r["parameters"]["multi"] - r["parameters"]["resnet"],
    }


def path_checks(n: int) -> dict:
    """Exact: our n-block net's path counts by enumeration vs C(n, k); the 110-layer ResNet's
    share of paths with 10-34 layers and its mean path length."""
    return {
        "blocks": n,
        "count_mismatch": max(
            abs(a - b) for a, b in zip(paths.enumerated_counts(n), paths.path_counts(n))
        ),
        "share_110_in_10_34": paths.share_in_range(POST_BLOCKS, POST_LOW_BLOCKS, POST_HIGH_BLOCKS),
        "mean_layers_110": POST_BLOCKS,  # 2 layers x mean 27 blocks
    }


def summarise(runs: list[dict]) -> dict:
    runs = sorted(runs, key=lambda r: r["run"])
    if [r["run"] for r in runs] != list(range(len(runs))):
        raise DlreproError(f"multi_residual: runs {[r['run'] for r in runs]} are not 0..R-1")
    result = over_runs([_run_summary(r) for r in runs])
    result["paths"] = path_checks(len(runs[0]["gradient"]["shares"]) - 1)
    return result


def _ms(leaf: dict) -> str:
    return f"{leaf['mean']:.4f} ± {leaf['sd']:.4f}"


def results_table(result: dict) -> pd.DataFrame:
    acc, les, g = result["test_acc"], result["lesion"], result["gradient"]
    rows = [
        ("ResNet test accuracy", _ms(acc["resnet"])),
        ("plain net test accuracy", _ms(acc["plain"])),
        ("multi-residual test accuracy", _ms(acc["multi"])),
        ("effective-path ResNet test accuracy (scaled)", _ms(acc["effective"])),
        ("effective-path ResNet test accuracy (unscaled)", _ms(acc["effective_unscaled"])),
        ("ResNet mean drop, one block deleted", _ms(les["resnet"]["mean_drop"])),
        ("ResNet median drop", _ms(les["resnet"]["median_drop"])),
        ("ResNet max drop", _ms(les["resnet"]["max_drop"])),
        ("plain net mean drop, one block deleted", _ms(les["plain"]["mean_drop"])),
        ("plain net median drop", _ms(les["plain"]["median_drop"])),
        ("gradient-weighted mean path length (blocks)", _ms(g["mean_length"])),
        ("... over the mean path length n/2", _ms(g["mean_length_ratio"])),
        ("effective range low (blocks)", _ms(g["effective_low"])),
        ("effective range high (blocks)", _ms(g["effective_high"])),
        (
            "110-layer ResNet: share of paths with 10-34 layers (exact)",
            f"{result['paths']['share_110_in_10_34']:.6g}",
        ),
    ]
    return pd.DataFrame(rows, columns=["quantity", "mean ± sd over runs"])
