"""One heat map per rule, each keeping the rules before it."""

from __future__ import annotations

import numpy as np

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.corrviz.rules import RULES

TITLES = {
    "default": "0. default (viridis, full range)",
    "middle_range": "1. colour range = middle of the values",
    "symmetric": "2. symmetric bounds",
    "diverging": "3. diverging colour map",
    "dark_zero": "4. zero dark, strong bright",
    "ordered": "5. clustered feature order",
}


def rule_panels(corr: np.ndarray, summary: dict, path) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(12, 8.2))
    for ax, rule in zip(axes.ravel(), RULES):  # metrics.json sorts its keys
        p = summary["panels"][rule]
        order = np.array(p["order"])
        im = ax.imshow(corr[np.ix_(order, order)], cmap=p["cmap"], vmin=p["vmin"], vmax=p["vmax"])
        ax.set_title(TITLES[rule])
        ax.set_xticks([]), ax.set_yticks([])
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    fig.suptitle(
        f"Correlations of the {len(corr)} features of scikit-learn's {summary['dataset']} "
        f"data ({summary['samples']} samples); rules of the post applied one at a time"
    )
    save_png(fig, path)
