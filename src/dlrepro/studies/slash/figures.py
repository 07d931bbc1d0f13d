"""Figures of the post: random labelled samples, first-layer kernels of both CNNs (one run),
and (ours) the CNNs' learning curves over runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.plotting import plt, save_png, symmetric_limits
from dlrepro.errors import DlreproError
from dlrepro.studies.slash.spec import CLASS_NAMES, LABELS


def samples_figure(x: np.ndarray, y: np.ndarray, idx: np.ndarray, path, cols: int = 8) -> None:
    rows = int(np.ceil(len(idx) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.35 * rows))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, i in zip(np.ravel(axes), idx):
        ax.imshow(x[i], cmap="gray", vmin=0, vmax=1)
        ax.set_title(CLASS_NAMES[int(y[i])], fontsize=8)
    save_png(fig, path)


def kernels_figure(kernels: dict[str, np.ndarray], path) -> None:
    """One row per model; each (out, in=1, k, k) kernel on a diverging map centred on 0."""
    cols = max(len(k) for k in kernels.values())
    fig, axes = plt.subplots(
        len(kernels), cols, figsize=(1.1 * cols + 1, 1.4 * len(kernels)), squeeze=False
    )
    for row, (name, w) in zip(axes, kernels.items()):
        vmin, vmax = symmetric_limits(w)
        for ax in row:
            ax.axis("off")
        for j, (ax, kernel) in enumerate(zip(row, w)):
            im = ax.imshow(kernel[0], cmap="RdBu_r", vmin=vmin, vmax=vmax)
            ax.set_title(f"{j}", fontsize=7)
        row[0].text(
            -0.15,
            0.5,
            LABELS[name],
            transform=row[0].transAxes,
            ha="right",
            va="center",
            fontsize=8,
        )
        fig.colorbar(im, ax=list(row), fraction=0.02, pad=0.01)
    save_png(fig, path)


def _band(ax, epochs, runs: np.ndarray, label: str, colour) -> None:
    """Mean over runs (line) and the runs' min to max (band)."""
    ax.plot(epochs, runs.mean(axis=0), label=label, color=colour)
    if len(runs) > 1:
        ax.fill_between(epochs, runs.min(axis=0), runs.max(axis=0), color=colour, alpha=0.25, lw=0)


def learning_curves_figure(histories: dict[str, list[pd.DataFrame]], path) -> None:
    """Training loss and accuracy per epoch of each CNN: the mean over runs and the min-max band."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3))
    for i, (name, runs) in enumerate(histories.items()):
        epochs = runs[0]["epoch"].to_numpy()
        if any(not np.array_equal(h["epoch"].to_numpy(), epochs) for h in runs):
            raise DlreproError(f"slash learning curves: {name}'s runs have different epochs")
        colour = f"C{i}"
        label = f"{LABELS[name]} ({len(runs)} runs)"
        _band(ax_loss, epochs, np.stack([h["loss"].to_numpy() for h in runs]), label, colour)
        _band(ax_acc, epochs, np.stack([h["train_acc"].to_numpy() for h in runs]), label, colour)
    ax_loss.set(xlabel="epoch", ylabel="training loss (BCE)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="training accuracy", ylim=(0.4, 1.02))
    ax_acc.legend(loc="lower right")
    save_png(fig, path)
