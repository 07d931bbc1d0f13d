"""Receptive field against depth and parameters; the post's figure from measured gradients."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rf_vs_depth(table: pd.DataFrame, path) -> None:
    """Receptive field vs depth (formula lines, measured dots), parameters vs depth, and
    receptive field vs parameters, per dimensionality and stack kind."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from dlrepro.core.plotting import save_png

    fig, (rf, params, both) = plt.subplots(1, 3, figsize=(14, 3.9))
    for (dims, kind), rows in table.groupby(["dims", "stack"], sort=True):
        style = {"dilated": "o-", "undilated": "s--"}[kind]
        label = f"{dims}-D, {kind}"
        rf.plot(rows["depth"], rows["rf_formula"], style, mfc="none", label=f"{label} (formula)")
        rf.plot(rows["depth"], rows["rf_measured"], "k.", ms=4)
        params.plot(rows["depth"], rows["parameters"], style, mfc="none", label=label)
        both.plot(rows["parameters"], rows["rf_measured"], style, label=label)
    rf.set(
        xlabel="layers L",
        ylabel="receptive field side (inputs)",
        title="receptive field vs depth (dots: measured)",
    )
    params.set(xlabel="layers L", ylabel="trainable parameters", title="parameters vs depth")
    both.set(
        xlabel="trainable parameters",
        ylabel="receptive field side (inputs)",
        title="receptive field vs parameters (measured)",
    )
    for ax in (rf, both):
        ax.set_yscale("log", base=2)
    for ax in (rf, params):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in (rf, params, both):
        ax.legend(fontsize=7)
    save_png(fig, path)


def post_figure(layers: dict[str, np.ndarray], dilation_rates: list[int], path) -> None:
    """As the post's figure: red dots = the inputs of one unit of layer l, green = the receptive
    field on the original input that those inputs cover (both from measured gradients)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from dlrepro.core.plotting import save_png

    n = len(dilation_rates)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n, 3.6))
    for layer, ax in zip(range(1, n + 1), np.atleast_1d(axes)):
        rf, taps = layers[f"rf_{layer}"], layers[f"taps_{layer}"]
        size = rf.shape[0]
        ax.imshow(rf, cmap=ListedColormap(["white", "#7fc97f"]), vmin=0, vmax=1)
        rows, cols = np.nonzero(taps)
        ax.scatter(cols, rows, c="red", s=18, zorder=3)
        ax.set_xticks(np.arange(-0.5, size), minor=True)
        ax.set_yticks(np.arange(-0.5, size), minor=True)
        ax.grid(which="minor", color="0.8", lw=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        side = int(np.ptp(np.nonzero(rf.any(axis=1))[0]) + 1)
        ax.set_title(
            f"layer {layer}: dilation {dilation_rates[layer - 1]}\nreceptive field {side}x{side}"
        )
    save_png(fig, path)
