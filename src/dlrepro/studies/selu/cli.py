"""Steps of the SELU study, as `dlrepro selu <step>` sub-commands (one per rule)."""

from __future__ import annotations

from dlrepro.core.step import IN as I, INS, OUT as O, add_step

TRAINED = ("selu", "relu", "relu_bn")  # the MNIST comparison the post asks for (+ plain ReLU)


def add_steps(steps) -> None:
    def step(name, help, func, **files):
        return add_step(steps, name, help, func, **files)

    step("activations", "activation mean/variance per layer at init, every variant, "
         "N(0,1) and standardised MNIST inputs", activations, data=I, out=O)
    p = step("train", "train one deep FC variant on MNIST; test accuracy, layer statistics",
             train, data=I, metrics=O)
    p.add_argument("--variant", choices=TRAINED, required=True)
    # wall-clock seconds differ run to run: written to a file outside provenance hashing
    p.add_argument("--timing", required=True, help="seconds per epoch (JSON; not hashed)")
    p = step("compare", "table, metrics.json, post-vs-ours comparison", compare,
             activations=I, runs=INS, claims=I, table=O, summary=O, comparison=O)
    p.add_argument("--timings", nargs="+", required=True, help="the runs' timing files (not hashed)")
    p.add_argument("--timing-out", required=True, help="collected timings (JSON; not hashed)")
    step("figures", "mean and variance vs depth; training curves", figures,
         activations=I, runs=INS, depth=O, training=O)


def activations(args, ctx) -> None:
    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.selu.data import standardised_mnist
    from dlrepro.studies.selu.models import VARIANTS, fully_connected, layer_statistics

    setup(ctx)
    p = ctx.params["selu"]["activations"]
    n = p["samples"]
    g = torch.Generator().manual_seed(stream_seed(ctx.seed, "selu", "gaussian_inputs"))
    inputs = {"gaussian": torch.randn(n, p["width"], generator=g),
              "mnist": standardised_mnist(args.data, {"train_size": 60000, "test_size": n})["x_test"]}
    result = {}
    for source, x in inputs.items():
        for variant in VARIANTS:
            # the same seed for every variant: the nets differ only in what the variant changes
            torch.manual_seed(stream_seed(ctx.seed, "selu", "activations", source))
            model = fully_connected(x[0].numel(), p["depth"], p["width"], variant,
                                    dropout=p["dropout"]).train()  # train mode: dropout, BN on
            result.setdefault(source, {})[variant] = summarise(layer_statistics(model, x))
    io.write_json(args.out, {"depth": p["depth"], "width": p["width"], "samples": n,
                             "dropout": p["dropout"], "statistics": result})


def summarise(stats: dict) -> dict:
    """Per-layer lists plus the last layer's distance from the (0, 1) fixed point and the drift
    of the variance from the first hidden layer to the last (|ln var_L / var_1|)."""
    import math

    mean, var = stats["mean"][-1], stats["var"][-1]
    return {**stats, "last_mean": mean, "last_var": var,
            "deviation": max(abs(mean), abs(var - 1.0)),
            "variance_drift": abs(math.log(var / stats["var"][0]))}


def train(args, ctx) -> None:
    import time

    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import setup, trainable_parameters
    from dlrepro.studies.adversarial.ensemble import accuracy
    from dlrepro.studies.adversarial.train import predict_proba, train_classifier
    from dlrepro.studies.selu.data import standardised_mnist
    from dlrepro.studies.selu.models import fully_connected, layer_statistics

    device = setup(ctx)
    p = ctx.params["selu"]["training"]
    d = standardised_mnist(args.data, p["data"])
    seed = stream_seed(ctx.seed, "selu", "train")  # same batch order for every variant
    torch.manual_seed(stream_seed(ctx.seed, "selu", "train", args.variant))
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

    history = train_classifier(model, d["x_train"], d["y_train"], epochs=p["epochs"],
                               batch_size=p["batch_size"], lr=p["lr"], seed=seed, device=device,
                               desc=f"selu-{args.variant}", on_epoch=on_epoch)
    for row, acc in zip(history, test_acc):
        row["test_acc"] = acc
    model.cpu()
    io.write_json(args.metrics, {"variant": args.variant, "test_acc": test_acc[-1],
                                 "train_acc": history[-1]["train_acc"], "history": history,
                                 "parameters": trainable_parameters(model),
                                 "n_train": len(d["y_train"]), "n_test": len(d["y_test"]),
                                 "statistics_init": at_init, "statistics_trained": stats()})
    io.write_json(args.timing, {"variant": args.variant, "device": ctx.device,
                                "threads": ctx.threads, "seconds_per_epoch": seconds})


def compare(args, ctx) -> None:
    import statistics

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.selu.tables import results_table

    acts = io.read_json(args.activations)
    runs = {r["variant"]: r for r in map(io.read_json, args.runs)}
    result = {"activations": {src: {v: {k: s[k] for k in ("last_mean", "last_var", "deviation",
                                                          "variance_drift")}
                                    for v, s in by_variant.items()}
                              for src, by_variant in acts["statistics"].items()},
              "training": {v: {k: r[k] for k in ("test_acc", "train_acc", "parameters")}
                           | {"trained_deviation": r["statistics_trained"]["deviation"]}
                           for v, r in sorted(runs.items())}}
    write_results(args, result, results_table(result), ctx.params)
    timings = {t["variant"]: t for t in map(io.read_json, args.timings)}
    io.write_json(args.timing_out, {v: {"median_seconds_per_epoch": statistics.median(t["seconds_per_epoch"]),
                                        **t} for v, t in sorted(timings.items())})


def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.selu import figures as fig

    runs = {r["variant"]: r for r in map(io.read_json, args.runs)}
    fig.depth_profiles(io.read_json(args.activations), runs, args.depth)
    fig.training(runs, args.training)
