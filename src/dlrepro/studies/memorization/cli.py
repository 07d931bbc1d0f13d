"""Steps of the memorization study ("Understanding deep learning requires rethinking
generalization", post 003): one job per training-set setting (labels_<percent> random,
gaussian_pixels) and run seed, each trained until it is fit or its epoch budget ends; one job
per fixed-budget variant (no stop rule: with and without explicit regularisers, random labels,
random pixels) and run seed; Zhang et al.'s 2n + d construction over the run seeds -> table and
comparison over the runs -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps, Wildcard

STUDY = "memorization"
steps = Steps(STUDY)
MEM = "results/memorization"
RUN = f"{MEM}/runs/{{setting}}/{{run}}"
FIXED = f"{MEM}/fixed_budget/{{variant}}/{{run}}"
CONSTRUCTION = f"{MEM}/construction.json"


def _settings(config: dict) -> list[str]:
    """The training sets a build fits: one per corrupted-label percent, then random pixels."""
    percents = config[STUDY]["corrupted_percents"]
    return [f"labels_{p}" for p in percents] + ["gaussian_pixels"]


def _run_metrics(wildcards, config) -> list[str]:
    """Every (setting, run)'s metrics.json, settings outer, runs in order."""
    runs = range(config[STUDY]["runs"])
    return [f"{RUN}/metrics.json".format(setting=s, run=r) for s in _settings(config) for r in runs]


def _variants(config: dict) -> list[str]:
    """The fixed-budget variants a build trains (params fixed_budget.variants, in order)."""
    return list(config[STUDY]["fixed_budget"]["variants"])


def _fixed_metrics(wildcards, config) -> list[str]:
    """Every (variant, run)'s fixed-budget metrics.json, variants outer, runs in order."""
    runs = range(config[STUDY]["runs"])
    return [
        f"{FIXED}/metrics.json".format(variant=v, run=r) for v in _variants(config) for r in runs
    ]


def _fixed_params(wildcards, config) -> tuple[str, ...]:
    # the variant's own block only: adding or changing a variant reruns no other variant
    return (
        "seed",
        "device",
        "memorization.data",
        "memorization.model",
        "memorization.training.batch_size",
        "memorization.training.lr",
        f"memorization.fixed_budget.variants.{wildcards.variant}",
    )


@steps.step(
    help="train the MLP on one corrupted training set until it is fit (or the epoch budget ends)",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=(
        "seed",
        "device",
        "memorization.data",
        "memorization.model",
        "memorization.training",
        "memorization.fit_threshold",
    ),
    setting=Wildcard(pattern=r"labels_\d+|gaussian_pixels", values=_settings),
    run=steps.run,
    data=In(MNIST),
    metrics=Out(f"{RUN}/metrics.json"),
)
def fit(args, ctx) -> None:
    import numpy as np
    import torch

    from dlrepro.classifier.fully_connected import fully_connected
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import accuracy, predict_proba, train_classifier
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.memorization.data import corrupt_labels, gaussian_pixels, percent_of

    device = setup(ctx)
    p = ctx.params["memorization"]
    d = load_mnist(args.data, p["data"])
    x, y = d["x_train"], d["y_train"].numpy()
    percent = percent_of(args.setting)

    def rng(*names):  # a run draws its own corruption, per named stream
        return np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, *names))

    replaced = 0
    if percent is None:  # random pixels, the real labels (now unrelated to the images)
        x = gaussian_pixels(x, rng("pixels"))
    else:  # one named stream per level: adding a level never changes another's labels
        y, mask = corrupt_labels(y, percent / 100, rng("labels", str(percent)))
        replaced = int(mask.sum())
    y = torch.from_numpy(y)
    # run r: the same initialisation and batch order for every setting, so only the data differ
    seed = run_seed(ctx.seed, STUDY, args.run, "train")
    torch.manual_seed(seed)
    m = p["model"]
    model = fully_connected(784, m["depth"], m["width"], "relu", out_features=10)
    curve = []

    def on_epoch(epoch, model):
        """Accuracy on the (corrupted) training set at the epoch's end, eval mode; stop once it
        reaches the threshold."""
        fit_acc = accuracy(predict_proba(model, x).argmax(1), y.numpy())
        test_acc = accuracy(predict_proba(model, d["x_test"]).argmax(1), d["y_test"].numpy())
        curve.append({"epoch": epoch, "train_acc": fit_acc, "test_acc": test_acc})
        return fit_acc >= p["fit_threshold"]

    history = train_classifier(
        model,
        x,
        y,
        **p["training"],
        seed=seed,
        device=device,
        desc=f"memorization-{args.setting}-{args.run}",
        on_epoch=on_epoch,
    )
    for row, point in zip(history, curve):
        row.update(running_train_acc=row.pop("train_acc"), **point)
    last = curve[-1]
    io.write_json(
        args.metrics,
        {
            "setting": args.setting,
            "run": args.run,
            "corrupted_percent": percent,
            "replaced_labels": replaced,
            "n_train": len(y),
            "n_test": len(d["y_test"]),
            "fitted": last["train_acc"] >= p["fit_threshold"],
            # epochs to reach the threshold; None when the budget ran out first
            "epochs_to_fit": last["epoch"] if last["train_acc"] >= p["fit_threshold"] else None,
            "epochs_run": last["epoch"],
            "train_acc": last["train_acc"],
            "test_acc": last["test_acc"],
            "history": history,
        },
    )


@steps.step(
    help="train the same MLP for a fixed number of epochs (no stop rule): real labels with or "
    "without explicit regularisers, random labels or random pixels",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=_fixed_params,
    variant=Wildcard(pattern=r"[a-z][a-z0-9_]*", values=_variants),
    run=steps.run,
    data=In(MNIST),
    metrics=Out(f"{FIXED}/metrics.json"),
)
def fixed_budget(args, ctx) -> None:
    import numpy as np
    import torch

    from dlrepro.classifier.fully_connected import fully_connected
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import accuracy, predict_proba, train_classifier
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.errors import DlreproError
    from dlrepro.studies.memorization.data import corrupt_labels, gaussian_pixels
    from dlrepro.studies.memorization.regularise import add_weight_decay, with_regularisers

    device = setup(ctx)
    p = ctx.params["memorization"]
    variants = p["fixed_budget"]["variants"]
    if args.variant not in variants:
        raise DlreproError(f"memorization: no fixed-budget variant {args.variant!r} in params")
    v = variants[args.variant]
    d = load_mnist(args.data, p["data"])
    x, y = d["x_train"], d["y_train"].numpy()

    def rng(*names):  # the fit step's streams: run r draws the same noise and labels there
        return np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, *names))

    if v["data"] == "gaussian_pixels":
        x = gaussian_pixels(x, rng("pixels"))
    elif v["data"] == "random_labels":  # every label replaced, as the fit step's labels_100
        y, _ = corrupt_labels(y, 1.0, rng("labels", "100"))
    y = torch.from_numpy(y)
    # run r: the fit step's initialisation and batch order, so the unregularised variants
    # retrace that run's fit jobs epoch by epoch, then train on past their stop
    seed = run_seed(ctx.seed, STUDY, args.run, "train")
    torch.manual_seed(seed)
    m = p["model"]
    model = fully_connected(784, m["depth"], m["width"], "relu", out_features=10)
    model = with_regularisers(model, dropout=v["dropout"], max_shift=v["max_shift"])
    add_weight_decay(model, v["weight_decay"])
    history = train_classifier(
        model,
        x,
        y,
        epochs=v["epochs"],
        batch_size=p["training"]["batch_size"],
        lr=p["training"]["lr"],
        seed=seed,
        device=device,
        desc=f"memorization-{args.variant}-{args.run}",
    )
    # measured once, after the last epoch, in eval mode (no dropout, no shifts): no stop rule
    train_acc = accuracy(predict_proba(model, x).argmax(1), y.numpy())
    test_acc = accuracy(predict_proba(model, d["x_test"]).argmax(1), d["y_test"].numpy())
    io.write_json(
        args.metrics,
        {
            "variant": args.variant,
            "run": args.run,
            **v,
            "n_train": len(y),
            "n_test": len(d["y_test"]),
            "train_acc": train_acc,
            "test_acc": test_acc,
            "history": history,
        },
    )


@steps.step(
    help="Zhang et al.'s 2n + d construction: a two-layer ReLU net that fits random labels of n "
    "MNIST images exactly, once per run seed",
    runtime=5,
    mem_mb=2000,
    params=("seed", "memorization.runs", "memorization.construction"),
    data=In(MNIST),
    out=Out(CONSTRUCTION),
)
def construct(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.studies.memorization.construction import fit_report
    from dlrepro.studies.memorization.data import N_CLASSES

    p = ctx.params["memorization"]
    n = p["construction"]["n"]
    x = io.read_npz(args.data, ("x_train",))["x_train"][:n].reshape(n, -1) / 255.0
    reports = []
    for run in range(p["runs"]):
        rng = np.random.default_rng(run_seed(ctx.seed, STUDY, run, "construction"))
        labels = rng.integers(0, N_CLASSES, size=n).astype(np.float64)  # arbitrary labels
        reports.append({"run": run, **fit_report(x, labels, rng)})
    io.write_json(args.out, {"runs": reports})


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    params=("memorization.training.epochs", "memorization.fit_threshold"),
    runs=In(_run_metrics, many=True),
    fixed=In(_fixed_metrics, many=True),
    construction=In(CONSTRUCTION),
    claims=steps.claims,
    table=Out(f"{MEM}/table.csv"),
    summary=Out(f"{MEM}/metrics.json"),
    comparison=Out(f"{MEM}/comparison.csv"),
    fixed_table=Out(f"{MEM}/fixed_budget.csv"),
    construction_table=Out(f"{MEM}/construction.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.memorization.summary import (
        construction_table,
        fixed_budget_table,
        results_table,
        summarise,
        summarise_construction,
        summarise_fixed_budget,
    )

    result = summarise([io.read_json(path) for path in args.runs], ctx.params["memorization"])
    result["fixed_budget"], result["regularisation"] = summarise_fixed_budget(
        [io.read_json(path) for path in args.fixed]
    )
    result["construction"] = summarise_construction(io.read_json(args.construction)["runs"])
    io.write_csv(args.fixed_table, fixed_budget_table(result["fixed_budget"]))
    io.write_csv(args.construction_table, construction_table(result["construction"]))
    write_results(args, result, results_table(result), ctx.params)


@steps.step(
    help="accuracy and epochs to fit vs corruption; learning curves (bands over runs)",
    runtime=5,
    runs=In(_run_metrics, many=True),
    accuracy=Out(f"{MEM}/figures/accuracy_vs_corruption.png", figure=True),
    curves=Out(f"{MEM}/figures/learning_curves.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.memorization import figures as fig

    runs = [io.read_json(path) for path in args.runs]
    fig.accuracy_vs_corruption(runs, args.accuracy)
    fig.learning_curves(runs, args.curves)
