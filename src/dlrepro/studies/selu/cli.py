"""Steps of the SELU study ("Paper Review: Self-Normalizing Neural Networks", post 003):
activation mean and variance per layer at init (every variant, one job per run seed) -> one
MNIST training job per (variant, run seed) -> table and comparison over the runs (+ timings kept
apart: results/selu/timing.json) -> figures. Timing: one job per run seed times ReLU+BN and SELU
epochs interleaved in one process -> the timing claim judged over runs (timing_comparison.csv);
wall time is never hashed."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps, Wildcard

TRAINED = ("selu", "relu", "relu_bn")  # the MNIST comparison the post asks for (+ plain ReLU)

STUDY = "selu"
steps = Steps(STUDY)
SELU = "results/selu"
ACTIVATIONS = f"{SELU}/activations/{{run}}.json"
MODEL = f"{SELU}/models/{{variant}}/{{run}}"
INTERLEAVED = f"{SELU}/timing/{{run}}.json"


def _run_files(name: str):
    """fn(wildcards, config): every (variant, run)'s `name`, variants outer, runs in order."""

    def files(wildcards, config) -> list[str]:
        runs = range(config[STUDY]["runs"])
        return [f"{MODEL}/{name}".format(variant=v, run=r) for v in TRAINED for r in runs]

    return files


@steps.step(
    help="activation mean/variance per layer at init under one run seed, every variant, "
    "N(0,1) and standardised MNIST inputs",
    runtime=10,
    mem_mb=2000,
    params=("seed", "selu.activations"),
    run=steps.run,
    data=In(MNIST),
    out=Out(ACTIVATIONS),
)
def activations(args, ctx) -> None:
    import torch

    from dlrepro.classifier.fully_connected import fully_connected
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.selu.data import standardised_mnist
    from dlrepro.studies.selu.models import VARIANTS, layer_statistics

    setup(ctx)
    p = ctx.params["selu"]["activations"]
    n = p["samples"]
    # a run draws its own weights and Gaussian inputs; the MNIST images are the same n every run
    g = torch.Generator().manual_seed(run_seed(ctx.seed, STUDY, args.run, "gaussian_inputs"))
    inputs = {
        "gaussian": torch.randn(n, p["width"], generator=g),
        "mnist": standardised_mnist(args.data, {"train_size": 60000, "test_size": n})["x_test"],
    }
    result = {}
    for source, x in inputs.items():
        for variant in VARIANTS:
            # the same seed for every variant: the nets differ only in what the variant changes
            torch.manual_seed(run_seed(ctx.seed, STUDY, args.run, "activations", source))
            model = fully_connected(
                x[0].numel(), p["depth"], p["width"], variant, dropout=p["dropout"]
            ).train()  # train mode: dropout, BN on
            result.setdefault(source, {})[variant] = summarise(layer_statistics(model, x))
    io.write_json(
        args.out,
        {
            "run": args.run,
            "depth": p["depth"],
            "width": p["width"],
            "samples": n,
            "dropout": p["dropout"],
            "statistics": result,
        },
    )


def summarise(stats: dict) -> dict:
    """Per-layer lists plus the last layer's distance from the (0, 1) fixed point and the drift
    of the variance from the first hidden layer to the last (|ln var_L / var_1|)."""
    import math

    mean, var = stats["mean"][-1], stats["var"][-1]
    return {
        **stats,
        "last_mean": mean,
        "last_var": var,
        "deviation": max(abs(mean), abs(var - 1.0)),
        "variance_drift": abs(math.log(var / stats["var"][0])),
    }


# wall-clock seconds differ run to run: timing.json is kept out of the deterministic results
@steps.step(
    help="train one deep FC variant on MNIST under one run seed; test accuracy, layer statistics",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "device", "selu.training"),
    variant=Wildcard(choices=TRAINED),
    run=steps.run,
    data=In(MNIST),
    metrics=Out(f"{MODEL}/metrics.json"),
    timing=Out(f"{MODEL}/timing.json", hashed=False),
)
def train(args, ctx) -> None:
    import time

    import torch

    from dlrepro.classifier.fully_connected import fully_connected
    from dlrepro.classifier.train import accuracy, predict_proba, train_classifier
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup, trainable_parameters
    from dlrepro.studies.selu.data import standardised_mnist
    from dlrepro.studies.selu.models import layer_statistics

    device = setup(ctx)
    p = ctx.params["selu"]["training"]
    d = standardised_mnist(args.data, p["data"])
    # run r: one batch order for every variant (paired runs), each variant its own init
    seed = run_seed(ctx.seed, STUDY, args.run, "train")
    torch.manual_seed(run_seed(ctx.seed, STUDY, args.run, "train", args.variant))
    model = fully_connected(784, p["depth"], p["width"], args.variant, out_features=10)
    probe = d["x_test"][: p["probe"]]

    def stats():
        model.eval()
        return summarise(layer_statistics(model.cpu(), probe))

    at_init = stats()
    seconds, test_acc, clock = [], [], [time.perf_counter()]

    def on_epoch(epoch, model):
        seconds.append(time.perf_counter() - clock[0])
        test_acc.append(accuracy(predict_proba(model, d["x_test"]).argmax(1), d["y_test"].numpy()))
        clock[0] = time.perf_counter()  # the test evaluation is not counted as training time

    history = train_classifier(
        model,
        d["x_train"],
        d["y_train"],
        epochs=p["epochs"],
        batch_size=p["batch_size"],
        lr=p["lr"],
        seed=seed,
        device=device,
        desc=f"selu-{args.variant}-{args.run}",
        on_epoch=on_epoch,
    )
    for row, acc in zip(history, test_acc):
        row["test_acc"] = acc
    model.cpu()
    io.write_json(
        args.metrics,
        {
            "variant": args.variant,
            "run": args.run,
            "test_acc": test_acc[-1],
            "train_acc": history[-1]["train_acc"],
            "history": history,
            "parameters": trainable_parameters(model),
            "n_train": len(d["y_train"]),
            "n_test": len(d["y_test"]),
            "statistics_init": at_init,
            "statistics_trained": stats(),
        },
    )
    io.write_json(
        args.timing,
        {
            "variant": args.variant,
            "run": args.run,
            "device": ctx.device,
            "threads": ctx.threads,
            "seconds_per_epoch": seconds,
        },
    )


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison; timings over runs",
    runtime=5,
    activations=steps.each_run(ACTIVATIONS),
    runs=In(_run_files("metrics.json"), many=True),
    timings=In(_run_files("timing.json"), many=True, hashed=False),
    claims=steps.claims,
    table=Out(f"{SELU}/table.csv"),
    summary=Out(f"{SELU}/metrics.json"),
    comparison=Out(f"{SELU}/comparison.csv"),
    timing_out=Out(f"{SELU}/timing.json", hashed=False),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.selu.tables import results_table, summarise_runs, summarise_timings

    result = summarise_runs(
        [io.read_json(p) for p in args.activations], [io.read_json(p) for p in args.runs]
    )
    write_results(args, result, results_table(result), ctx.params)
    io.write_json(args.timing_out, summarise_timings([io.read_json(p) for p in args.timings]))


@steps.step(
    help="mean and variance vs depth; training curves (bands over runs)",
    runtime=5,
    activations=steps.each_run(ACTIVATIONS),
    runs=In(_run_files("metrics.json"), many=True),
    depth=Out(f"{SELU}/figures/depth_profiles.png", figure=True),
    training=Out(f"{SELU}/figures/training.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.selu import figures as fig

    runs = [io.read_json(p) for p in args.runs]
    fig.depth_profiles([io.read_json(p) for p in args.activations], runs, args.depth)
    fig.training(runs, args.training)


@steps.step(
    help="seconds per training epoch, ReLU+BN and SELU interleaved in one process (one run seed)",
    gpu=True,
    runtime=5,
    mem_mb=4000,
    params=("seed", "device", "selu.training", "selu.timing"),
    run=steps.run,
    data=In(MNIST),
    out=Out(INTERLEAVED, hashed=False),
)
def time_epochs(args, ctx) -> None:
    import torch

    from dlrepro.classifier.fully_connected import fully_connected
    from dlrepro.classifier.train import train_classifier
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.selu.data import standardised_mnist
    from dlrepro.studies.selu.timing import TIMED, interleaved_epoch_seconds

    device = setup(ctx)
    p, t = ctx.params["selu"]["training"], ctx.params["selu"]["timing"]
    d = standardised_mnist(args.data, p["data"])
    # on the device once, so that no epoch pays for the copy
    x, y = d["x_train"].to(device), d["y_train"].to(device)
    models = {}
    for v in TIMED:  # the training jobs' nets, under this run's own seeds
        torch.manual_seed(run_seed(ctx.seed, STUDY, args.run, "timing", v))
        models[v] = fully_connected(784, p["depth"], p["width"], v, out_features=10).to(device)

    def epoch(variant):
        # one epoch of the training jobs' loop; round i: the same batch order for both variants
        return lambda i: train_classifier(
            models[variant], x, y, epochs=1, batch_size=p["batch_size"], lr=p["lr"],
            seed=run_seed(ctx.seed, STUDY, args.run, "timing", str(i)), device=device,
            desc=f"selu-timing-{variant}-{args.run}",
        )  # fmt: skip

    timed = interleaved_epoch_seconds({v: epoch(v) for v in TIMED}, t["epochs"], t["warmup"])
    io.write_json(
        args.out,
        {"run": args.run, "device": ctx.device, "threads": ctx.threads, "n_train": len(y), **timed},
    )


@steps.step(
    help="the timing claim over runs: SELU / ReLU+BN seconds per interleaved epoch",
    runtime=5,
    timings=In(steps.each_run(INTERLEAVED).path, many=True, hashed=False),
    claims=steps.claims,
    summary=Out(f"{SELU}/timing_interleaved.json", hashed=False),
    comparison=Out(f"{SELU}/timing_comparison.csv", hashed=False),
)
def compare_timing(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import compare as judge
    from dlrepro.core.claims import load_claims
    from dlrepro.studies.selu.timing import summarise_interleaved, timing_claims

    summary = summarise_interleaved([io.read_json(p) for p in args.timings])
    io.write_json(args.summary, summary)
    claims = timing_claims(load_claims(args.claims))
    io.write_csv(args.comparison, judge(claims, {"timing": summary}, ctx.params))
