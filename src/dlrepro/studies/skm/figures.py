"""SKM figures: test error vs epoch and reliability diagram (means over run seeds, bands min to
max), confidence on digits vs noise (run 0: the picture of one model per head)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png
from dlrepro.studies.skm.calibration import reliability_per_bin

COLOURS = {"softmax": "C0", "skm": "C1"}


def _by_head(items) -> dict:
    """{head: [value of run 0, run 1, ...]} from ((head, run), value) pairs."""
    out: dict[str, list] = {}
    for (head, _), value in sorted(items, key=lambda kv: (kv[0][0], kv[0][1])):
        out.setdefault(head, []).append(value)
    return out


def error_vs_epoch(runs: list[dict], post_error: float, path) -> None:
    """Mean test error over runs per epoch (line), min to max over runs (band)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for head, rs in _by_head(((r["head"], r["run"]), r) for r in runs).items():
        epochs = [h["epoch"] for h in rs[0]["history"]]
        err = np.array([[h["test_error"] for h in r["history"]] for r in rs])
        ax.fill_between(epochs, err.min(0), err.max(0), color=COLOURS[head], alpha=0.2, lw=0)
        ax.plot(epochs, err.mean(0), "o-", color=COLOURS[head], label=f"{head} ({len(rs)} runs)")
    ax.axhline(post_error, color="k", ls="--", lw=0.8, label=f"post: {post_error} (SKM)")
    ax.set(xlabel="epoch", ylabel="MNIST test error", yscale="log")
    ax.legend()
    save_png(fig, path)


def reliability_diagram(conf: dict, bins: int, path) -> None:
    """Per confidence bin: accuracy vs mean confidence, averaged over the runs that have test
    images in that bin (line), with the min to max accuracy over those runs (band)."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="perfect calibration")
    per_head = _by_head(
        (key, reliability_per_bin(c["test_prob"], c["correct"], bins)) for key, c in conf.items()
    )
    for head, curves in per_head.items():
        mean_conf = np.array([c[0] for c in curves])
        acc = np.array([c[1] for c in curves])
        seen = ~np.isnan(acc).all(0)  # bins with test images in at least one run
        x = np.nanmean(mean_conf[:, seen], 0)
        ax.fill_between(
            x, np.nanmin(acc[:, seen], 0), np.nanmax(acc[:, seen], 0), color=COLOURS[head],
            alpha=0.2, lw=0,
        )  # fmt: skip
        ax.plot(x, np.nanmean(acc[:, seen], 0), "o-", color=COLOURS[head],
                label=f"{head} ({len(curves)} runs)")  # fmt: skip
    ax.set(
        xlabel="confidence (max class probability)",
        ylabel="accuracy",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    ax.legend()
    save_png(fig, path)


def confidence_histograms(conf: dict, path) -> None:
    """Left: max probability on test digits vs uniform-noise images, both heads (first run).
    Right: the SKM's log kernel mass on the same images."""
    fig, (ax_p, ax_m) = plt.subplots(1, 2, figsize=(9, 3.2))
    edges = np.linspace(0, 1, 41)
    for (head, run), c in sorted(conf.items()):
        if run:
            continue
        ax_p.hist(
            c["test_prob"],
            edges,
            histtype="step",
            color=COLOURS[head],
            density=True,
            label=f"{head}, test digits",
        )
        ax_p.hist(
            c["noise_prob"],
            edges,
            histtype="step",
            ls="--",
            color=COLOURS[head],
            density=True,
            label=f"{head}, noise",
        )
        if head == "skm":
            lo = float(min(c["test_mass"].min(), c["noise_mass"].min()))
            mass_edges = np.linspace(lo, 0, 41)
            ax_m.hist(
                c["test_mass"],
                mass_edges,
                histtype="step",
                color="C1",
                density=True,
                label="test digits",
            )
            ax_m.hist(
                c["noise_mass"],
                mass_edges,
                histtype="step",
                ls="--",
                color="C1",
                density=True,
                label="noise",
            )
    ax_p.set(xlabel="max class probability", ylabel="density", yscale="log")
    ax_m.set(xlabel="SKM: log max class kernel mass", ylabel="density")
    ax_p.legend(fontsize=7)
    ax_m.legend(fontsize=7)
    save_png(fig, path)
