"""Steps of the random_dilation study (BesNet, "Random Dilation Networks for Action Recognition
in Videos"): synthetic video-action set (context classes and motion classes) -> 2D bottleneck
net pretrained on frames -> one job per (variant, run seed): inflated 3D nets with no / 2 /
random temporal dilation, and the frame-feature MLP, each tested on the clips as they are and
with their frames shuffled -> every run per variant (mean, sd, runs) and the post's claims,
judged against the run-to-run noise."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps, Wildcard
from dlrepro.studies.random_dilation.variants import VARIANTS

STUDY = "random_dilation"
steps = Steps(STUDY)
RD = "results/random_dilation"
DATA = "data/processed/random_dilation/videos.npz"
CLAIMS = steps.claims
PRETRAINED = f"{RD}/pretrain/weights.pt"
RUN = f"{RD}/runs/{{variant}}/{{run}}"
MODEL = ("seed", "device", "random_dilation.data", "random_dilation.model")


def _run_metrics(wildcards, config) -> list[str]:
    """Every variant x run's metrics.json, variants outer, runs in order (as the steps read
    them); runs come from params `random_dilation.runs`, each seed shared by every variant."""
    runs = range(config[STUDY]["runs"])
    return [f"{RUN}/metrics.json".format(variant=v, run=r) for v in VARIANTS for r in runs]


def _training_params(wildcards, config) -> tuple[str, ...]:
    section = "frame_mlp" if wildcards.variant == "frame_mlp" else "training"
    return (*MODEL, "random_dilation.pretrain", f"random_dilation.{section}")


def _p(ctx) -> dict:
    return ctx.params[STUDY]


@steps.step(
    help="the synthetic video-action set (train/val/test)",
    params=("seed", "random_dilation.data"),
    out=Out(DATA),
)
def generate(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.random_dilation.data import generate as make

    io.write_npz(args.out, **make(ctx.seed, _p(ctx)["data"]))


def _frame_net(ctx):
    from dlrepro.studies.random_dilation.data import FRAME_TARGETS
    from dlrepro.studies.random_dilation.models import FrameNet

    return FrameNet(**_p(ctx)["model"], n_out=FRAME_TARGETS)


def _frames(path, split: str, size: int, limit: int | None = None):
    """Single frames of a split with their frame-level target (object shown, blob cell), the
    first `limit` of a fixed seeded shuffle (so pretraining sees frames of many clips)."""
    import numpy as np
    import torch

    from dlrepro.studies.random_dilation.data import frame_targets, load

    x, y, _, centres = load(path, split)
    n, _, t, h, w = x.shape
    frames = x.transpose(1, 2).reshape(n * t, 1, h, w)
    targets = torch.from_numpy(frame_targets(centres, y.numpy(), size).reshape(-1))
    idx = torch.from_numpy(np.random.default_rng(0).permutation(n * t)[:limit])
    return frames[idx], targets[idx]


@steps.step(
    help="the 2D bottleneck net on single frames (object shown, blob position cell)",
    gpu=True,
    runtime=15,
    mem_mb=2000,
    params=(*MODEL, "random_dilation.pretrain"),
    data=In(DATA),
    weights=Out(PRETRAINED),
    metrics=Out(f"{RD}/pretrain/metrics.json"),
)
def pretrain(args, ctx) -> None:
    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import save_weights, setup, trainable_parameters
    from dlrepro.studies.random_dilation.train import accuracy, fit

    device = setup(ctx)
    p = _p(ctx)
    size = p["data"]["size"]
    x, y = _frames(args.data, "train", size, p["pretrain"]["frames"])
    x_val, y_val = _frames(args.data, "val", size)
    seed = stream_seed(ctx.seed, STUDY, "pretrain")
    torch.manual_seed(seed)
    net = _frame_net(ctx)
    history = fit(net, x, y, x_val, y_val, p["pretrain"], seed, device, "pretrain")
    save_weights(args.weights, net)
    io.write_json(
        args.metrics,
        {
            "frames": len(y),
            "val_frame_acc": accuracy(net, x_val, y_val),
            "parameters": trainable_parameters(net),
            "history": history,
        },
    )


@steps.step(
    help="one variant under one run seed; test accuracy per stride and class group, shuffled",
    gpu=True,
    runtime=30,
    mem_mb=2000,
    params=_training_params,
    variant=Wildcard(choices=VARIANTS),
    run=steps.run,
    data=In(DATA),
    pretrained=In(PRETRAINED),
    weights=Out(f"{RUN}/weights.pt"),
    metrics=Out(f"{RUN}/metrics.json"),
)
def train(args, ctx) -> None:
    import torch

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import load_weights, save_weights, setup, trainable_parameters
    from dlrepro.studies.random_dilation.data import CLASSES, load
    from dlrepro.studies.random_dilation.models import BesNet, FrameMLP, frame_features, inflate
    from dlrepro.studies.random_dilation.train import (
        evaluate,
        fit,
        frame_orders,
        single_dilation_accuracy,
    )
    from dlrepro.studies.random_dilation.variants import VARIANT_DILATION

    device = setup(ctx)
    p = _p(ctx)
    splits = {s: load(args.data, s) for s in ("train", "val", "test")}
    net2d = load_weights(args.pretrained, _frame_net(ctx))
    # one seed per run, shared by every variant (same head init and batch order: paired runs)
    seed = run_seed(ctx.seed, STUDY, args.run)
    torch.manual_seed(seed)
    extra = {}
    if args.variant == "frame_mlp":
        inputs = {s: frame_features(net2d, d[0]) for s, d in splits.items()}
        model = FrameMLP(p["model"]["width"], p["frame_mlp"]["hidden"], len(CLASSES))
        training = p["frame_mlp"]
    else:
        inputs = {s: d[0] for s, d in splits.items()}
        model = BesNet(
            **p["model"], n_classes=len(CLASSES), dilation=VARIANT_DILATION[args.variant]
        )
        model.features.load_state_dict(inflate(net2d.features.state_dict()))
        model.set_generator(
            torch.Generator().manual_seed(run_seed(ctx.seed, STUDY, args.run, "dilation"))
        )
        training = p["training"]
    (_, y, _, _), (_, y_val, _, _), (_, y_test, stride_test, _) = splits.values()
    history = fit(
        model,
        inputs["train"],
        y,
        inputs["val"],
        y_val,
        training,
        seed,
        device,
        f"{args.variant}-{args.run}",
    )
    if args.variant == "random_dilation":
        extra["test_acc_single_dilation"] = single_dilation_accuracy(model, inputs["test"], y_test)
        extra["dilations_drawn"] = {
            str(d): sum(c.drawn.count(d) for c in model.temporal_convs()) for d in (1, 2)
        }
    # one shuffled order per test clip, the same for every variant and run (paired)
    n_test, _, frames = splits["test"][0].shape[:3]
    orders = frame_orders(n_test, frames, stream_seed(ctx.seed, STUDY, "shuffle"))
    save_weights(args.weights, model)
    io.write_json(
        args.metrics,
        {
            "variant": args.variant,
            "run": args.run,
            "parameters": trainable_parameters(model),
            **evaluate(model, inputs["test"], y_test, stride_test, orders),
            "history": history,
            **extra,
        },
    )


@steps.step(
    help="every run per variant (mean, sd, runs), metrics.json, post-vs-ours",
    runs=In(_run_metrics, many=True),
    pretrain=In(f"{RD}/pretrain/metrics.json"),
    claims=CLAIMS,
    table=Out(f"{RD}/table.csv"),
    summary=Out(f"{RD}/metrics.json"),
    comparison=Out(f"{RD}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.random_dilation.compare import summarise

    table, summary = summarise([io.read_json(path) for path in args.runs])
    summary["pretrain"] = {k: v for k, v in io.read_json(args.pretrain).items() if k != "history"}
    write_results(args, summary, table, ctx.params)


@steps.step(
    help="sample clips, accuracy per variant, per stride, per class group, learning curves",
    data=In(DATA),
    summary=In(f"{RD}/metrics.json"),
    runs=In(_run_metrics, many=True),
    claims=CLAIMS,
    samples=Out(f"{RD}/figures/samples.png", figure=True),
    accuracy=Out(f"{RD}/figures/accuracy.png", figure=True),
    strides=Out(f"{RD}/figures/accuracy_by_stride.png", figure=True),
    groups=Out(f"{RD}/figures/accuracy_by_group.png", figure=True),
    curves=Out(f"{RD}/figures/learning_curves.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.random_dilation import figures as fig
    from dlrepro.studies.random_dilation.data import KEYS

    data = io.read_npz(args.data, KEYS)
    summary = io.read_json(args.summary)
    runs = [io.read_json(path) for path in args.runs]
    fig.samples(data, args.samples)
    from dlrepro.core.claims import load_claims

    fig.accuracy(summary, load_claims(args.claims), args.accuracy)
    fig.by_stride(summary, args.strides)
    fig.by_group(summary, args.groups)
    fig.learning_curves(runs, args.curves)
