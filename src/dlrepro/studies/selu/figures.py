"""SELU figures: activation mean and variance vs depth; MNIST training curves. Every line is the
mean over run seeds, its band the min to max over the runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png

COLOURS = {
    "selu": "C0",
    "relu": "C1",
    "relu_bn": "C2",
    "selu_alpha_dropout": "C3",
    "selu_dropout": "C4",
}


def _band(ax, x, per_run: list[list[float]], colour: str, **kwargs) -> None:
    """Mean over runs (line) and min to max over runs (band)."""
    y = np.asarray(per_run, dtype=np.float64)
    ax.fill_between(x, y.min(0), y.max(0), color=colour, alpha=0.2, lw=0)
    ax.plot(x, y.mean(0), color=colour, **kwargs)


def _trained_by_variant(runs: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in sorted(runs, key=lambda r: r["run"]):
        out.setdefault(r["variant"], []).append(r)
    return out


def depth_profiles(activations: list[dict], runs: list[dict], path) -> None:
    """Rows: N(0,1) inputs at init, MNIST inputs at init, MNIST after training; columns: mean,
    variance per hidden layer. Dashed: the (0, 1) fixed point."""
    activations = sorted(activations, key=lambda a: a["run"])
    panels = [
        (
            f"init, {src} inputs",
            {
                v: [a["statistics"][src][v] for a in activations]
                for v in activations[0]["statistics"][src]
            },
        )
        for src in ("gaussian", "mnist")
    ]
    trained = _trained_by_variant(runs)
    panels.append(
        (
            "trained (test images)",
            {v: [r["statistics_trained"] for r in rs] for v, rs in trained.items()},
        )
    )
    fig, axes = plt.subplots(
        len(panels), 2, figsize=(9, 3 * len(panels)), squeeze=False, layout="constrained"
    )
    for row, (title, by_variant) in zip(axes, panels):
        for ax, key, target in zip(row, ("mean", "var"), (0.0, 1.0)):
            for variant, stats in by_variant.items():
                layers = range(1, len(stats[0][key]) + 1)
                _band(
                    ax,
                    layers,
                    [s[key] for s in stats],
                    COLOURS[variant],
                    marker=".",
                    label=f"{variant} ({len(stats)} runs)",
                )
            ax.axhline(target, color="k", ls="--", lw=0.8)
            ax.set(xlabel="hidden layer", ylabel=key, title=f"{key}, {title}")
    axes[0, 1].legend(fontsize=7)
    save_png(fig, path)


def training(runs: list[dict], path) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    for variant, rs in _trained_by_variant(runs).items():
        epochs = [h["epoch"] for h in rs[0]["history"]]
        label = f"{variant} ({len(rs)} runs)"
        for ax, key in ((ax_loss, "loss"), (ax_acc, "test_acc")):
            _band(
                ax,
                epochs,
                [[h[key] for h in r["history"]] for r in rs],
                COLOURS[variant],
                marker="o",
                label=label,
            )
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="MNIST test accuracy")
    ax_acc.legend()
    save_png(fig, path)
