"""Figures: adversarial samples (run 0), accuracy vs eps, ensembles vs N and the largest
ensembles vs eps over the runs (mean line, min-to-max band; the post's values beside ours), and
t-SNE maps of run 0's baseline's last hidden layer."""

from __future__ import annotations

import pandas as pd

from dlrepro.core.claims import post_of
from dlrepro.core.plotting import plt, save_png

N_SAMPLES = 10


def samples(x_test, y_test, examples: dict, eps: float, path) -> None:
    """The first test images, their FGSM versions and the perturbation, with predictions."""
    n = min(N_SAMPLES, len(y_test))
    clean = x_test[:n, 0].numpy()
    adv = examples["x_adv"][:n]
    fig, axes = plt.subplots(3, n, figsize=(1.2 * n, 4), squeeze=False)
    for i in range(n):
        for row, (img, cmap, lim, title) in enumerate(
            [
                (clean[i], "gray", (0, 1), f"{y_test[i].item()} -> {examples['pred_clean'][i]}"),
                (adv[i], "gray", (0, 1), f"-> {examples['pred_adv'][i]}"),
                (adv[i] - clean[i], "RdBu_r", (-eps or -1, eps or 1), ""),
            ]
        ):
            ax = axes[row, i]
            ax.imshow(img, cmap=cmap, vmin=lim[0], vmax=lim[1])
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(title, fontsize=8)
    axes[0, 0].set_ylabel("clean")
    axes[1, 0].set_ylabel(f"FGSM eps={eps}")
    axes[2, 0].set_ylabel("perturbation")
    fig.suptitle("label -> baseline's prediction")
    save_png(fig, path)


def over_runs(tables: list[pd.DataFrame], keys: list[str], value: str) -> pd.DataFrame:
    """Per-run tables (same rows) -> per key: mean, min and max of `value` over the runs."""
    both = pd.concat(tables, keys=range(len(tables)), names=["run", None])
    return both.groupby(keys, sort=True)[value].agg(["mean", "min", "max"]).reset_index()


def accuracy_vs_eps(sweeps: list[pd.DataFrame], claims: dict, path) -> None:
    """Baseline accuracy on its FGSM images vs eps: each run's baseline on its own images."""
    s = over_runs(sweeps, ["eps"], "test_acc")
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.fill_between(s["eps"], s["min"], s["max"], alpha=0.25, lw=0, color="tab:blue")
    ax.plot(
        s["eps"],
        s["mean"],
        marker="o",
        color="tab:blue",
        label=f"ours: baseline on its FGSM images\n(mean, band: min-max of {len(sweeps)} runs)",
    )
    post = post_of(claims, "attack.adversarial_test_acc")
    if post is not None:
        ax.axhline(post, color="k", ls="--", lw=1, label=f"post: {post} (eps not stated)")
    ax.set(
        xlabel="FGSM eps (L-inf, pixels in [0, 1])",
        ylabel="test accuracy",
        ylim=(0, 1.02),
        title="baseline accuracy vs attack strength",
    )
    ax.legend(fontsize=8)
    save_png(fig, path)


def ensembles(tables: list[pd.DataFrame], claims: dict, path) -> None:
    """Adversarial accuracy vs N per kind and combination over the runs (mean line, min-max
    band); the post's points as crosses."""
    table = over_runs(tables, ["kind", "combination", "members"], "adversarial_acc")
    fig, ax = plt.subplots(figsize=(6, 4))
    colours = {"uniform": "tab:blue", "bootstrap": "tab:orange"}
    for (kind, how), rows in table.groupby(["kind", "combination"], sort=True):
        rows = rows.sort_values("members")
        ax.fill_between(
            rows["members"], rows["min"], rows["max"], alpha=0.2, lw=0, color=colours.get(kind)
        )
        ax.plot(
            rows["members"],
            rows["mean"],
            marker="o",
            color=colours.get(kind),
            ls="-" if how == "max" else ":",
            label=f"ours: {how}, {kind}",
        )
    for kind in colours:
        for how in ("max", "mean"):
            pts = [
                (int(c["ours"].split(".")[3]), c["post"])
                for c in claims["claims"]
                if c.get("ours", "").startswith(f"ensembles.ensembles.{kind}.")
                and c["ours"].split(".")[4] == how
            ]
            if pts:
                xs, ys = zip(*sorted(pts))
                ax.scatter(
                    xs, ys, marker="x", s=50, color=colours[kind], label=f"post: {how}, {kind}"
                )
    ax.set(
        xlabel="members N",
        ylabel="accuracy on the baseline's FGSM images",
        ylim=(0, 1),
        title=f"ensembles against transferred adversarials (mean, min-max of {len(tables)} runs)",
    )
    ax.legend(fontsize=7, ncol=2)
    save_png(fig, path)


def eps_table(runs: list[dict]) -> pd.DataFrame:
    """Per-run ensemble_eps.json -> one row per run, eps and curve: the baseline, the best
    single member and, per kind, the largest ensembles' mean, max and `any` accuracy."""
    rows = []
    for r, result in enumerate(runs):
        for eps, at in result["by_eps"].items():
            for curve in ("baseline", "best_single"):
                rows.append((r, float(eps), "all", curve, at[curve]))
            for kind, by_n in at["ensembles"].items():
                n = max(by_n, key=int)
                for how, acc in by_n[n].items():
                    rows.append((r, float(eps), kind, f"{how}, N={n}", acc))
    return pd.DataFrame(rows, columns=["run", "eps", "kind", "curve", "acc"])


def ensembles_vs_eps(runs: list[dict], eps: float, path) -> None:
    """The largest ensembles of each kind against the attack's eps: mean, max and `any` (some
    member right, the ceiling of max), beside the baseline and the best single member."""
    table = eps_table(runs)
    s = table.groupby(["kind", "curve", "eps"], sort=True)["acc"].agg(["mean", "min", "max"])
    kinds = [k for k in ("uniform", "bootstrap") if k in set(table["kind"])]
    fig, axes = plt.subplots(1, len(kinds), figsize=(5 * len(kinds), 3.8), squeeze=False)
    styles = {"mean": ("tab:blue", ":"), "max": ("tab:blue", "-"), "any": ("tab:green", "--")}
    for ax, kind in zip(axes[0], kinds):
        curves = [("all", "baseline", "grey", "-."), ("all", "best_single", "tab:red", "-")]
        curves += [(kind, c, *styles[c.split(",")[0]]) for c in s.loc[kind].index.unique(0)]
        for k, curve, colour, ls in curves:
            rows = s.loc[(k, curve)].reset_index()
            ax.fill_between(rows["eps"], rows["min"], rows["max"], alpha=0.2, lw=0, color=colour)
            label = {"best_single": "best single member", "baseline": "baseline (attacked)"}
            ax.plot(rows["eps"], rows["mean"], marker="o", ms=3, color=colour, ls=ls,
                    label=label.get(curve, f"{curve.replace('any', 'some member right')}"))  # fmt: skip
        ax.axvline(eps, color="k", lw=0.8, alpha=0.5)
        ax.set(xlabel="FGSM eps on the baseline", ylabel="accuracy", ylim=(0, 1.02),
               title=f"{kind} members")  # fmt: skip
        ax.legend(fontsize=7)
    fig.suptitle(f"ensembles vs attack strength (mean, min-max of {len(runs)} runs)")
    save_png(fig, path)


def tsne(embedding: dict, path) -> None:
    labels = embedding["labels"]
    n = len(labels)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    for ax, key, title in (
        (axes[0], "normal", "normal test images"),
        (axes[1], "adversarial", "their FGSM adversarials"),
    ):
        pts = embedding[key]
        sc = ax.scatter(pts[:, 0], pts[:, 1], c=labels, cmap="tab10", s=4, vmin=-0.5, vmax=9.5)
        ax.set_title(f"{title} (colour: true digit)")
    fig.colorbar(sc, ax=axes[:2], ticks=range(10), fraction=0.02)
    both = embedding["both"]
    axes[2].scatter(both[:n, 0], both[:n, 1], s=4, color="tab:blue", label="normal")
    axes[2].scatter(both[n:, 0], both[n:, 1], s=4, color="tab:red", label="adversarial")
    axes[2].set_title("both, one embedding")
    axes[2].legend(fontsize=8, markerscale=3)
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle("t-SNE of the baseline's last hidden layer (run 0)")
    save_png(fig, path)
