"""Steps of the pca_prob study (PCA as a probability): probabilistic PCA of the shared MNIST set,
draws from it, and its log-likelihood as an outlier score -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("pca_prob")
PCA_PROB = "results/pca_prob"
SCORES = "data/processed/pca_prob/scores.npz"
SUMMARY = f"{PCA_PROB}/metrics.json"


def _images(arrays: dict, split: str, n: int):
    return arrays[f"x_{split}"][:n].reshape(-1, 28 * 28).astype("float64") / 255.0


@steps.step(
    help="probabilistic PCA of MNIST; samples; log-likelihood of digits and outliers",
    runtime=15,
    mem_mb=4000,
    params=("seed", "pca_prob"),
    data=In(MNIST),
    claims=steps.claims,
    scores=Out(SCORES),
    table=Out(f"{PCA_PROB}/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out(f"{PCA_PROB}/comparison.csv"),
)
def fit(args, ctx) -> None:
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.determinism import rng, stream_seed
    from dlrepro.studies.pca_prob import model

    p = ctx.params["pca_prob"]
    arrays = io.read_npz(args.data, ("x_train", "y_train", "x_test", "y_test"))
    train, test = _images(arrays, "train", p["train_size"]), _images(arrays, "test", p["test_size"])
    y_train, y_test = arrays["y_train"][: len(train)], arrays["y_test"][: len(test)]
    pca = model.fit(train, p["components"], stream_seed(ctx.seed, "pca_prob", "fit"))
    scores = {"test": pca.score_samples(test)}
    rows = []

    def row(kind, digits, outliers):
        labels = np.r_[np.ones(len(digits)), np.zeros(len(outliers))]
        return {
            "outliers": kind,
            "n": len(outliers),
            "mean_loglik_digits": float(digits.mean()),
            "mean_loglik_outliers": float(outliers.mean()),
            "roc_auc": float(roc_auc_score(labels, np.r_[digits, outliers])),
        }

    for kind in model.OUTLIER_KINDS:
        bad = model.outliers(kind, test, rng(ctx.seed, "pca_prob", kind))
        scores[kind] = pca.score_samples(bad)
        rows.append(row(kind, scores["test"], scores[kind]))
    # a harder case: a digit class the Gaussian never saw, against the classes it did
    novel = p["novel_digit"]
    without = model.fit(
        train[y_train != novel], p["components"], stream_seed(ctx.seed, "pca_prob", "novel")
    )
    held_out = without.score_samples(test)
    scores["novel_digit"] = held_out[y_test == novel]
    scores["novel_fit_digits"] = held_out[y_test != novel]
    rows.append(row("novel_digit", scores["novel_fit_digits"], scores["novel_digit"]))
    # the headline's hard case for every class: each digit left out of the fit in turn
    unseen = model.unseen_digits(
        train, y_train, test, y_test, p["components"], stream_seed(ctx.seed, "pca_prob", "novel")
    )
    # the samples checked: the model's own draws scored by it, against the held-out test digits
    drawn = model.sample_likelihoods(
        pca, rng(ctx.seed, "pca_prob", "likelihood_draws"), p["likelihood_draws"]
    )
    scores.update(drawn)
    gap = model.standardised_gap(drawn["draws"], scores["test"])
    draws = rng(ctx.seed, "pca_prob", "samples")
    summary = {
        "components": int(pca.n_components_),
        "explained_variance_ratio": float(pca.explained_variance_ratio_.sum()),
        "noise_variance": float(pca.noise_variance_),
        "train_mean_loglik": float(pca.score(train)),
        "outliers": {r["outliers"]: r for r in rows},
        "unseen_digits": {
            "roc_auc": [u["roc_auc"] for u in unseen],  # one per digit left out, 0..9
            "per_digit": {str(u["digit"]): u for u in unseen},
        },
        "samples_check": {
            "draws": int(p["likelihood_draws"]),
            "mean_loglik_draws": float(drawn["draws"].mean()),
            "sd_loglik_draws": float(drawn["draws"].std(ddof=1)),
            "mean_loglik_draws_without_noise": float(drawn["draws_without_noise"].mean()),
            "mean_loglik_test": float(scores["test"].mean()),
            "sd_loglik_test": float(scores["test"].std(ddof=1)),
            "standardised_gap": gap,
            "abs_standardised_gap": abs(gap),
        },
        "params": p,
    }
    io.write_npz(
        args.scores,
        **{f"loglik/{k}": v for k, v in scores.items()},
        unseen_auc=np.array([u["roc_auc"] for u in unseen]),
        samples=model.sample(pca, draws, p["samples"], with_noise=False),
        samples_noisy=model.sample(pca, draws, p["samples"], with_noise=True),
        mean=pca.mean_,
    )
    write_results(args, summary, _table(rows, unseen, summary["samples_check"]), ctx.params)


def _table(rows: list[dict], unseen: list[dict], check: dict):
    """One row per scored set: the unseen digits (each left out in turn) first, the headline's
    hard case; then the sets far from any digit; then the model's own draws."""
    import pandas as pd

    table = [
        {"outliers": f"unseen digit {u['digit']} (fit without it)", "n": u["n_unseen"],
         "mean_loglik_digits": u["mean_loglik_seen"],
         "mean_loglik_outliers": u["mean_loglik_unseen"], "roc_auc": u["roc_auc"]}
        for u in unseen
    ]  # fmt: skip
    table += [r for r in rows if r["outliers"] != "novel_digit"]
    table.append(
        {"outliers": "draws from the model (with its noise); not outliers", "n": check["draws"],
         "mean_loglik_digits": check["mean_loglik_test"],
         "mean_loglik_outliers": check["mean_loglik_draws"], "roc_auc": None}
    )  # fmt: skip
    table.append(
        {"outliers": "draws, k-dimensional part only (as in the figure)", "n": check["draws"],
         "mean_loglik_digits": check["mean_loglik_test"],
         "mean_loglik_outliers": check["mean_loglik_draws_without_noise"], "roc_auc": None}
    )  # fmt: skip
    return pd.DataFrame(table)


@steps.step(
    help="samples, log-likelihood histograms, ROC curves, AUC per unseen digit",
    runtime=5,
    mem_mb=1000,
    scores=In(SCORES),
    summary=In(SUMMARY),
    samples=Out(f"{PCA_PROB}/figures/samples.png", figure=True),
    likelihoods=Out(f"{PCA_PROB}/figures/likelihoods.png", figure=True),
    roc=Out(f"{PCA_PROB}/figures/roc.png", figure=True),
    unseen=Out(f"{PCA_PROB}/figures/unseen_digits.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.pca_prob import figures as fig
    from dlrepro.studies.pca_prob.model import OUTLIER_KINDS

    keys = (
        "samples",
        "samples_noisy",
        "mean",
        "loglik/test",
        "loglik/novel_digit",
        "loglik/novel_fit_digits",
        "loglik/draws",
        "unseen_auc",
        *(f"loglik/{k}" for k in OUTLIER_KINDS),
    )
    scores = io.read_npz(args.scores, keys)
    summary = io.read_json(args.summary)
    fig.samples(scores, args.samples)
    fig.likelihoods(scores, args.likelihoods)
    fig.roc(scores, summary, args.roc)
    fig.unseen_digits(scores["unseen_auc"], summary, args.unseen)
