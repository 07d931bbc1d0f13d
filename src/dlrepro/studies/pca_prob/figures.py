"""Figures: draws from the PCA Gaussian, log-likelihood of digits vs outliers, ROC curves."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_curve

from dlrepro.core.plotting import plt, save_png
from dlrepro.studies.pca_prob.model import OUTLIER_KINDS

SCORED = (*OUTLIER_KINDS, "novel_digit")


def samples(scores: dict, path) -> None:
    rows = [
        ("mean", scores["mean"][None]),
        ("draws", scores["samples"]),
        ("+ noise", scores["samples_noisy"]),
    ]
    n = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), n, figsize=(0.9 * n, 3.4), squeeze=False)
    for i, (name, images) in enumerate(rows):
        for j in range(n):
            ax = axes[i, j]
            ax.set_xticks([]), ax.set_yticks([])
            if j < len(images):
                ax.imshow(np.clip(images[j].reshape(28, 28), 0, 1), cmap="gray_r", vmin=0, vmax=1)
            else:
                ax.axis("off")
        axes[i, 0].set_ylabel(name, fontsize=7)
    save_png(fig, path)


def likelihoods(scores: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    shown = ("test", "draws", *OUTLIER_KINDS)
    everything = np.concatenate([scores[f"loglik/{k}"] for k in shown])
    # novel_digit is scored by the other fit (without that class): its own histogram scale
    bins = np.linspace(np.percentile(everything, 0.5), everything.max(), 80)
    names = {"test": "test digits", "draws": "draws from the model (with its noise)"}
    for k in shown:
        ax.hist(
            np.clip(scores[f"loglik/{k}"], bins[0], None),
            bins=bins,
            histtype="step",
            label=names.get(k, k.replace("_", " ")),
        )
    ax.set(xlabel="log-likelihood under the PCA Gaussian (nats per image)", ylabel="images")
    ax.legend(fontsize=7)
    save_png(fig, path)


def roc(scores: dict, summary: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    for k in SCORED:
        digits = scores["loglik/novel_fit_digits"] if k == "novel_digit" else scores["loglik/test"]
        labels = np.r_[np.ones(len(digits)), np.zeros(len(scores[f"loglik/{k}"]))]
        fpr, tpr, _ = roc_curve(labels, np.r_[digits, scores[f"loglik/{k}"]])
        name = (
            f"unseen digit {summary['params']['novel_digit']}"
            if k == "novel_digit"
            else k.replace("_", " ")
        )
        ax.plot(fpr, tpr, label=f"{name} (AUC {summary['outliers'][k]['roc_auc']:.3f})")
    ax.plot([0, 1], [0, 1], "k:", lw=0.7)
    ax.set(
        xlabel="outliers accepted (false positive rate)",
        ylabel="digits accepted (true positive rate)",
        title="log-likelihood as a digit-vs-outlier score",
    )
    ax.legend(fontsize=7)
    save_png(fig, path)


def unseen_digits(auc: np.ndarray, summary: dict, path) -> None:
    """ROC AUC of the log-likelihood for each digit class left out of the fit in turn."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.bar(np.arange(len(auc)), auc, color="tab:blue")
    ax.axhline(0.5, color="k", ls=":", lw=0.8, label="chance (0.5)")
    ax.axhline(0.9, color="tab:red", ls="--", lw=0.8, label="'detects' (0.9, claims.yaml)")
    ax.set(
        xlabel="digit left out of the fit (the outlier class)",
        ylabel="ROC AUC, seen vs unseen test digits",
        xticks=np.arange(len(auc)),
        ylim=(0, 1),
        title=f"{summary['components']} components, each class left out in turn",
    )
    ax.legend(fontsize=7, loc="lower right")
    save_png(fig, path)
