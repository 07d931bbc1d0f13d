"""Figures: test accuracy per deleted block (both nets); gradient per path length and its share
of the total; test accuracy of every trained net. Lines are means over run seeds, bands and
error bars the min to max over the runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png
from dlrepro.studies.multi_residual import paths


def _band(ax, x, values: np.ndarray, style: str, colour: str, label: str) -> None:
    ax.fill_between(x, values.min(0), values.max(0), color=colour, alpha=0.2, lw=0)
    ax.plot(x, values.mean(0), style, color=colour, label=label)


def lesion(runs: list[dict], path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for v, colour, label in (("resnet", "C0", "ResNet"), ("plain", "C3", "plain net")):
        per_block = np.array([r["lesion"][v] for r in runs])
        x = np.arange(per_block.shape[1])
        _band(ax, x, per_block, "o-", colour, f"{label}, block deleted")
        full = np.mean([r["test_acc"][v] for r in runs])
        ax.axhline(full, color=colour, ls="--", lw=1, label=f"{label}, no block deleted")
    ax.set(xlabel="deleted block", ylabel="test accuracy", ylim=(0, 1.02))
    ax.legend(fontsize=7)
    save_png(fig, path)


def gradient(runs: list[dict], path) -> None:
    norms = np.array([r["gradient"]["norms"] for r in runs])
    shares = np.array([r["gradient"]["shares"] for r in runs])
    n = norms.shape[1] - 1
    k = np.arange(n + 1)
    fig, (ax_n, ax_s) = plt.subplots(1, 2, figsize=(9, 3.4))
    _band(ax_n, k, norms, "o-", "C0", "mean gradient norm")
    ax_n.set(xlabel="path length (blocks)", ylabel="gradient norm at the first block's input",
             yscale="log")  # fmt: skip
    _band(ax_s, k, shares, "o-", "C0", "share of the total gradient")
    counts = np.array(paths.path_counts(n), dtype=float)
    ax_s.plot(k, counts / counts.sum(), "s--", color="C7", label="share of paths, C(n, k) / 2^n")
    ax_s.set(xlabel="path length (blocks)", ylabel="share")
    ax_s.legend(fontsize=7)
    save_png(fig, path)


VARIANTS = (
    ("resnet", "ResNet"),
    ("plain", "plain"),
    ("multi", "multi-residual"),
    ("effective", "effective paths"),
    ("effective_unscaled", "effective,\nunscaled"),
)


def accuracy(runs: list[dict], path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for i, (key, _) in enumerate(VARIANTS):
        v = np.array([r["test_acc"][key] for r in runs])
        ax.errorbar([i], [v.mean()], yerr=[[v.mean() - v.min()], [v.max() - v.mean()]], fmt="o",
                    color=f"C{i}", capsize=3)  # fmt: skip
        ax.plot(np.full(len(v), i + 0.15), v, ".", color=f"C{i}", alpha=0.5)
    ax.set_xticks(range(len(VARIANTS)), [label for _, label in VARIANTS], fontsize=7)
    ax.set(ylabel="test accuracy")
    save_png(fig, path)
