"""Figures: the spatial contrasting loss during pretraining (mean over runs, band min to max),
and test accuracy per run: fine-tuned pretrained vs scratch, linear probes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png


def pretraining(histories: list[dict], path, smooth: int = 25) -> None:
    losses = np.array([h["loss_per_step"] for h in histories])
    k = max(1, min(smooth, losses.shape[1]))
    # a running mean over k steps: each step sees a fresh random batch of triplets
    kernel = np.ones(k) / k
    smoothed = np.array([np.convolve(row, kernel, mode="valid") for row in losses])
    steps = np.arange(k, losses.shape[1] + 1)
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.fill_between(steps, smoothed.min(0), smoothed.max(0), color="C0", alpha=0.2, lw=0)
    ax.plot(steps, smoothed.mean(0), color="C0", label=f"{len(histories)} runs")
    ax.axhline(np.log(2), color="k", ls="--", lw=0.8, label="log 2 (d+ = d-)")
    ax.set_ylim(top=max(ax.get_ylim()[1], 1.03 * np.log(2)))  # keep the chance line in view
    ax.set(xlabel="pretraining step", ylabel=f"spatial contrasting loss ({k}-step mean)")
    ax.legend()
    save_png(fig, path)


def accuracy(runs: list[dict], path) -> None:
    runs = sorted(runs, key=lambda r: r["run"])
    series = {
        "fine-tuned,\nscratch": [r["finetune"]["scratch"]["test_acc"] for r in runs],
        "fine-tuned,\npretrained": [r["finetune"]["pretrained"]["test_acc"] for r in runs],
        "probe,\nrandom init": [r["probe"]["random"]["test"] for r in runs],
        "probe,\npretrained": [r["probe"]["pretrained"]["test"] for r in runs],
    }
    fig, ax = plt.subplots(figsize=(6, 3.8))
    names = list(series)
    values = np.array([series[n] for n in names])  # [network, run]
    for pair in ((0, 1), (2, 3)):  # paired runs: one line per run seed
        for r in range(values.shape[1]):
            ax.plot(pair, values[list(pair), r], color="0.6", lw=0.8, zorder=1)
    for i in range(len(names)):
        ax.scatter(np.full(values.shape[1], i), values[i], color=f"C{i // 2}", zorder=2)
        ax.plot([i - 0.2, i + 0.2], [values[i].mean()] * 2, color="k", lw=2)
    ax.set_xticks(range(len(names)), names)
    ax.set(ylabel="MNIST test accuracy", title=f"{runs[0]['n_labelled']} labelled images")
    save_png(fig, path)
