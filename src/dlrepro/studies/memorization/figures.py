"""Memorization figures: train/test accuracy and epochs to fit vs corruption; learning curves.
Lines are means over run seeds, bands (or error bars) the min to max over the runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png
from dlrepro.studies.memorization.data import PIXELS


def _by_setting(jobs: list[dict]) -> tuple[list[list[dict]], list[dict]]:
    """(levels by percent, each its runs in order; the random-pixel runs)."""
    levels: dict[int, list[dict]] = {}
    for r in sorted(jobs, key=lambda r: r["run"]):
        if r["setting"] != PIXELS:
            levels.setdefault(r["corrupted_percent"], []).append(r)
    pixels = sorted((r for r in jobs if r["setting"] == PIXELS), key=lambda r: r["run"])
    return [levels[p] for p in sorted(levels)], pixels


def _stats(runs: list[dict], key: str) -> tuple[float, float, float]:
    v = np.array([r[key] for r in runs], dtype=np.float64)
    return float(v.mean()), float(v.min()), float(v.max())


def _band(ax, x, per_setting: list[list[dict]], key: str, style: str, colour: str, label: str):
    stats = np.array([_stats(rs, key) for rs in per_setting]).reshape(-1, 3)
    ax.fill_between(x, stats[:, 1], stats[:, 2], color=colour, alpha=0.2, lw=0)
    ax.plot(x, stats[:, 0], style, color=colour, label=label)


def _point(ax, x, runs: list[dict], key: str, marker: str, colour: str, label: str):
    mean, lo, hi = _stats(runs, key)
    ax.errorbar([x], [mean], yerr=[[mean - lo], [hi - mean]], fmt=marker, color=colour,
                capsize=3, label=label)  # fmt: skip


def accuracy_vs_corruption(jobs: list[dict], path) -> None:
    levels, pixels = _by_setting(jobs)
    pct = [rs[0]["corrupted_percent"] for rs in levels]
    fig, (ax_acc, ax_ep) = plt.subplots(1, 2, figsize=(9, 3.4))
    _band(ax_acc, pct, levels, "train_acc", "o-", "C0", "train (its own labels)")
    _band(ax_acc, pct, levels, "test_acc", "s-", "C1", "test (real labels)")
    if pixels:
        _point(ax_acc, 100, pixels, "train_acc", "^", "C0", "Gaussian pixels, train")
        _point(ax_acc, 100, pixels, "test_acc", "v", "C1", "Gaussian pixels, test")
    ax_acc.set(xlabel="labels replaced by random ones (%)", ylabel="accuracy", ylim=(0, 1.02))
    ax_acc.legend(fontsize=7)
    budget = max(r["epochs_run"] for r in jobs)
    _band(ax_ep, pct, levels, "epochs_run", "o-", "C0", "labels")
    if pixels:
        _point(ax_ep, 100, pixels, "epochs_run", "^", "C2", "Gaussian pixels")
    unfitted = [r for r in jobs if not r["fitted"]]
    if unfitted:  # a run that never reached the threshold: the budget, marked
        ax_ep.plot(
            [100 if r["corrupted_percent"] is None else r["corrupted_percent"] for r in unfitted],
            [r["epochs_run"] for r in unfitted],
            "x",
            color="C3",
            ms=10,
            label="a run not fit within the budget",
        )
    ax_ep.set(
        xlabel="labels replaced by random ones (%)",
        ylabel="epochs to fit",
        ylim=(0, budget * 1.05 + 1),
    )
    ax_ep.legend(fontsize=7)
    save_png(fig, path)


def _padded(runs: list[dict], key: str) -> np.ndarray:
    """Runs x epochs; a run that stopped early keeps its last value (its final model)."""
    n = max(len(r["history"]) for r in runs)
    return np.array(
        [
            [h[key] for h in r["history"]] + [r["history"][-1][key]] * (n - len(r["history"]))
            for r in runs
        ]  # fmt: skip
    )


def learning_curves(jobs: list[dict], path) -> None:
    levels, pixels = _by_setting(jobs)
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = plt.get_cmap("viridis")
    for i, runs in enumerate(levels + ([pixels] if pixels else [])):
        is_pixels = runs[0]["setting"] == PIXELS
        colour = "C3" if is_pixels else colours(i / max(len(levels) - 1, 1))
        label = "Gaussian pixels" if is_pixels else f"{runs[0]['corrupted_percent']}% random"
        train, test = _padded(runs, "train_acc"), _padded(runs, "test_acc")
        epochs = np.arange(1, train.shape[1] + 1)
        ax.fill_between(epochs, train.min(0), train.max(0), color=colour, alpha=0.2, lw=0)
        ax.plot(epochs, train.mean(0), "-", color=colour, label=f"{label} ({len(runs)} runs)")
        ax.plot(epochs, test.mean(0), ":", color=colour)
    ax.set(xlabel="epoch", ylabel="accuracy (solid: train, dotted: test)", ylim=(0, 1.02))
    ax.legend(fontsize=7, ncol=2)
    save_png(fig, path)
