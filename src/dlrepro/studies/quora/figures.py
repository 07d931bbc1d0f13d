"""Figures: learning curves of every variant, and our test accuracy beside the post's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.quora.spec import LABELS


def learning_curves(histories: dict[str, pd.DataFrame], path) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    colours = plt.cm.tab20(np.linspace(0, 1, 20))  # 11 variants: tab10 would repeat colours
    for i, (name, h) in enumerate(histories.items()):
        ax_loss.plot(h["epoch"], h["loss"], label=name, color=colours[i % 20])
        ax_acc.plot(h["epoch"], h["test_acc"], label=name, color=colours[i % 20])
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log", title="training loss")
    ax_acc.set(
        xlabel="epoch",
        ylabel="test accuracy",
        title="test accuracy per epoch (not used for selection)",
    )
    ax_acc.legend(fontsize=7, loc="lower right")
    save_png(fig, path)


def accuracy_chart(summary: dict, claims: dict, path) -> None:
    """Grouped bars: the post's test accuracy and ours per variant, majority baselines as lines."""
    post = {
        c["variant"]: c["post"]
        for c in claims["claims"]
        if c.get("variant") and isinstance(c.get("post"), (int, float))
    }
    # the post's order (metrics.json keys are sorted alphabetically)
    names = [n for n in LABELS if n in summary["variants"]]
    names += sorted(set(summary["variants"]) - set(names))
    ours = [summary["variants"][n]["test_acc"] for n in names]
    theirs = [post.get(n, np.nan) for n in names]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(11, 4))
    ax.bar(x - 0.2, theirs, 0.4, label="post (full release)")
    ax.bar(x + 0.2, ours, 0.4, label="ours")
    ax.axhline(
        summary["baseline"]["test_majority_acc"],
        color="k",
        ls="--",
        lw=1,
        label="our majority-class baseline",
    )
    post_baseline = next((c["post"] for c in claims["claims"] if c.get("baseline")), None)
    if post_baseline is not None:
        ax.axhline(post_baseline, color="grey", ls=":", lw=1, label="post's all-zeros baseline")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set(ylabel="test accuracy", ylim=(0.4, 1.0))
    ax.legend(fontsize=8)
    save_png(fig, path)
