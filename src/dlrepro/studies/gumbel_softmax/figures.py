"""Figures: the relaxation vs temperature; the gradient estimators; semi-supervised MNIST.
Lines are means over run seeds, bands the min to max over the runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from dlrepro.core.plotting import save_png
from dlrepro.studies.gumbel_softmax.variants import VARIANTS


def _taus(runs: list[dict]) -> np.ndarray:
    return np.array([t["tau"] for t in runs[0]["tau"].values()])


def _per_tau(runs: list[dict], *keys: str) -> np.ndarray:
    """[runs, taus] of the leaf at `keys` under every temperature."""

    def leaf(t):
        for k in keys:
            t = t[k]
        return t

    return np.array([[leaf(t) for t in r["tau"].values()] for r in runs], dtype=np.float64)


def _band(ax, x, values: np.ndarray, label: str, style: str = "o-") -> None:
    line = ax.plot(x, values.mean(0), style, label=label)[0]
    ax.fill_between(x, values.min(0), values.max(0), color=line.get_color(), alpha=0.2, lw=0)


def relaxation(runs: list[dict], path) -> None:
    taus = _taus(runs)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    _band(a, taus, _per_tau(runs, "max_component"), "mean largest component")
    k = runs[0]["categories"]
    a.axhline(1.0, color="k", lw=0.8, ls="--", label="one-hot (1)")
    a.axhline(1.0 / k, color="grey", lw=0.8, ls=":", label=f"uniform (1/{k})")
    a.set(xscale="log", xlabel="temperature tau", ylabel="largest component of a sample")
    a.legend()
    _band(b, taus, _per_tau(runs, "l1_to_probs"), "to the probabilities p")
    _band(b, taus, _per_tau(runs, "l1_to_uniform"), "to uniform")
    b.set(xscale="log", xlabel="temperature tau", ylabel="L1 distance of the mean sample")
    b.legend()
    fig.tight_layout()
    save_png(fig, path)


def gradients(runs: list[dict], path) -> None:
    taus = _taus(runs)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    for key, label in (
        ("gumbel_softmax", "Gumbel-softmax"),
        ("straight_through", "straight-through"),
    ):
        _band(a, taus, _per_tau(runs, key, "variance"), label)
        _band(b, taus, _per_tau(runs, key, "bias"), label)
    for key, label, style in (
        ("score_function", "score function", "--"),
        ("score_function_baseline", "score function, exact-mean baseline", ":"),
    ):
        v = np.array([r[key]["variance"] for r in runs])
        a.axhline(v.mean(), color="k", ls=style, lw=1, label=label)
    norm = np.array([r["exact_gradient_norm"] for r in runs])
    b.axhline(norm.mean(), color="grey", ls="--", lw=1, label="|exact gradient| (bias of 0)")
    a.set(xscale="log", yscale="log", xlabel="temperature tau", ylabel="variance per draw")
    b.set(xscale="log", xlabel="temperature tau", ylabel="bias |E estimate - exact|")
    a.legend(fontsize=7)
    b.legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, path)


def semi_supervised(models: list[dict], path) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5), gridspec_kw={"width_ratios": [2, 1]})
    for i, variant in enumerate(VARIANTS):
        runs = sorted((m for m in models if m["variant"] == variant), key=lambda m: m["run"])
        if not runs:
            continue
        steps = np.array([h["step"] for h in runs[0]["history"]])
        val = np.array([[h["val_acc"] for h in m["history"]] for m in runs])
        _band(a, steps, val, variant, "-")
        test = np.array([m["test_acc"] for m in runs])
        b.bar(i, test.mean(), color=f"C{i}", alpha=0.6)
        b.plot(np.full(len(test), i), test, "k.")
    a.set(xlabel="training step", ylabel="validation accuracy")
    a.legend()
    b.set_xticks(range(len(VARIANTS)), VARIANTS)
    b.set(ylabel="test accuracy (validation-chosen step)")
    lo = min((m["test_acc"] for m in models), default=0.0)
    b.set_ylim(max(0.0, lo - 0.05), 1.0)
    fig.tight_layout()
    save_png(fig, path)
