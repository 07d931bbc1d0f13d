"""Figures of the post: random labelled samples, first-layer kernels of both CNNs, and
(ours) the CNNs' learning curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.plotting import plt, save_png, symmetric_limits
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


def learning_curves_figure(histories: dict[str, pd.DataFrame], path) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(8, 3))
    for name, h in histories.items():
        ax_loss.plot(h["epoch"], h["loss"], label=LABELS[name])
        ax_acc.plot(h["epoch"], h["train_acc"], label=LABELS[name])
    ax_loss.set(xlabel="epoch", ylabel="training loss (BCE)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="training accuracy", ylim=(0.4, 1.02))
    ax_acc.legend(loc="lower right")
    save_png(fig, path)
