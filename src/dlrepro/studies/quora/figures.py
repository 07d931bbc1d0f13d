"""Figures: learning curves of every variant over runs, and our test accuracy (mean and every
run) beside the post's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.quora.spec import LABELS


def _band(ax, runs: list[pd.DataFrame], column: str, label: str, colour) -> None:
    """Mean over runs (line) and the runs' min to max (band), per epoch. A run that diverged
    stopped early: later epochs are over the runs that reached them."""
    rows = [h[["epoch", column]] for h in runs if len(h)]
    if not rows:  # every run diverged in its first epoch: nothing to draw
        return
    stats = pd.concat(rows).groupby("epoch")[column].agg(["mean", "min", "max"])
    marker = "o" if len(stats) == 1 else None  # a one-epoch run (smoke scale) is a dot
    ax.plot(stats.index, stats["mean"], label=label, color=colour, marker=marker)
    if len(runs) > 1:
        ax.fill_between(stats.index, stats["min"], stats["max"], color=colour, alpha=0.2, lw=0)


def learning_curves(histories: dict[str, list[pd.DataFrame]], path) -> None:
    """Training loss and test accuracy per epoch: per variant the mean over runs and the band
    from the runs' min to max."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    colours = plt.cm.tab20(np.linspace(0, 1, 20))  # 11 variants: tab10 would repeat colours
    for i, (name, runs) in enumerate(histories.items()):
        _band(ax_loss, runs, "loss", name, colours[i % 20])
        _band(ax_acc, runs, "test_acc", name, colours[i % 20])
    n_runs = max((len(r) for r in histories.values()), default=0)
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log", title="training loss")
    ax_acc.set(
        xlabel="epoch",
        ylabel="test accuracy",
        title=f"test accuracy per epoch (not used for selection), {n_runs} runs",
    )
    ax_acc.legend(fontsize=7, loc="lower right")
    save_png(fig, path)


def _precision(variant: dict) -> float:
    """Mean over runs of the linked code's number (precision), the way the variant is reported."""
    own = variant["evaluated"][variant["evaluated"]["own"]]
    return own["test_precision"]["mean"] if "test_precision" in own else np.nan


def accuracy_chart(summary: dict, claims: dict, path) -> None:
    """Grouped bars: the post's number and our test accuracy, mean over runs per variant
    (whisker: ± one sd, dots: every run); crosses: our precision of "duplicate" (the linked
    code's number), mean over runs; majority baselines as lines."""
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
    ax.bar(x - 0.2, theirs, 0.4, label='post (full release; "accuracy")')
    ax.bar(
        x + 0.2,
        [o["mean"] for o in ours],
        0.4,
        yerr=[o["sd"] for o in ours],
        capsize=3,
        label=f"ours (mean ± sd over {summary['runs']} runs)",
    )
    ax.plot(x + 0.2, [_precision(summary["variants"][n]) for n in names], "x", color="C3",
            ms=6, label="ours: precision of \"duplicate\" (the code's number), mean")  # fmt: skip
    for k, o in zip(x, ours):
        n = len(o["runs"])
        offsets = np.linspace(-0.12, 0.12, n) if n > 1 else np.zeros(1)
        ax.plot(k + 0.2 + offsets, o["runs"], "o", color="black", ms=2.5,
                label="ours: each run" if k == 0 else None)  # fmt: skip
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
    ax.set(ylabel="test accuracy / precision", ylim=(0.3, 1.12))  # room for the legend on top
    ax.legend(fontsize=7, ncol=3, loc="upper center")
    save_png(fig, path)
