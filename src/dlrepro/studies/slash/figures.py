"""Figures of the post: random labelled samples of each source, first-layer kernels of both CNNs
(one run per source), and (ours) the CNNs' learning curves over runs, per source."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.plotting import plt, save_png, symmetric_limits
from dlrepro.errors import DlreproError
from dlrepro.studies.slash.spec import CLASS_NAMES, LABELS


def samples_figure(samples: dict[str, tuple[np.ndarray, np.ndarray]], path, cols: int = 8) -> None:
    """A block of rows per source (its name on the left), each image titled with its class."""
    blocks = {source: int(np.ceil(len(y) / cols)) for source, (_, y) in samples.items()}
    rows = sum(blocks.values())
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols + 0.8, 1.35 * rows), squeeze=False)
    for ax in np.ravel(axes):
        ax.axis("off")
    top = 0
    for source, (x, y) in samples.items():
        block = axes[top : top + blocks[source]]
        for ax, image, label in zip(np.ravel(block), x, y):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set_title(CLASS_NAMES[int(label)], fontsize=8)
        block[0][0].text(-0.25, 0.5, source, transform=block[0][0].transAxes, ha="right",
                         va="center", fontsize=9, rotation=90)  # fmt: skip
        top += blocks[source]
    save_png(fig, path)


def kernels_figure(kernels: dict[tuple[str, str], np.ndarray], path) -> None:
    """One row per (source, model); each (out, in=1, k, k) kernel on a diverging map centred
    on 0."""
    cols = max(len(k) for k in kernels.values())
    fig, axes = plt.subplots(
        len(kernels), cols, figsize=(1.1 * cols + 1, 1.4 * len(kernels)), squeeze=False
    )
    for row, ((source, name), w) in zip(axes, kernels.items()):
        vmin, vmax = symmetric_limits(w)
        for ax in row:
            ax.axis("off")
        for j, (ax, kernel) in enumerate(zip(row, w)):
            im = ax.imshow(kernel[0], cmap="RdBu_r", vmin=vmin, vmax=vmax)
            ax.set_title(f"{j}", fontsize=7)
        row[0].text(
            -0.15,
            0.5,
            f"{LABELS[name]}\n({source})",
            transform=row[0].transAxes,
            ha="right",
            va="center",
            fontsize=8,
        )
        fig.colorbar(im, ax=list(row), fraction=0.02, pad=0.01)
    save_png(fig, path)


STYLES = {"published": "-", "generated": "--"}  # line style per source (the caption says so)


def _band(ax, epochs, runs: np.ndarray, label: str, colour, style: str = "-") -> None:
    """Mean over runs (line) and the runs' min to max (band)."""
    ax.plot(epochs, runs.mean(axis=0), style, label=label, color=colour)
    if len(runs) > 1:
        ax.fill_between(epochs, runs.min(axis=0), runs.max(axis=0), color=colour, alpha=0.25, lw=0)


def learning_curves_figure(histories: dict[tuple[str, str], list[pd.DataFrame]], path) -> None:
    """Training loss and accuracy per epoch of each CNN on each source: the mean over runs and
    the min-max band (colour: model; line style: source)."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    models = list(dict.fromkeys(name for _, name in histories))
    for (source, name), runs in histories.items():
        epochs = runs[0]["epoch"].to_numpy()
        if any(not np.array_equal(h["epoch"].to_numpy(), epochs) for h in runs):
            raise DlreproError(f"slash learning curves: {name}'s runs have different epochs")
        colour = f"C{models.index(name)}"
        label = f"{LABELS[name]}, {source} ({len(runs)} runs)"
        for ax, column in ((ax_loss, "loss"), (ax_acc, "train_acc")):
            _band(ax, epochs, np.stack([h[column].to_numpy() for h in runs]), label, colour,
                  STYLES[source])  # fmt: skip
    ax_loss.set(xlabel="epoch", ylabel="training loss (BCE)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="training accuracy", ylim=(0.4, 1.02))
    ax_acc.legend(loc="lower right", fontsize=7)
    save_png(fig, path)
