"""Steps of the adversarial study ("Ensembling Against Adversarial Instances"): per run seed,
baseline ConvNet -> FGSM adversarials of the test set -> adversarial training; one fixed pool of
ensemble members (one job each, so they train in parallel or on a cluster) -> per run, mean/max
ensembles of member subsets on that run's adversarials, the same pool at other eps, and
hidden-space distances of adversarials to clean images; t-SNE (run 0); comparison over runs."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import TRAINING_CURVES, In, Out, Steps, Wildcard
from dlrepro.studies.adversarial.spec import KINDS

STUDY = "adversarial"
steps = Steps(STUDY)
ADV = "results/adversarial"
CLAIMS = steps.claims
RUN = f"{ADV}/runs/{{run}}"  # one run seed's baseline, attack, adversarial training, ensembles
BASELINE = f"{RUN}/models/baseline"
ADVTRAIN = f"{RUN}/models/advtrain"
EXAMPLES = "data/processed/adversarial/runs/{run}/fgsm_test.npz"  # made on that run's baseline
# the members are one fixed pool shared by every run (100 members per run would cost R times
# the study's largest part); each run draws its ensembles from it (see `ensemble`)
MEMBER = f"{ADV}/members/{{kind}}/{{member}}"
TRAINING = ("seed", "device", "adversarial.data", "adversarial.model", "adversarial.training")


def _members(config: dict) -> range:
    """Member indices a build trains: as many as the largest ensemble."""
    return range(max(config["adversarial"]["ensembles"]["sizes"]))


def _member_weights(wildcards, config) -> list[str]:
    return [
        f"{MEMBER}/weights.pt".format(kind=k, member=m) for k in KINDS for m in _members(config)
    ]


def _model(ctx):
    from dlrepro.classifier.convnet import ConvNet

    return ConvNet(**ctx.params["adversarial"]["model"])


def _train(ctx, device, x, y, name, seed, **extra):
    """A fresh model trained under its own seed: runs and members differ in initialisation,
    dropout masks and batch order (and, for bootstrap members, data)."""
    import torch

    from dlrepro.classifier.train import train_classifier

    torch.manual_seed(seed)
    model = _model(ctx)
    history = train_classifier(
        model,
        x,
        y,
        **ctx.params["adversarial"]["training"],
        seed=seed,
        device=device,
        desc=name,
        **extra,
    )
    return model, history


def _load(ctx, weights):
    from dlrepro.core.torch_utils import load_weights

    return load_weights(weights, _model(ctx)).eval()


def _acc(model, x, y) -> float:
    from dlrepro.classifier.train import accuracy, predict_proba

    return accuracy(predict_proba(model, x).argmax(1), y.numpy())


@steps.step(
    help="train one run's baseline ConvNet",
    gpu=True,
    runtime=60,
    mem_mb=4000,
    params=TRAINING,
    run=steps.run,
    data=In(MNIST),
    weights=Out(f"{BASELINE}/weights.pt"),
    metrics=Out(f"{BASELINE}/metrics.json"),
    history=Out(f"{BASELINE}/history.csv", plot=TRAINING_CURVES),
)
def baseline(args, ctx) -> None:
    import pandas as pd

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import save_weights, setup, trainable_parameters

    device = setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"])
    seed = run_seed(ctx.seed, STUDY, args.run, "baseline")
    model, history = _train(ctx, device, d["x_train"], d["y_train"], f"baseline-{args.run}", seed)
    model.cpu()
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history))
    io.write_json(
        args.metrics,
        {
            "clean_test_acc": _acc(model, d["x_test"], d["y_test"]),
            "train_acc": history[-1]["train_acc"],
            "parameters": trainable_parameters(model),
            "n_train": len(d["y_train"]),
            "n_test": len(d["y_test"]),
        },
    )


@steps.step(
    help="FGSM adversarials of the test set on one run's baseline; accuracy vs eps",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=(*TRAINING, "adversarial.attack"),
    run=steps.run,
    data=In(MNIST),
    weights=In(f"{BASELINE}/weights.pt"),
    examples=Out(EXAMPLES),
    sweep=Out(f"{RUN}/attack_sweep.csv"),
    metrics=Out(f"{RUN}/attack.json"),
)
def attack(args, ctx) -> None:
    import pandas as pd

    from dlrepro.classifier.fgsm import fgsm
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import predict_proba
    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup

    setup(ctx)
    p = ctx.params["adversarial"]["attack"]
    d = load_mnist(args.data, ctx.params["adversarial"]["data"])
    model = _load(ctx, args.weights)
    x, y = d["x_test"], d["y_test"]
    # no labels: like cleverhans' FGSM (the post's tool), it attacks the model's own predictions
    sweep = [
        {"eps": eps, "test_acc": _acc(model, fgsm(model, x, None, eps), y)}
        for eps in sorted(set(p["sweep"]) | {p["eps"]})
    ]
    x_adv = fgsm(model, x, None, p["eps"])
    io.write_npz(
        args.examples,
        x_adv=x_adv.squeeze(1).numpy(),
        pred_clean=predict_proba(model, x).argmax(1),
        pred_adv=predict_proba(model, x_adv).argmax(1),
    )
    io.write_csv(args.sweep, pd.DataFrame(sweep))
    io.write_json(
        args.metrics,
        {
            "eps": p["eps"],
            "clean_test_acc": _acc(model, x, y),
            "adversarial_test_acc": _acc(model, x_adv, y),
            "max_abs_perturbation": float((x_adv - x).abs().max()),
        },
    )


@steps.step(
    help="one run's adversarial training with FGSM made on the fly",
    gpu=True,
    runtime=60,
    mem_mb=4000,
    params=(*TRAINING, "adversarial.attack.eps", "adversarial.adversarial_training"),
    run=steps.run,
    data=In(MNIST),
    examples=In(EXAMPLES),
    weights=Out(f"{ADVTRAIN}/weights.pt"),
    metrics=Out(f"{ADVTRAIN}/metrics.json"),
    history=Out(f"{ADVTRAIN}/history.csv", plot=TRAINING_CURVES),
)
def advtrain(args, ctx) -> None:
    import pandas as pd

    from dlrepro.classifier.fgsm import fgsm
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.adversarial.data import load_examples

    device = setup(ctx)
    a = ctx.params["adversarial"]
    d = load_mnist(args.data, a["data"])
    model, history = _train(
        ctx,
        device,
        d["x_train"],
        d["y_train"],
        f"advtrain-{args.run}",
        run_seed(ctx.seed, STUDY, args.run, "advtrain"),
        adversarial_eps=a["adversarial_training"]["eps"],
        adversarial_weight=a["adversarial_training"]["weight"],
    )
    model.cpu()
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history))
    x, y = d["x_test"], d["y_test"]
    io.write_json(
        args.metrics,
        {
            "clean_test_acc": _acc(model, x, y),
            "baseline_adversarial_test_acc": _acc(model, load_examples(args.examples, len(y)), y),
            # its own adversarials, made on it with the attack's eps (as the baseline's were)
            "own_adversarial_test_acc": _acc(model, fgsm(model, x, None, a["attack"]["eps"]), y),
        },
    )


@steps.step(
    help="train one member of the ensembles' pool (shared by every run)",
    gpu=True,
    runtime=60,
    mem_mb=4000,
    params=TRAINING,
    kind=Wildcard(choices=KINDS),
    member=Wildcard(pattern=r"\d+", type=int, values=_members),
    data=In(MNIST),
    weights=Out(f"{MEMBER}/weights.pt"),
    metrics=Out(f"{MEMBER}/metrics.json"),
)
def member(args, ctx) -> None:
    import numpy as np
    import torch

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.adversarial.train import bootstrap_indices

    device = setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], test=False)
    x, y = d["x_train"], d["y_train"]
    name = f"member-{args.kind}-{args.member}"
    distinct = len(y)
    if args.kind == "bootstrap":  # a resample of the training set, with replacement
        idx = bootstrap_indices(len(y), stream_seed(ctx.seed, STUDY, name, "bootstrap"))
        distinct = len(np.unique(idx))
        x, y = x[torch.from_numpy(idx)], y[torch.from_numpy(idx)]
    # not run seeds: the pool is one draw, the same for every run
    model, history = _train(ctx, device, x, y, name, stream_seed(ctx.seed, STUDY, name))
    save_weights(args.weights, model.cpu())
    io.write_json(
        args.metrics,
        {
            "kind": args.kind,
            "member": args.member,
            "distinct_training_images": int(distinct),
            "history": history,
        },
    )


@steps.step(
    help="one run's mean and max ensembles of pool members, on its baseline's adversarials",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "adversarial.data", "adversarial.model", "adversarial.ensembles"),
    run=steps.run,
    data=In(MNIST),
    examples=In(EXAMPLES),
    baseline=In(f"{BASELINE}/weights.pt"),
    members=In(_member_weights, many=True),
    table=Out(f"{RUN}/ensembles.csv"),
    metrics=Out(f"{RUN}/ensembles.json"),
)
def ensemble(args, ctx) -> None:
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import predict_proba
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_examples, member_of
    from dlrepro.studies.adversarial.evaluate import (
        draw_subsets,
        evaluate_ensembles,
        stack_pool,
    )

    setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    x, y = d["x_test"], d["y_test"].numpy()
    x_adv = load_examples(args.examples, len(y))

    def probs(weights):  # weights-only loading: members may come from a remote cache
        model = _load(ctx, weights)
        return predict_proba(model, x), predict_proba(model, x_adv)

    members = {kind: [] for kind in KINDS}
    for path in args.members:
        kind, index = member_of(path)
        members[kind].append((index, probs(path)))
    stacked = {  # (clean, adversarial) probabilities [M, N, 10] of the whole pool, index order
        kind: tuple(stack_pool([(i, p[which]) for i, p in rows], kind) for which in (0, 1))
        for kind, rows in members.items()
    }
    # Each run's ensemble of size N is N members drawn at random without replacement from the
    # fixed pool of its kind (resampled subsets, not disjoint ones: disjoint subsets of 50 would
    # need a pool of R x 50 per kind). The run's spread then has both sides of the experiment:
    # which members, and which baseline made the adversarials. At the pool's size every run
    # uses the whole pool, so that size's spread comes from the attack side only.
    subsets = draw_subsets(
        {kind: len(clean) for kind, (clean, _) in stacked.items()},
        ctx.params["adversarial"]["ensembles"]["sizes"],
        lambda kind, n: run_seed(ctx.seed, STUDY, args.run, "subset", kind, str(n)),
    )
    table, metrics = evaluate_ensembles(stacked, probs(args.baseline), y, subsets)
    io.write_csv(args.table, table)
    io.write_json(args.metrics, metrics)


@steps.step(
    help="one run's pool of members on its baseline's FGSM images at other eps values",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "adversarial.data", "adversarial.model", "adversarial.ensemble_eps"),
    run=steps.run,
    data=In(MNIST),
    baseline=In(f"{BASELINE}/weights.pt"),
    ensembles=In(f"{RUN}/ensembles.json"),  # the run's subsets and best single member
    members=In(_member_weights, many=True),
    metrics=Out(f"{RUN}/ensemble_eps.json"),
)
def ensemble_eps(args, ctx) -> None:
    """Does the max ensemble gain at another attack strength? The post does not state its eps.
    Trains nothing: the fixed pool, the run's own subsets, FGSM made on the run's baseline."""
    from dlrepro.classifier.fgsm import fgsm
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import predict_proba
    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import member_of
    from dlrepro.studies.adversarial.evaluate import ensembles_at_eps, stack_pool

    setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    x, y = d["x_test"], d["y_test"].numpy()
    run = io.read_json(args.ensembles)
    baseline = _load(ctx, args.baseline)
    pool = [(*member_of(path), _load(ctx, path)) for path in args.members]
    eps_values = sorted(ctx.params["adversarial"]["ensemble_eps"]["eps"])
    by_eps = {}
    for eps in eps_values:
        x_adv = fgsm(baseline, x, None, eps)  # as the attack step makes them (it keeps one eps)
        rows = {kind: [] for kind in KINDS}
        for kind, index, model in pool:
            rows[kind].append((index, predict_proba(model, x_adv)))
        adv = {kind: stack_pool(r, kind) for kind, r in rows.items()}
        by_eps[f"{eps:g}"] = {
            "baseline": _acc(baseline, x_adv, d["y_test"]),
            **ensembles_at_eps(adv, y, run["subsets"], run["best_single"]["member"]),
        }
    io.write_json(args.metrics, {"eps": eps_values, "by_eps": by_eps})


@steps.step(
    help="one run's adversarials vs clean test images: nearest-neighbour distances, hidden layer",
    runtime=15,
    mem_mb=4000,
    params=("seed", "adversarial.data", "adversarial.model"),
    run=steps.run,
    data=In(MNIST),
    examples=In(EXAMPLES),
    weights=In(f"{BASELINE}/weights.pt"),
    metrics=Out(f"{RUN}/receding.json"),
)
def receding(args, ctx) -> None:
    """The t-SNE picture's claim as a number, on every test image of the run (receding.py)."""
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import hidden_features
    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_examples
    from dlrepro.studies.adversarial.receding import receding as measure

    setup(ctx)
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    model = _load(ctx, args.weights)
    clean = hidden_features(model, d["x_test"])
    adversarial = hidden_features(model, load_examples(args.examples, len(d["y_test"])))
    io.write_json(args.metrics, measure(clean, adversarial))


@steps.step(
    help="t-SNE of run 0's baseline's last hidden layer, normal and adversarial",
    runtime=30,
    mem_mb=4000,
    params=("seed", "adversarial.data", "adversarial.model", "adversarial.tsne"),
    data=In(MNIST),
    examples=In(EXAMPLES.format(run=0)),  # one picture: run 0's baseline and its adversarials
    weights=In(f"{BASELINE}/weights.pt".format(run=0)),
    out=Out("data/processed/adversarial/tsne.npz"),
)
def tsne(args, ctx) -> None:
    import numpy as np
    from sklearn.manifold import TSNE

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import hidden_features
    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.adversarial.data import load_examples

    setup(ctx)
    p = ctx.params["adversarial"]["tsne"]
    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    n = min(p["n"], len(d["y_test"]))  # a fixed subsample: the first n test images
    model = _load(ctx, args.weights)
    normal = hidden_features(model, d["x_test"][:n])
    adversarial = hidden_features(model, load_examples(args.examples, len(d["y_test"]))[:n])

    def embed(features, name):
        return (
            TSNE(
                perplexity=min(p["perplexity"], (len(features) - 1) / 3),
                init="pca",
                random_state=stream_seed(ctx.seed, "adversarial", "tsne", name) % 2**31,
            )
            .fit_transform(features)
            .astype(np.float32)
        )

    io.write_npz(
        args.out,
        normal=embed(normal, "normal"),
        adversarial=embed(adversarial, "adversarial"),
        both=embed(np.concatenate([normal, adversarial]), "both"),
        labels=d["y_test"][:n].numpy().astype(np.int64),
    )


@steps.step(
    help="results table, metrics.json over runs, post-vs-ours comparison",
    baseline=steps.each_run(f"{BASELINE}/metrics.json"),
    attack=steps.each_run(f"{RUN}/attack.json"),
    advtrain=steps.each_run(f"{ADVTRAIN}/metrics.json"),
    ensembles=steps.each_run(f"{RUN}/ensembles.json"),
    receding=steps.each_run(f"{RUN}/receding.json"),
    ensemble_eps=steps.each_run(f"{RUN}/ensemble_eps.json"),
    claims=CLAIMS,
    table=Out(f"{ADV}/table.csv"),
    summary=Out(f"{ADV}/metrics.json"),
    comparison=Out(f"{ADV}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.adversarial.compare import results_table, summarise

    sections = ("baseline", "attack", "advtrain", "ensembles", "receding", "ensemble_eps")
    per_run = [  # the files of run 0, 1, ... (each_run keeps run order)
        {s: io.read_json(path) for s, path in zip(sections, paths, strict=True)}
        for paths in zip(*(getattr(args, s) for s in sections), strict=True)
    ]
    summary = summarise(per_run)
    write_results(args, summary, results_table(summary), ctx.params)


@steps.step(
    help="samples (run 0), accuracy vs eps, ensembles vs N and vs eps over runs, t-SNE (run 0)",
    runtime=15,
    mem_mb=2000,
    params=("adversarial.data", "adversarial.attack.eps"),
    data=In(MNIST),
    examples=In(EXAMPLES.format(run=0)),
    sweep=steps.each_run(f"{RUN}/attack_sweep.csv"),
    ensembles=steps.each_run(f"{RUN}/ensembles.csv"),
    ensemble_eps=steps.each_run(f"{RUN}/ensemble_eps.json"),
    embedding=In("data/processed/adversarial/tsne.npz"),
    claims=CLAIMS,
    samples=Out(f"{ADV}/figures/samples.png", figure=True),
    sweep_figure=Out(f"{ADV}/figures/accuracy_vs_eps.png", figure=True),
    ensembles_figure=Out(f"{ADV}/figures/ensembles.png", figure=True),
    eps_figure=Out(f"{ADV}/figures/ensembles_vs_eps.png", figure=True),
    tsne=Out(f"{ADV}/figures/tsne.png", figure=True),
)
def figures(args, ctx) -> None:
    import pandas as pd

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.studies.adversarial import figures as fig

    d = load_mnist(args.data, ctx.params["adversarial"]["data"], train=False)
    examples = io.read_npz(args.examples, ("x_adv", "pred_clean", "pred_adv"))
    claims = load_claims(args.claims)
    fig.samples(
        d["x_test"], d["y_test"], examples, ctx.params["adversarial"]["attack"]["eps"], args.samples
    )
    fig.accuracy_vs_eps([pd.read_csv(p) for p in args.sweep], claims, args.sweep_figure)
    fig.ensembles([pd.read_csv(p) for p in args.ensembles], claims, args.ensembles_figure)
    eps = ctx.params["adversarial"]["attack"]["eps"]
    fig.ensembles_vs_eps([io.read_json(p) for p in args.ensemble_eps], eps, args.eps_figure)
    fig.tsne(io.read_npz(args.embedding, ("normal", "adversarial", "both", "labels")), args.tsne)
