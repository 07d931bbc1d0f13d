"""Steps of the spatial contrasting study ("What I read lately", post 003; Hoffer, Hubara &
Ailon 2016): per run seed, pretrain a small conv encoder on unlabelled MNIST with the spatial
contrasting loss -> per run seed, fine-tune it with a linear head on a few labelled images vs
the same network from scratch, plus linear probes and held-out triplets -> table and comparison
over the runs -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps

STUDY = "spatial_contrasting"
steps = Steps(STUDY)
SC = f"results/{STUDY}"
ENCODER = f"{SC}/runs/{{run}}/encoder.pt"
PRETRAIN = f"{SC}/runs/{{run}}/pretrain.json"
METRICS = f"{SC}/runs/{{run}}/metrics.json"


def _initial_encoder(ctx, run: int):
    """The encoder at initialisation under run `run`'s seed: the pretraining's starting point,
    the scratch net's encoder and the random-feature baseline are all this network."""
    import torch

    from dlrepro.core.repeats import run_seed
    from dlrepro.studies.spatial_contrasting.models import Encoder

    torch.manual_seed(run_seed(ctx.seed, STUDY, run, "encoder_init"))
    return Encoder(ctx.params[STUDY]["encoder"]["widths"])


@steps.step(
    help="pretrain the conv encoder on unlabelled MNIST images with the spatial contrasting "
    "loss (patch triplets), one run seed",
    gpu=True,
    runtime=10,
    mem_mb=2000,
    params=("seed", "device", f"{STUDY}.data", f"{STUDY}.encoder", f"{STUDY}.pretrain"),
    run=steps.run,
    data=In(MNIST),
    encoder=Out(ENCODER),
    history=Out(PRETRAIN),
)
def pretrain(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.spatial_contrasting.data import unlabelled_images
    from dlrepro.studies.spatial_contrasting.training import pretrain as train

    device = setup(ctx)
    p = ctx.params[STUDY]
    encoder = _initial_encoder(ctx, args.run)
    images = unlabelled_images(args.data, p["data"])
    rng = np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, "triplets"))
    losses = train(encoder, images, **p["pretrain"], rng=rng, device=device)
    save_weights(args.encoder, encoder.cpu())
    io.write_json(args.history, {"run": args.run, "images": len(images), "loss_per_step": losses})


@steps.step(
    help="fine-tune the pretrained encoder + linear head on the labelled images vs the same "
    "network from scratch; linear probes and held-out triplets, pretrained vs random init",
    gpu=True,
    runtime=10,
    mem_mb=2000,
    params=(
        "seed",
        "device",
        f"{STUDY}.data",
        f"{STUDY}.encoder",
        f"{STUDY}.pretrain.patch",
        f"{STUDY}.finetune",
        f"{STUDY}.held_out_triplets",
        f"{STUDY}.loss_window",
    ),
    run=steps.run,
    data=In(MNIST),
    encoder=In(ENCODER),
    history=In(PRETRAIN),
    metrics=Out(METRICS),
)
def evaluate(args, ctx) -> None:
    import copy

    import numpy as np
    import torch

    from dlrepro.classifier.train import predict_proba, train_classifier
    from dlrepro.core import io
    from dlrepro.core.determinism import rng
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import load_weights, setup
    from dlrepro.studies.spatial_contrasting.data import splits
    from dlrepro.studies.spatial_contrasting.models import Classifier
    from dlrepro.studies.spatial_contrasting.patches import sample_triplets
    from dlrepro.studies.spatial_contrasting.summary import loss_windows
    from dlrepro.studies.spatial_contrasting.training import linear_probe, triplet_scores

    device = setup(ctx)
    p = ctx.params[STUDY]
    d = splits(
        args.data, p["data"], np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, "labels"))
    )
    encoders = {
        "random": _initial_encoder(ctx, args.run),
        "pretrained": load_weights(args.encoder, _initial_encoder(ctx, args.run)),
    }
    # held-out triplets: validation images, the same triplets in every run (an evaluation set)
    n_val = min(len(d["x_val"]), p["held_out_triplets"])
    held_out = sample_triplets(
        n_val, p["held_out_triplets"], 28, p["pretrain"]["patch"], rng(ctx.seed, STUDY, "held_out")
    )
    evaluate_on = {"val": (d["x_val"], d["y_val"]), "test": (d["x_test"], d["y_test"])}
    result = {"run": args.run, "n_labelled": len(d["y_labelled"]), "n_test": len(d["y_test"])}
    result["pretrain"] = loss_windows(io.read_json(args.history)["loss_per_step"], p["loss_window"])
    result["triplets"] = {
        k: triplet_scores(e, d["x_val"][:n_val], held_out, p["pretrain"]["patch"])
        for k, e in encoders.items()
    }
    result["probe"] = {
        k: linear_probe(e, d["x_labelled"], d["y_labelled"], evaluate_on)
        for k, e in encoders.items()
    }
    result["finetune"], history = {}, {}
    for variant, start in (("pretrained", "pretrained"), ("scratch", "random")):
        # the same head init and batch order for both: they differ only in the encoder's start
        torch.manual_seed(run_seed(ctx.seed, STUDY, args.run, "head_init"))
        model = Classifier(copy.deepcopy(encoders[start]))
        history[variant] = train_classifier(
            model, d["x_labelled"], d["y_labelled"], **p["finetune"],
            seed=run_seed(ctx.seed, STUDY, args.run, "finetune"), device=device,
            desc=f"{STUDY}-{variant}-{args.run}",
        )  # fmt: skip
        result["finetune"][variant] = {
            f"{split}_acc": float((predict_proba(model, x).argmax(1) == y.numpy()).mean())
            for split, (x, y) in evaluate_on.items()
        } | {"train_acc": history[variant][-1]["train_acc"]}
    result["gain"] = gains(result["finetune"])
    result["finetune_history"] = history
    io.write_json(args.metrics, result)


def gains(finetune: dict) -> dict:
    """Pretrained minus scratch test accuracy, and the share of the scratch net's test errors
    that pretraining removes ((err_scratch - err_pretrained) / err_scratch)."""
    pre, scratch = finetune["pretrained"]["test_acc"], finetune["scratch"]["test_acc"]
    return {
        "test_acc": pre - scratch,
        "error_reduction": (pre - scratch) / (1 - scratch) if scratch < 1 else 0.0,
    }


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    runs=steps.each_run(METRICS),
    claims=steps.claims,
    table=Out(f"{SC}/table.csv"),
    summary=Out(f"{SC}/metrics.json"),
    comparison=Out(f"{SC}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.spatial_contrasting.summary import results_table, summarise

    result = summarise([io.read_json(p) for p in args.runs])
    write_results(args, result, results_table(result), ctx.params)


@steps.step(
    help="pretraining loss per step; test accuracy per run, pretrained vs scratch and probes",
    runtime=5,
    histories=steps.each_run(PRETRAIN),
    runs=steps.each_run(METRICS),
    pretraining=Out(f"{SC}/figures/pretraining.png", figure=True),
    accuracy=Out(f"{SC}/figures/accuracy.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.spatial_contrasting import figures as fig

    fig.pretraining([io.read_json(p) for p in args.histories], args.pretraining)
    fig.accuracy([io.read_json(p) for p in args.runs], args.accuracy)
