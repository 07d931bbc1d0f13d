"""Steps of the kernels study ("Visualizing convolution kernels", post 002): a small MNIST CNN
with two stacked 3x3 convs, one job per run seed (conv1 snapshotted at init and every epoch) ->
kernel statistics over the runs + comparison -> kernel pictures of run 0 (raw, effective 5x5,
conv1 GIF) and of the slash study's trained vanilla_cnn (its run 0)."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps

STUDY = "kernels"
steps = Steps(STUDY)
KER = "results/kernels"
MODEL = ("seed", "kernels.data", "kernels.model")
RUN = f"{KER}/runs/{{run}}"  # one run seed's trained model
WEIGHTS = f"{RUN}/weights.pt"
SNAPSHOTS = f"{RUN}/conv1_snapshots.npz"
TRAINED = f"{RUN}/metrics.json"
# a pipeline model as input: run 0 of the slash study's vanilla_cnn on the generated data (one
# picture; the generated draw keeps this figure's bytes from before the published data came)
SLASH_VANILLA_WEIGHTS = "results/slash/generated/models/vanilla_cnn/0/weights.pt"

PER_ROW = 4  # kernels per row in the first-layer pictures


def _model(ctx):
    from dlrepro.studies.kernels.models import StackedConvNet

    return StackedConvNet(**ctx.params["kernels"]["model"])


def _load(ctx, weights):
    from dlrepro.core.torch_utils import load_weights

    return load_weights(weights, _model(ctx)).eval()


def _effective(model):
    """The trained stack's 5x5 effective kernels [C2, 1, 5, 5] (ReLU between them ignored)."""
    import torch

    from dlrepro.studies.kernels.effective import compose

    with torch.no_grad():
        weight, _ = compose(
            model.conv1.weight, model.conv1.bias, model.conv2.weight, model.conv2.bias
        )
    return weight.numpy()


@steps.step(
    help="train one run's stacked-3x3 MNIST CNN, snapshotting conv1 at init and every epoch",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=(*MODEL, "device", "kernels.training"),
    run=steps.run,
    data=In(MNIST),
    weights=Out(WEIGHTS),
    snapshots=Out(SNAPSHOTS),
    metrics=Out(TRAINED),
)
def train(args, ctx) -> None:
    import numpy as np
    import pandas as pd
    import torch

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import accuracy, predict_proba, train_classifier
    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import save_weights, setup, trainable_parameters

    device = setup(ctx)
    p = ctx.params["kernels"]
    d = load_mnist(args.data, p["data"])
    seed = run_seed(ctx.seed, STUDY, args.run, "train")
    torch.manual_seed(seed)
    model = _model(ctx)
    snapshots = [model.conv1.weight.detach().cpu().numpy().copy()]

    def snapshot(epoch, model):
        snapshots.append(model.conv1.weight.detach().cpu().numpy().copy())

    history = train_classifier(
        model,
        d["x_train"],
        d["y_train"],
        **p["training"],
        seed=seed,
        device=device,
        desc=f"kernels-{args.run}",
        on_epoch=snapshot,
    )
    model.cpu()
    save_weights(args.weights, model)
    io.write_npz(args.snapshots, conv1=np.stack(snapshots), epoch=np.arange(len(snapshots)))
    test_acc = accuracy(predict_proba(model, d["x_test"]).argmax(1), d["y_test"].numpy())
    io.write_json(
        args.metrics,
        {
            "test_acc": test_acc,
            "train_acc": history[-1]["train_acc"],
            "epochs": p["training"]["epochs"],
            "parameters": trainable_parameters(model),
            "n_train": len(d["y_train"]),
            "n_test": len(d["y_test"]),
            "history": pd.DataFrame(history).to_dict("records"),
        },
    )


@steps.step(
    help="kernel statistics over the runs, the linear-stack check, table and post-vs-ours",
    runtime=10,
    mem_mb=2000,
    params=(*MODEL, "kernels.linear_check_images"),
    data=In(MNIST),
    weights=steps.each_run(WEIGHTS),
    snapshots=steps.each_run(SNAPSHOTS),
    train=steps.each_run(TRAINED),
    claims=steps.claims,
    table=Out(f"{KER}/table.csv"),
    summary=Out(f"{KER}/metrics.json"),
    comparison=Out(f"{KER}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.kernels.compare import run_summary, summarise
    from dlrepro.studies.kernels.effective import linear_stack_error

    setup(ctx)
    p = ctx.params["kernels"]
    x = load_mnist(args.data, p["data"], train=False)["x_test"][: p["linear_check_images"]]
    per_run = []
    for weights, snapshots, trained in zip(args.weights, args.snapshots, args.train, strict=True):
        model = _load(ctx, weights)
        per_run.append(
            run_summary(
                io.read_json(trained),
                io.read_npz(snapshots, ("conv1",))["conv1"],
                model.conv2.weight.detach().numpy(),
                _effective(model),
                linear_stack_error(model, x),
                len(x),
            )
        )
    table, summary = summarise(per_run)
    write_results(args, summary, table, ctx.params)


@steps.step(
    help="run 0's raw and effective kernels and conv1 over training (GIF), the slash CNN's",
    runtime=10,
    mem_mb=2000,
    params=("kernels.model", "kernels.gif", "slash.models.vanilla_cnn.channels"),
    weights=In(WEIGHTS.format(run=0)),  # pictures of one model: run 0's
    snapshots=In(SNAPSHOTS.format(run=0)),
    slash_weights=In(SLASH_VANILLA_WEIGHTS),
    conv1=Out(f"{KER}/figures/conv1.png", figure=True),
    conv2=Out(f"{KER}/figures/conv2.png", figure=True),
    effective=Out(f"{KER}/figures/effective.png", figure=True),
    slash=Out(f"{KER}/figures/slash_kernels.png", figure=True),
    gif=Out(f"{KER}/figures/conv1_epochs.gif", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.classifier.vanilla_cnn import VanillaCNN
    from dlrepro.core import io
    from dlrepro.core.torch_utils import load_weights
    from dlrepro.studies.kernels import figures as fig

    p = ctx.params["kernels"]
    model = _load(ctx, args.weights)
    conv1 = io.read_npz(args.snapshots, ("conv1",))["conv1"][:, :, 0]  # [T, C1, 3, 3]
    fig.kernel_panels(
        [
            ("at init", fig.as_rows(conv1[0], PER_ROW)),
            (f"after epoch {len(conv1) - 1}", fig.as_rows(conv1[-1], PER_ROW)),
        ],
        args.conv1,
        shared_limits=True,
        suptitle="conv1: 3x3 kernels (one colour scale)",
    )
    w2 = model.conv2.weight.detach().numpy()
    fig.kernel_panels(
        [("conv2: row = output channel, column = input channel", w2)],
        args.conv2,
        shared_limits=True,
    )
    fig.kernel_panels(
        [
            (
                "conv2 o conv1: one 5x5 kernel per output channel",
                fig.as_rows(_effective(model)[:, 0], 2 * PER_ROW),
            )
        ],
        args.effective,
        shared_limits=True,
    )
    slash = load_weights(
        args.slash_weights, VanillaCNN(ctx.params["slash"]["models"]["vanilla_cnn"]["channels"])
    )
    s1 = slash.features[0].weight.detach().numpy()[:, 0]
    s2 = slash.features[4].weight.detach().numpy()
    fig.kernel_panels(
        [("conv1", fig.as_rows(s1, 5)), ("conv2 (row = output, column = input)", s2)],
        args.slash,
        shared_limits=False,
        suptitle="slash study's trained vanilla_cnn",
    )
    io.write_bytes(
        args.gif,
        fig.gif_bytes(fig.gif_frames(conv1, PER_ROW, p["gif"]["tap_px"]), p["gif"]["frame_ms"]),
    )
