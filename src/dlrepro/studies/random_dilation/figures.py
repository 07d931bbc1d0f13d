"""Figures: sample clips per class, accuracy per variant (runs + spread, the post's Kinetics
numbers beside), accuracy per frame-rate stride, accuracy per class group (context / motion)
with the frames in order and shuffled, learning curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.claims import post_of
from dlrepro.core.plotting import save_png
from dlrepro.studies.random_dilation.compare import LABELS
from dlrepro.studies.random_dilation.data import CLASSES, GROUPS, MOTIONS, is_context
from dlrepro.studies.random_dilation.variants import VARIANTS

# the post's Kinetics top-1 (a different dataset: shown beside ours, never on the same axis)
COLOURS = {
    "no_dilation": "tab:blue",
    "dilation2": "tab:orange",
    "random_dilation": "tab:green",
    "frame_mlp": "tab:grey",
}
SHORT = {
    "no_dilation": "no dilation",
    "dilation2": "dilation 2",
    "random_dilation": "random",
    "frame_mlp": "frame MLP",
}


def samples(data: dict, path, columns: int = 8) -> None:
    """One test clip per class (stride 1 where there is one): evenly spaced frames, then the
    blob's path over the whole clip (start: circle, end: cross)."""
    x, y, stride, centres, motion = (
        data[f"{k}_test"] for k in ("x", "y", "stride", "centres", "motion")
    )
    frames = x.shape[1]
    cols = np.unique(np.linspace(0, frames - 1, min(columns, frames)).round().astype(int))
    fig, axes = plt.subplots(
        len(CLASSES),
        len(cols) + 1,
        figsize=(1.1 * (len(cols) + 1), 1.4 * len(CLASSES)),
        squeeze=False,
    )
    for c, name in enumerate(CLASSES):
        of_class = np.flatnonzero(y == c)
        if len(of_class) == 0:
            continue
        slow = of_class[stride[of_class] == stride.min()]
        i = (slow if len(slow) else of_class)[0]
        for j, t in enumerate(cols):
            axes[c, j].imshow(x[i, t], cmap="gray", vmin=0, vmax=255)
            if c == 0:
                axes[c, j].set_title(f"t={t}")
        path_ax = axes[c, -1]
        path_ax.imshow(x[i].max(0), cmap="gray", vmin=0, vmax=255)
        path_ax.plot(centres[i, :, 0], centres[i, :, 1], "-", color="tab:red", lw=1)
        path_ax.plot(*centres[i, 0], "o", color="tab:red", ms=3, mfc="none")
        path_ax.plot(*centres[i, -1], "x", color="tab:red", ms=3)
        moves = f"\nmoving: {MOTIONS[motion[i]]}" if is_context(c) else ""
        axes[c, 0].set_ylabel(f"{name}\nstride {stride[i]}{moves}", fontsize=5)
    axes[0, -1].set_title("path")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    save_png(fig, path)


def accuracy(summary: dict, claims: dict, path) -> None:
    variants = [v for v in VARIANTS if v in summary["variants"]]
    fig, (ours, post) = plt.subplots(1, 2, figsize=(8, 3.2), gridspec_kw={"width_ratios": [3, 2]})
    for k, v in enumerate(variants):
        s = summary["variants"][v]["test_acc"]
        ours.bar(k, s["mean"], yerr=s["sd"], color=COLOURS[v], alpha=0.6, capsize=4)
        ours.plot(
            np.full(len(s["runs"]), k) + np.linspace(-0.2, 0.2, len(s["runs"])),
            s["runs"],
            "o",
            color="black",
            ms=3,
        )
        post.bar(k, float(post_of(claims, f"variants.{v}.test_acc")), color=COLOURS[v], alpha=0.6)
    ours.axhline(1 / len(CLASSES), color="black", ls=":", lw=1, label="chance")
    ours.set(
        title="ours: synthetic actions, test top-1 (mean ± sd, dots: runs)",
        ylabel="top-1 accuracy",
        ylim=(0, 1),
    )
    ours.legend(loc="upper right", fontsize=7)
    post.set(title="post: Kinetics top-1 (other data)", ylim=(0, 1))
    for ax in (ours, post):
        ax.set_xticks(range(len(variants)), [SHORT[v] for v in variants], fontsize=7)
    save_png(fig, path)


def by_stride(summary: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for v in VARIANTS:
        if v not in summary["variants"]:
            continue
        per = summary["variants"][v]["by_stride"]
        strides = sorted(per, key=int)
        ax.errorbar(
            [int(s) for s in strides],
            [per[s]["mean"] for s in strides],
            yerr=[per[s]["sd"] for s in strides],
            marker="o",
            capsize=3,
            color=COLOURS[v],
            label=LABELS[v],
        )
        ax.set_xticks([int(s) for s in strides])
    ax.axhline(1 / len(CLASSES), color="black", ls=":", lw=1, label="chance")
    ax.set(
        xlabel="frame-rate stride of the test clip (1 = slowest motion per frame)",
        ylabel="test top-1 (mean ± sd over runs)",
        ylim=(0, 1),
    )
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    save_png(fig, path)


def by_group(summary: dict, path) -> None:
    """Per variant: accuracy on the context and on the motion classes, with the frames in order
    (solid) and shuffled (hatched); mean ± sd over runs, dots the runs."""
    variants = [v for v in VARIANTS if v in summary["variants"]]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    width = 0.2
    for k, v in enumerate(variants):
        s = summary["variants"][v]
        bars = [(g, s["by_group"][g], "") for g in GROUPS]
        bars += [(g, s["shuffled"][g], "//") for g in GROUPS]
        for j, (g, m, hatch) in enumerate(bars):
            x = k + (j - 1.5) * width
            ax.bar(x, m["mean"], width, yerr=m["sd"], capsize=2, hatch=hatch,
                   color=COLOURS[v], alpha=0.35 if g == "motion" else 0.75, edgecolor="black",
                   lw=0.5)  # fmt: skip
            ax.plot(np.full(len(m["runs"]), x), m["runs"], "o", color="black", ms=2)
    ax.axhline(0.5, color="black", ls="--", lw=0.8, label="order-free ceiling, motion classes")
    ax.set_xticks(range(len(variants)), [SHORT[v] for v in variants], fontsize=7)
    ax.set(ylabel="test top-1 (mean ± sd over runs)", ylim=(0, 1.05),
           title="per variant: context, motion; then shuffled context, shuffled motion")  # fmt: skip
    ax.title.set_fontsize(8)
    ax.legend(fontsize=7, loc="lower left")
    save_png(fig, path)


def learning_curves(runs: list[dict], path) -> None:
    """Validation accuracy (solid: mean over runs, band: min to max) and training accuracy
    (dashed: mean) per epoch; the frame MLP trains for its own number of epochs, so it has its
    own panel."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for v in VARIANTS:
        mine = sorted((r for r in runs if r["variant"] == v), key=lambda r: r["run"])
        if not mine:
            continue
        ax = axes[1 if v == "frame_mlp" else 0]
        epochs = [h["epoch"] for h in mine[0]["history"]]
        val = np.array([[h["val_acc"] for h in r["history"]] for r in mine])
        train = np.array([[h["train_acc"] for h in r["history"]] for r in mine])
        ax.fill_between(epochs, val.min(0), val.max(0), color=COLOURS[v], alpha=0.2, lw=0)
        label = f"{LABELS[v]} ({len(mine)} runs)"
        ax.plot(epochs, val.mean(0), "-", color=COLOURS[v], lw=1.2, label=label)
        ax.plot(epochs, train.mean(0), "--", color=COLOURS[v], lw=0.8)
    for ax, title in zip(axes, ("BesNet variants", "frame-feature MLP")):
        ax.set(
            title=title, xlabel="epoch", ylabel="accuracy (solid: val, dashed: train)", ylim=(0, 1)
        )
        ax.legend(fontsize=7)
    save_png(fig, path)
