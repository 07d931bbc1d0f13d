"""Figures: gradients along the line (white vs brown noise) and their correlation vs depth."""

from __future__ import annotations

import numpy as np

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.shattered.nets import KINDS

LABELS = {
    "feedforward": "feed-forward",
    "feedforward_bn": "feed-forward + BN",
    "resnet": "resnet (BN)",
    "resnet_beta": "resnet, skips scaled by beta",
}


def lines(gradients: dict, p: dict, path) -> None:
    """Gradient along the line for the shallowest and the deepest net of each kind (first
    replicate), normalised to unit standard deviation so the shapes compare."""
    shallow, deep = min(p["depths"]), max(p["depths"])
    x = np.linspace(*p["interval"], p["points"])
    fig, axes = plt.subplots(2, len(KINDS), figsize=(12, 4.5), sharex=True)
    for j, kind in enumerate(KINDS):
        for i, depth in enumerate((shallow, deep)):
            g = gradients[f"{kind}/{depth}"]
            axes[i, j].plot(x, (g - g.mean()) / (g.std() or 1.0), lw=0.7)
            axes[i, j].set_title(f"{LABELS[kind]}, depth {depth}")
            axes[i, j].set_yticks([])
    for ax in axes[-1]:
        ax.set_xlabel("input x")
    axes[0, 0].set_ylabel("d output / dx (scaled)")
    axes[1, 0].set_ylabel("d output / dx (scaled)")
    save_png(fig, path)


def decay(table, summary: dict, path) -> None:
    """Lag-1 correlation vs depth (mean and spread of replicates), with the paper's rates."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for kind in KINDS:
        stats = (
            table[table["kind"] == kind].groupby("depth")["lag1_correlation"].agg(["mean", "std"])
        )
        ax.errorbar(
            stats.index,
            stats["mean"],
            yerr=stats["std"].fillna(0),
            marker="o",
            ms=3,
            capsize=2,
            label=LABELS[kind],
        )
    depth = np.array(sorted(table["depth"].unique()), dtype=float)
    ax.plot(depth, 2.0**-depth, "k--", lw=0.8, label="2^-L (paper, feed-forward)")
    ax.plot(depth, depth**-0.5, "k:", lw=0.8, label="1/sqrt(L) (paper, resnet)")
    ax.axhline(summary["params"]["noise_floor"], color="grey", lw=0.5)
    ax.set(
        xscale="log",
        xlabel="depth L (hidden blocks)",
        ylim=(-0.2, 1.05),
        ylabel="correlation of gradients at neighbouring points",
        title=f"{summary['params']['points']} points on {summary['params']['interval']}, "
        f"width {summary['params']['width']}",
    )
    ax.legend(fontsize=7)
    save_png(fig, path)


def coactivation(layers: dict, p: dict, path) -> None:
    """Co-activation (left) and fraction of active units (right) per hidden layer of the deepest
    net of each kind: mean and standard deviation over the initialisations."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
    for ax, what, label in zip(
        axes,
        ("coactivation", "active_fraction"),
        ("co-activation (both inputs of a pair)", "fraction of units active per input"),
    ):
        for kind in KINDS:
            a = layers[f"{kind}/{what}"]
            layer = np.arange(1, a.shape[1] + 1)
            mean, sd = a.mean(0), a.std(0, ddof=1) if len(a) > 1 else np.zeros(a.shape[1])
            ax.plot(layer, mean, lw=1, label=LABELS[kind])
            ax.fill_between(layer, mean - sd, mean + sd, alpha=0.2)
        ax.axhline(0.25, color="k", ls="--", lw=0.8, label="1/4 (the post, with BN)")
        ax.set(xlabel="hidden layer", ylabel=label, ylim=(0, 1.02))
    axes[0].set_title(f"depth {max(p['depths'])}, {p['points']} points, width {p['width']}")
    axes[0].legend(fontsize=7)
    save_png(fig, path)
