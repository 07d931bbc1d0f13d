"""SELU figures: activation mean and variance vs depth; MNIST training curves."""

from __future__ import annotations

import matplotlib.pyplot as plt

from dlrepro.core.plotting import save_png

COLOURS = {
    "selu": "C0",
    "relu": "C1",
    "relu_bn": "C2",
    "selu_alpha_dropout": "C3",
    "selu_dropout": "C4",
}


def depth_profiles(activations: dict, runs: dict, path) -> None:
    """Rows: N(0,1) inputs at init, MNIST inputs at init, MNIST after training; columns: mean,
    variance per hidden layer. Dashed: the (0, 1) fixed point."""
    panels = [
        (f"init, {src} inputs", activations["statistics"][src]) for src in ("gaussian", "mnist")
    ]
    panels.append(("trained (test images)", {v: r["statistics_trained"] for v, r in runs.items()}))
    fig, axes = plt.subplots(
        len(panels), 2, figsize=(9, 3 * len(panels)), squeeze=False, layout="constrained"
    )
    for row, (title, by_variant) in zip(axes, panels):
        for ax, key, target in zip(row, ("mean", "var"), (0.0, 1.0)):
            for variant, s in by_variant.items():
                ax.plot(
                    range(1, len(s[key]) + 1),
                    s[key],
                    marker=".",
                    label=variant,
                    color=COLOURS[variant],
                )
            ax.axhline(target, color="k", ls="--", lw=0.8)
            ax.set(xlabel="hidden layer", ylabel=key, title=f"{key}, {title}")
    axes[0, 1].legend(fontsize=7)
    save_png(fig, path)


def training(runs: dict, path) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    for variant, r in runs.items():
        epochs = [h["epoch"] for h in r["history"]]
        ax_loss.plot(
            epochs,
            [h["loss"] for h in r["history"]],
            marker="o",
            label=variant,
            color=COLOURS[variant],
        )
        ax_acc.plot(
            epochs,
            [h["test_acc"] for h in r["history"]],
            marker="o",
            label=variant,
            color=COLOURS[variant],
        )
    ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="MNIST test accuracy")
    ax_acc.legend()
    save_png(fig, path)
