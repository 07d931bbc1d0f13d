"""Steps of the slash study (Sophie Searcy, "Slash dataset"): data -> one split per run seed ->
9 models per run -> table/figures over runs. Each is declared once; `dlrepro slash <step>` and its
rule come from it.

The generated dataset is one draw; each run r draws its own stratified split and its own model
seeds (core.repeats.run_seed), so the spread over runs is split + initialisation noise."""

from __future__ import annotations

from dlrepro.pipeline.declare import TRAINING_CURVES, In, Out, Steps, Wildcard
from dlrepro.studies.slash.spec import CNN_MODELS, MODELS, SKLEARN_MODELS

STUDY = "slash"
steps = Steps(STUDY)
DATA = "data/processed/slash/slash_data.npz"
SPLIT = "data/processed/slash/runs/{run}/split.npz"
# results/slash/models/<model>/<run>/...: the kernels study reads vanilla_cnn/0/weights.pt
MODEL_DIR = "results/slash/models/{model}/{run}"
FIGURE_RUN = 0  # pictures of one trained model (kernels) show this run


def _runs(config: dict) -> range:
    return range(config[STUDY]["runs"])


def _per_model_run(file: str, models: tuple[str, ...]):
    """Every model x run's `file`, models outer and runs inner (the order compare reads)."""
    return lambda wildcards, config: [
        f"{MODEL_DIR}/{file}".format(model=m, run=r) for m in models for r in _runs(config)
    ]


def _run_base(ctx, run: int) -> int:
    """The run's seed: it takes the place of the study seed, and the streams keep their names
    (split, one per model), so every stream of run r is separate and repeatable."""
    from dlrepro.core.repeats import run_seed

    return run_seed(ctx.seed, STUDY, run)


def _model_and_run(path: str) -> tuple[str, int]:
    # results/slash/models/<model>/<run>/<file>: MODEL_DIR fixes this layout
    from pathlib import Path

    parts = Path(path).parts
    return parts[-3], int(parts[-2])


@steps.step(
    help="generate slash_data.npz (keys x, y)", params=("seed", "slash.data"), out=Out(DATA)
)
def generate(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.determinism import rng
    from dlrepro.studies.slash.data import make_slash

    d = ctx.params["slash"]["data"]
    x, y = make_slash(
        d["n_per_class"], d["size"], d["length"], d["noise"], rng(ctx.seed, "slash", "generate")
    )
    io.write_npz(args.out, x=x, y=y)


@steps.step(
    help="stratified train/test split of one run",
    params=("seed", "slash.split"),
    run=steps.run,
    data=In(DATA),
    out=Out(SPLIT),
)
def split(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.studies.slash.data import stratified_split

    data = io.read_npz(args.data, ("x", "y"))
    train, test = stratified_split(
        data["y"],
        ctx.params["slash"]["split"]["test_size"],
        stream_seed(_run_base(ctx, args.run), "slash", "split"),
    )
    io.write_npz(
        args.out,
        idx_train=train,
        idx_test=test,
        x_train=data["x"][train],
        y_train=data["y"][train],
        x_test=data["x"][test],
        y_test=data["y"][test],
    )


@steps.step(
    rule="fit_sklearn",
    help="fit one scikit-learn model on one run's split",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.models.{model}"),
    model=Wildcard(choices=SKLEARN_MODELS),
    run=steps.run,
    split=In(SPLIT),
    metrics=Out(f"{MODEL_DIR}/metrics.json"),
)
def fit(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.slash.train import fit_sklearn, load_split

    hp = ctx.params["slash"]["models"][args.model]
    metrics = fit_sklearn(args.model, hp, load_split(args.split), _run_base(ctx, args.run))
    io.write_json(args.metrics, {"model": args.model, "run": args.run, **metrics})


@steps.step(
    rule="train_cnn",
    help="train one CNN (PyTorch) on one run's split",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "device", "slash.models.{model}"),
    model=Wildcard(choices=CNN_MODELS),
    run=steps.run,
    split=In(SPLIT),
    weights=Out(f"{MODEL_DIR}/weights.pt"),
    metrics=Out(f"{MODEL_DIR}/metrics.json"),
    history=Out(f"{MODEL_DIR}/history.csv", plot=TRAINING_CURVES),
)
def train(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.slash.train import load_split, train_cnn

    device = setup(ctx)
    hp = ctx.params["slash"]["models"][args.model]
    model, metrics, history = train_cnn(
        args.model, hp, load_split(args.split), _run_base(ctx, args.run), device
    )
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame([vars(h) for h in history]))
    io.write_json(args.metrics, {"model": args.model, "run": args.run, **metrics})


@steps.step(
    help="samples grid, CNN kernels (run 0), learning curves over runs",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.figures", "slash.models.vanilla_cnn", "slash.models.custom_cnn"),
    data=In(DATA),
    weights=In(
        [f"{MODEL_DIR}/weights.pt".format(model=m, run=FIGURE_RUN) for m in CNN_MODELS],
        many=True,
    ),
    history=In(_per_model_run("history.csv", CNN_MODELS), many=True),
    samples=Out("results/slash/figures/samples.png", figure=True),
    kernels=Out("results/slash/figures/kernels.png", figure=True),
    curves=Out("results/slash/figures/learning_curves.png", figure=True),
)
def figures(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.determinism import rng
    from dlrepro.core.torch_utils import load_weights, setup
    from dlrepro.studies.slash import figures as fig
    from dlrepro.studies.slash.models import make_cnn

    setup(ctx)
    data = io.read_npz(args.data, ("x", "y"))
    n = min(ctx.params["slash"]["figures"]["n_samples"], len(data["y"]))
    idx = rng(ctx.seed, "slash", "samples").choice(len(data["y"]), size=n, replace=False)
    fig.samples_figure(data["x"], data["y"], idx, args.samples)

    kernels = {}
    for path in args.weights:
        name, _ = _model_and_run(path)
        model = load_weights(path, make_cnn(name, ctx.params["slash"]["models"][name]))
        kernels[name] = model.first_layer.weight.detach().numpy()
    fig.kernels_figure(kernels, args.kernels)
    histories: dict[str, list] = {}
    for path in args.history:  # models outer, runs inner: each list is in run order
        name, _ = _model_and_run(path)
        histories.setdefault(name, []).append(pd.read_csv(path))
    fig.learning_curves_figure(histories, args.curves)


@steps.step(
    help="results table over runs, metrics.json and post-vs-ours comparison",
    metrics=In(_per_model_run("metrics.json", MODELS), many=True),
    claims=steps.claims,
    table=Out("results/slash/table.csv"),
    summary=Out("results/slash/metrics.json"),
    comparison=Out("results/slash/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.slash.compare import results_table, summarise

    summary = summarise([io.read_json(path) for path in args.metrics])
    write_results(args, summary, results_table(summary), ctx.params)
