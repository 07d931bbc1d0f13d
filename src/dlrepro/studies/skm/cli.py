"""Steps of the SKM study ("SKM Embedding of MNIST", post 002, teaser only): the same ConvNet
with a K-way softmax head or an (inferred) Smooth Kernel Machine head, one job per head and run
-> table, comparison -> error vs epoch, reliability diagram, confidence on digits vs noise."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps, Wildcard
from dlrepro.studies.skm import HEADS  # not .models: the CLI must start without torch

STUDY = "skm"
steps = Steps(STUDY)
SKM = "results/skm"
CLAIMS = steps.claims
RUN = f"{SKM}/runs/{{head}}/{{run}}"

CONFIDENCES = {
    "softmax": ("test_prob", "noise_prob", "correct"),
    "skm": ("test_prob", "noise_prob", "correct", "test_mass", "noise_mass"),
}


def _run_files(name: str):
    """fn(wildcards, config): every head x run's `name`, heads outer, runs in order (as the
    steps read them); runs from params `skm.runs`, each seed shared by both heads."""

    def files(wildcards, config) -> list[str]:
        runs = range(config[STUDY]["runs"])
        return [f"{RUN}/{name}".format(head=h, run=r) for h in HEADS for r in runs]

    return files


@steps.step(
    help="train the ConvNet with one output head; per-epoch test error, confidences on "
    "test digits and noise images",
    gpu=True,
    runtime=60,
    mem_mb=4000,
    params=(
        "seed",
        "device",
        "skm.data",
        "skm.model",
        "skm.skm_head",
        "skm.training",
        "skm.noise_images",
        "skm.speed_error_threshold",
        "skm.calibration_bins",
    ),
    head=Wildcard(choices=HEADS),
    run=steps.run,
    data=In(MNIST),
    metrics=Out(f"{RUN}/metrics.json"),
    confidences=Out(f"{RUN}/confidences.npz"),
)
def train(args, ctx) -> None:
    import numpy as np
    import torch

    from dlrepro.classifier.mnist import load_mnist
    from dlrepro.classifier.train import train_classifier
    from dlrepro.core import io
    from dlrepro.core.determinism import rng
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup, trainable_parameters
    from dlrepro.studies.skm.calibration import expected_calibration_error
    from dlrepro.studies.skm.models import build, class_proba

    device = setup(ctx)
    p = ctx.params["skm"]
    d = load_mnist(args.data, p["data"])
    y_test = d["y_test"].numpy()
    # one stream per run, shared by both heads: same body init and batch order (paired runs)
    seed = run_seed(ctx.seed, STUDY, args.run)
    torch.manual_seed(seed)
    model = build(args.head, p["model"], p["skm_head"])
    errors = []

    def on_epoch(epoch, model):
        errors.append(float((class_proba(model, d["x_test"])[0].argmax(1) != y_test).mean()))

    history = train_classifier(
        model,
        d["x_train"],
        d["y_train"],
        **p["training"],
        seed=seed,
        device=device,
        desc=f"skm-{args.head}-{args.run}",
        on_epoch=on_epoch,
    )
    for row, err in zip(history, errors):
        row["test_error"] = err
    # the noise images are an evaluation set, like the test split: the same in every run
    noise = torch.from_numpy(
        rng(ctx.seed, "skm", "noise_images")
        .random((p["noise_images"], 1, 28, 28))
        .astype(np.float32)
    )
    (probs, background), (noise_probs, _) = (
        class_proba(model, d["x_test"]),
        class_proba(model, noise),
    )
    confidences = {
        "test_prob": probs.max(1),
        "noise_prob": noise_probs.max(1),
        "correct": probs.argmax(1) == y_test,
    }
    bins = p["calibration_bins"]
    # the SKM's class probability with its background share kept in: p_k = s_k / (b + sum s)
    ece_with_background = (
        expected_calibration_error(probs.max(1) * (1 - background), confidences["correct"], bins)
        if args.head == "skm"
        else None
    )
    if args.head == "skm":  # the built-in confidence: the predicted class's kernel mass (log)
        model.cpu()
        confidences["test_mass"] = model.log_kernel_confidence(d["x_test"]).numpy()
        confidences["noise_mass"] = model.log_kernel_confidence(noise).numpy()
    io.write_npz(args.confidences, **confidences)
    io.write_json(
        args.metrics,
        {
            "head": args.head,
            "run": args.run,
            "test_error": errors[-1],
            "history": history,
            "mean_test_error_over_epochs": float(np.mean(errors)),
            "epochs_to_error": next(
                (h["epoch"] for h in history if h["test_error"] <= p["speed_error_threshold"]), None
            ),
            "ece": expected_calibration_error(
                confidences["test_prob"], confidences["correct"], bins
            ),
            "ece_with_background": ece_with_background,
            "noise_auroc": _auroc(confidences, "prob"),
            "mass_noise_auroc": _auroc(confidences, "mass") if args.head == "skm" else None,
            "mean_log_mass": (
                {kind: float(confidences[f"{kind}_mass"].mean()) for kind in ("test", "noise")}
                if args.head == "skm"
                else None
            ),
            "parameters": trainable_parameters(model),
            "n_train": len(d["y_train"]),
            "n_test": len(y_test),
        },
    )


def _auroc(confidences, kind) -> float:
    """How well the confidence tells test digits (positives) from noise images: ROC AUC."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    test, noise = confidences[f"test_{kind}"], confidences[f"noise_{kind}"]
    labels = np.r_[np.ones(len(test)), np.zeros(len(noise))]
    return float(roc_auc_score(labels, np.r_[test, noise].astype(np.float64)))


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    mem_mb=1000,
    params=("skm.training.epochs", "skm.speed_error_threshold"),
    runs=In(_run_files("metrics.json"), many=True),
    claims=CLAIMS,
    table=Out(f"{SKM}/table.csv"),
    summary=Out(f"{SKM}/metrics.json"),
    comparison=Out(f"{SKM}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.skm.summary import results_table, summarise

    result = summarise([io.read_json(path) for path in args.runs], ctx.params["skm"])
    write_results(args, result, results_table(result), ctx.params)


@steps.step(
    help="test error vs epoch, reliability diagram (bands over runs), confidence histograms",
    runtime=5,
    mem_mb=1000,
    params=("skm.calibration_bins",),
    runs=In(_run_files("metrics.json"), many=True),
    confidences=In(_run_files("confidences.npz"), many=True),
    claims=CLAIMS,
    error=Out(f"{SKM}/figures/error_vs_epoch.png", figure=True),
    reliability=Out(f"{SKM}/figures/reliability.png", figure=True),
    confidence=Out(f"{SKM}/figures/confidence.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.skm import figures as fig

    runs = [io.read_json(path) for path in args.runs]
    conf = {
        (r["head"], r["run"]): io.read_npz(path, CONFIDENCES[r["head"]])
        for r, path in zip(runs, args.confidences)
    }
    bins = ctx.params["skm"]["calibration_bins"]
    from dlrepro.core.claims import load_claims, post_of

    fig.error_vs_epoch(runs, float(post_of(load_claims(args.claims), "skm.test_error")), args.error)
    fig.reliability_diagram(conf, bins, args.reliability)
    fig.confidence_histograms(conf, args.confidence)
