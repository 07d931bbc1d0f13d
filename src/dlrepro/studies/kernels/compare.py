"""Kernel statistics of each run's trained CNN, merged over the run seeds (core.repeats), and the
study's table (mean, sd and range over the runs per quantity)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.repeats import over_runs
from dlrepro.studies.kernels.effective import neighbour_correlation

# the same in every run (data sizes, architecture, schedule): kept as plain numbers
CONSTANTS = {
    "training": ("epochs", "parameters", "n_train", "n_test"),
    "effective": ("size",),
    "linear_stack": ("images",),
}


def run_summary(
    trained: dict,
    conv1: np.ndarray,
    conv2: np.ndarray,
    effective: np.ndarray,
    stack_error: float,
    images: int,
) -> dict:
    """One run: its training metrics, conv1 snapshots [T, C1, 1, 3, 3] (init first, trained
    last), conv2's weights, the effective 5x5 kernels and the linear-stack check's error."""
    change = np.linalg.norm(conv1[-1] - conv1[0]) / np.linalg.norm(conv1[0])
    return {
        "training": {
            k: trained[k]
            for k in ("test_acc", "train_acc", "epochs", "parameters", "n_train", "n_test")
        },
        "conv1": {
            "neighbour_corr_init": neighbour_correlation(conv1[0]),
            "neighbour_corr_trained": neighbour_correlation(conv1[-1]),
            "relative_change": float(change),
        },
        "conv2": {"neighbour_corr_trained": neighbour_correlation(conv2)},
        "effective": {
            "neighbour_corr_trained": neighbour_correlation(effective),
            "size": int(effective.shape[-1]),
        },
        "linear_stack": {"max_abs_diff": float(stack_error), "images": int(images)},
    }


def summarise(per_run: list[dict]) -> tuple[pd.DataFrame, dict]:
    """Run summaries in run order -> (table, metrics.json): numbers described over the runs
    (mean, sd, min, max, runs), constants kept once."""
    runs, constants = [], {}
    for result in per_run:
        result = {k: dict(v) for k, v in result.items()}
        for section, keys in CONSTANTS.items():
            constants[section] = {k: result[section].pop(k) for k in keys}
        runs.append(result)
    summary = over_runs(runs)
    for section, values in constants.items():
        summary[section].update(values)
    t = constants["training"]
    rows = [
        ("test accuracy of the trained CNN", summary["training"]["test_acc"],
         f"{t['n_test']} MNIST test images; {t['epochs']} epochs on {t['n_train']}"),
        ("conv1 3x3: neighbour-tap correlation at init", summary["conv1"]["neighbour_corr_init"],
         "PyTorch's default (uniform) init"),
        ("conv1 3x3: neighbour-tap correlation trained",
         summary["conv1"]["neighbour_corr_trained"], ""),
        ("conv1: ||W_trained - W_init|| / ||W_init||", summary["conv1"]["relative_change"], ""),
        ("conv2 3x3 slices: neighbour-tap correlation",
         summary["conv2"]["neighbour_corr_trained"], ""),
        ("effective 5x5 kernels: neighbour-tap correlation",
         summary["effective"]["neighbour_corr_trained"], "conv2 o conv1 without the ReLU"),
        ("max |conv2(conv1(x)) - conv(x, W_eff)| (float64)",
         summary["linear_stack"]["max_abs_diff"],
         f"first {constants['linear_stack']['images']} test images"),
    ]  # fmt: skip
    table = pd.DataFrame(
        [
            {
                "quantity": quantity,
                **{stat: leaf[stat] for stat in ("mean", "sd", "min", "max")},
                "runs": len(leaf["runs"]),
                "note": note,
            }
            for quantity, leaf, note in rows
        ]
    )
    return table, summary
