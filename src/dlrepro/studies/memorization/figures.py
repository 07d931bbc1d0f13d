"""Memorization figures: train/test accuracy and epochs to fit vs corruption; learning curves."""

from __future__ import annotations

import matplotlib.pyplot as plt

from dlrepro.core.plotting import save_png
from dlrepro.studies.memorization.data import PIXELS


def _split(runs):
    levels = sorted((r for r in runs if r["run"] != PIXELS), key=lambda r: r["corrupted_percent"])
    return levels, [r for r in runs if r["run"] == PIXELS]


def accuracy_vs_corruption(runs: list[dict], path) -> None:
    levels, pixels = _split(runs)
    pct = [r["corrupted_percent"] for r in levels]
    fig, (ax_acc, ax_ep) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax_acc.plot(pct, [r["train_acc"] for r in levels], "o-", label="train (its own labels)")
    ax_acc.plot(pct, [r["test_acc"] for r in levels], "s-", label="test (real labels)")
    for r in pixels:
        ax_acc.plot([100], [r["train_acc"]], "^", color="C0", label="Gaussian pixels, train")
        ax_acc.plot([100], [r["test_acc"]], "v", color="C1", label="Gaussian pixels, test")
    ax_acc.set(xlabel="labels replaced by random ones (%)", ylabel="accuracy", ylim=(0, 1.02))
    ax_acc.legend(fontsize=7)
    budget = max(r["epochs_run"] for r in runs)
    ax_ep.plot(pct, [r["epochs_run"] for r in levels], "o-", label="labels")
    for r in pixels:
        ax_ep.plot([100], [r["epochs_run"]], "^", color="C2", label="Gaussian pixels")
    unfitted = [r for r in runs if not r["fitted"]]
    if unfitted:  # a run that never reached the threshold: the budget, marked
        ax_ep.plot(
            [
                r["corrupted_percent"] if r["corrupted_percent"] is not None else 100
                for r in unfitted
            ],
            [r["epochs_run"] for r in unfitted],
            "x",
            color="C3",
            ms=10,
            label="not fit within the budget",
        )
    ax_ep.set(
        xlabel="labels replaced by random ones (%)",
        ylabel="epochs to fit",
        ylim=(0, budget * 1.05 + 1),
    )
    ax_ep.legend(fontsize=7)
    save_png(fig, path)


def learning_curves(runs: list[dict], path) -> None:
    levels, pixels = _split(runs)
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = plt.get_cmap("viridis")
    for i, r in enumerate(levels + pixels):
        colour = "C3" if r["run"] == PIXELS else colours(i / max(len(levels) - 1, 1))
        label = "Gaussian pixels" if r["run"] == PIXELS else f"{r['corrupted_percent']}% random"
        epochs = [h["epoch"] for h in r["history"]]
        ax.plot(epochs, [h["train_acc"] for h in r["history"]], "-", color=colour, label=label)
        ax.plot(epochs, [h["test_acc"] for h in r["history"]], ":", color=colour)
    ax.set(xlabel="epoch", ylabel="accuracy (solid: train, dotted: test)", ylim=(0, 1.02))
    ax.legend(fontsize=7, ncol=2)
    save_png(fig, path)
