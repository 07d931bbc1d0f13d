"""Steps of the memorization study ("Understanding deep learning requires rethinking
generalization", post 003): one job per training-set setting (labels_<percent> random,
gaussian_pixels) and run seed, each trained until it is fit or its epoch budget ends -> table
and comparison over the runs -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps, Wildcard

STUDY = "memorization"
steps = Steps(STUDY)
MEM = "results/memorization"
RUN = f"{MEM}/runs/{{setting}}/{{run}}"


def _settings(config: dict) -> list[str]:
    """The training sets a build fits: one per corrupted-label percent, then random pixels."""
    percents = config[STUDY]["corrupted_percents"]
    return [f"labels_{p}" for p in percents] + ["gaussian_pixels"]


def _run_metrics(wildcards, config) -> list[str]:
    """Every (setting, run)'s metrics.json, settings outer, runs in order."""
    runs = range(config[STUDY]["runs"])
    return [f"{RUN}/metrics.json".format(setting=s, run=r) for s in _settings(config) for r in runs]


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
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    params=("memorization.training.epochs", "memorization.fit_threshold"),
    runs=In(_run_metrics, many=True),
    claims=steps.claims,
    table=Out(f"{MEM}/table.csv"),
    summary=Out(f"{MEM}/metrics.json"),
    comparison=Out(f"{MEM}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.memorization.summary import results_table, summarise

    result = summarise([io.read_json(path) for path in args.runs], ctx.params["memorization"])
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
