"""Steps of the slash study (Sophie Searcy, "Slash dataset"): data -> split -> 9 models ->
table/figures. Each is declared once; `dlrepro slash <step>` and its rule come from it."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps, Wildcard
from dlrepro.studies.slash.spec import CNN_MODELS, SKLEARN_MODELS

steps = Steps("slash")
DATA = "data/processed/slash/slash_data.npz"
SPLIT = "data/processed/slash/split.npz"
MODEL_DIR = "results/slash/models/{model}"
CNN_FILES = {
    f: [f"{MODEL_DIR}/{f}".format(model=m) for m in CNN_MODELS]
    for f in ("weights.pt", "history.csv")
}


def _model_name(path: str) -> str:
    # results/slash/models/<model>/<file>: the rule files fix this layout
    from pathlib import Path

    return Path(path).parent.name


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
    help="stratified train/test split",
    params=("seed", "slash.split"),
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
        stream_seed(ctx.seed, "slash", "split"),
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
    help="fit one scikit-learn model",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.models.{model}"),
    model=Wildcard(choices=SKLEARN_MODELS),
    split=In(SPLIT),
    metrics=Out(f"{MODEL_DIR}/metrics.json"),
)
def fit(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.slash.train import fit_sklearn, load_split

    hp = ctx.params["slash"]["models"][args.model]
    metrics = fit_sklearn(args.model, hp, load_split(args.split), ctx.seed)
    io.write_json(args.metrics, {"model": args.model, **metrics})


@steps.step(
    rule="train_cnn",
    help="train one CNN (PyTorch)",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "device", "slash.models.{model}"),
    model=Wildcard(choices=CNN_MODELS),
    split=In(SPLIT),
    weights=Out(f"{MODEL_DIR}/weights.pt"),
    metrics=Out(f"{MODEL_DIR}/metrics.json"),
    history=Out(f"{MODEL_DIR}/history.csv"),
)
def train(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.slash.train import load_split, train_cnn

    device = setup(ctx)
    hp = ctx.params["slash"]["models"][args.model]
    model, metrics, history = train_cnn(args.model, hp, load_split(args.split), ctx.seed, device)
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame([vars(h) for h in history]))
    io.write_json(args.metrics, {"model": args.model, **metrics})


@steps.step(
    help="samples grid, CNN kernels, learning curves",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.figures", "slash.models.vanilla_cnn", "slash.models.custom_cnn"),
    data=In(DATA),
    weights=In(CNN_FILES["weights.pt"], many=True),
    history=In(CNN_FILES["history.csv"], many=True),
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
        name = _model_name(path)
        model = load_weights(path, make_cnn(name, ctx.params["slash"]["models"][name]))
        kernels[name] = model.first_layer.weight.detach().numpy()
    fig.kernels_figure(kernels, args.kernels)
    fig.learning_curves_figure({_model_name(p): pd.read_csv(p) for p in args.history}, args.curves)


@steps.step(
    help="results table, metrics.json and post-vs-ours comparison",
    metrics=In(
        [f"{MODEL_DIR}/metrics.json".format(model=m) for m in SKLEARN_MODELS + CNN_MODELS],
        many=True,
    ),
    claims=steps.claims,
    table=Out("results/slash/table.csv"),
    summary=Out("results/slash/metrics.json"),
    comparison=Out("results/slash/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.slash.compare import results_table

    ordered = io.read_keyed_records(args.metrics, "model", SKLEARN_MODELS + CNN_MODELS)
    summary = {"models": ordered}
    write_results(args, summary, results_table(ordered), ctx.params)
