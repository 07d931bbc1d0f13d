"""SKM figures: test error vs epoch, reliability diagram, confidence on digits vs noise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png
from dlrepro.studies.skm.calibration import reliability

COLOURS = {"softmax": "C0", "skm": "C1"}


def error_vs_epoch(runs: list[dict], post_error: float, path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for r in sorted(runs, key=lambda r: (r["head"], r["run"])):
        ax.plot(
            [h["epoch"] for h in r["history"]],
            [h["test_error"] for h in r["history"]],
            "o-",
            color=COLOURS[r["head"]],
            label=r["head"] if r["run"] == 0 else None,
        )
    ax.axhline(post_error, color="k", ls="--", lw=0.8, label=f"post: {post_error} (SKM)")
    ax.set(xlabel="epoch", ylabel="MNIST test error", yscale="log")
    ax.legend()
    save_png(fig, path)


def reliability_diagram(conf: dict, bins: int, path) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="perfect calibration")
    for (head, run), c in sorted(conf.items()):
        mean_conf, acc = reliability(c["test_prob"], c["correct"], bins)
        ax.plot(mean_conf, acc, "o-", color=COLOURS[head], label=head if run == 0 else None)
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
