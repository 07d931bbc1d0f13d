"""Figures: one triplet where the two distances disagree (curves and coefficients side by side),
and the two distances of every random pair against each other."""

from __future__ import annotations

import numpy as np
from numpy.polynomial import polynomial

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.polysim.distance import coefficient_distance, shape_distance


def example(summary: dict, path) -> None:
    a, b = summary["params"]["interval"]
    ex = summary["example"]
    ref = np.array(ex["reference"])
    curves = [
        ("reference", ref, "k"),
        ("closer by coefficients", np.array(ex["closer_by_coefficients"]), "tab:red"),
        ("closer by shape (L2 on the interval)", np.array(ex["closer_by_shape"]), "tab:blue"),
    ]
    x = np.linspace(a, b, 400)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, c, colour in curves:
        label = (
            name
            if name == "reference"
            else (
                f"{name}: coef {coefficient_distance(ref, c):.2f}, shape {shape_distance(ref, c, a, b):.2f}"
            )
        )
        ax1.plot(x, polynomial.polyval(x, c), color=colour, label=label)
    ax1.set(xlabel="x", ylabel="p(x)", title=f"curves on [{a}, {b}]")
    ax1.legend(fontsize=7)
    width = 0.25
    for i, (name, c, colour) in enumerate(curves):
        ax2.bar(np.arange(len(c)) + (i - 1) * width, c, width, color=colour, label=name)
    ax2.set(
        xticks=range(len(ref)),
        xticklabels=[f"x^{k}" for k in range(len(ref))],
        ylabel="coefficient",
        title="the same polynomials as coefficient vectors",
    )
    ax2.axhline(0, color="grey", lw=0.5)
    save_png(fig, path)


def scatter(distances: dict, summary: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(distances["coefficient_distance"], distances["shape_distance"], s=2, alpha=0.3)
    ax.set(
        xlabel="Euclidean distance of coefficients",
        ylabel="L2 distance of the curves",
        title=f"random pairs; Spearman {summary['spearman_coefficient_vs_shape']:.3f}",
    )
    save_png(fig, path)
