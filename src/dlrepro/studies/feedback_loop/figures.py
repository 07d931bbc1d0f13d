"""Figures: the loop over time (districts policed, Gini of officers), final allocations."""

from __future__ import annotations

import numpy as np

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.feedback_loop.simulate import POLICIES

LABELS = {
    "arrests": "by last period's arrests (the lesson's model)",
    "arrests_explore": "by arrests, part of the officers spread uniformly",
    "crime": "by crimes (what one wants to measure)",
}


def over_time(summary: dict, path) -> None:
    city = summary["city"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for policy in POLICIES:
        s = summary["policies"][policy]
        ax1.plot(s["policed_over_time"], label=LABELS[policy])
        ax2.plot(s["gini_over_time"], label=LABELS[policy])
    ax1.set(
        xlabel="period",
        ylabel="districts with any officer",
        ylim=(0, city["districts"] + 0.5),
        title=f"{city['districts']} districts, same crime rate everywhere",
    )
    ax2.set(
        xlabel="period",
        ylabel="Gini of officers across districts",
        ylim=(0, 1),
        title=f"mean of {city['replicates']} runs",
    )
    ax1.legend(fontsize=7, loc="lower left")
    save_png(fig, path)


def allocations(runs: dict, city: dict, path) -> None:
    """Officers per district at the last period in the first replicates, districts sorted."""
    n = min(5, runs[f"{POLICIES[0]}/officers"].shape[0])
    fig, axes = plt.subplots(1, len(POLICIES), figsize=(10, 3.2), sharey=True)
    for ax, policy in zip(axes, POLICIES):
        final = runs[f"{policy}/officers"][:n, -1]
        for r in range(n):
            ax.plot(np.sort(final[r])[::-1], marker=".", lw=0.8)
        ax.set(title=LABELS[policy], xlabel="district (sorted)")
        ax.title.set_fontsize(7)
    axes[0].set_ylabel(f"officers at period {city['periods']} (of {city['officers']})")
    save_png(fig, path)


def split_leakage(arrays: dict, leakage: dict, p: dict, path) -> None:
    """Left: the first series with both validation sets and the k-NN predictions on them.
    Right: every run's validation MSE against its MSE on the later steps, per split."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2, 1]})
    t = np.arange(len(arrays["y"]))
    ax1.plot(t, arrays["y"], color="0.75", lw=0.6, label="y (observed)")
    ax1.plot(t, arrays["level"], color="k", lw=1, label="unobserved level")
    ax1.axvspan(p["dev"], len(t), color="0.9", label="later steps (use)")
    for split, colour in (("random", "tab:orange"), ("time", "tab:blue")):
        valid = arrays[f"{split}/valid"]
        order = np.argsort(valid)
        ax1.plot(
            valid[order],
            arrays[f"{split}/valid_pred"][order],
            ".",
            ms=2.5,
            color=colour,
            label=f"k-NN prediction, {split} 20% held out",
        )
    ax1.set(xlabel="time step", ylabel="y", title="run 0: validation predictions by split")
    ax1.legend(fontsize=7, loc="lower left", ncol=2)
    s = leakage["series"]
    for split, colour in (("random", "tab:orange"), ("time", "tab:blue")):
        ax2.scatter(
            s[split]["valid_mse"]["runs"],
            s[split]["future_mse"]["runs"],
            s=12,
            color=colour,
            label=f"{split} split",
        )
    hi = max(max(s[k][m]["runs"]) for k in ("random", "time") for m in ("valid_mse", "future_mse"))
    ax2.plot([0, hi], [0, hi], color="grey", lw=0.6, ls="--")
    ax2.set(
        xlabel="validation MSE",
        ylabel="MSE on the later steps",
        title=f"{len(s['random']['valid_mse']['runs'])} series: diagonal = representative",
    )
    ax2.legend(fontsize=7)
    save_png(fig, path)
