"""Steps of the slash study, as `dlrepro slash <step>` sub-commands (one per pipeline rule)."""

from __future__ import annotations

from dlrepro.core.step import InputFile, OutputFile
from dlrepro.studies.slash.spec import CNN_MODELS, SKLEARN_MODELS


def add_steps(steps) -> None:
    p = steps.add_parser("generate", help="generate slash_data.npz (keys x, y)")
    p.add_argument("--out", type=OutputFile, required=True)
    p.set_defaults(func=generate)

    p = steps.add_parser("split", help="stratified train/test split")
    p.add_argument("--data", type=InputFile, required=True)
    p.add_argument("--out", type=OutputFile, required=True)
    p.set_defaults(func=split)

    p = steps.add_parser("fit", help="fit one scikit-learn model")
    p.add_argument("--model", choices=SKLEARN_MODELS, required=True)
    p.add_argument("--split", type=InputFile, required=True)
    p.add_argument("--metrics", type=OutputFile, required=True)
    p.set_defaults(func=fit)

    p = steps.add_parser("train", help="train one CNN (PyTorch)")
    p.add_argument("--model", choices=CNN_MODELS, required=True)
    p.add_argument("--split", type=InputFile, required=True)
    p.add_argument("--weights", type=OutputFile, required=True)
    p.add_argument("--metrics", type=OutputFile, required=True)
    p.add_argument("--history", type=OutputFile, required=True)
    p.set_defaults(func=train)

    p = steps.add_parser("figures", help="samples grid, CNN kernels, learning curves")
    p.add_argument("--data", type=InputFile, required=True)
    p.add_argument("--weights", type=InputFile, nargs="+", required=True)
    p.add_argument("--history", type=InputFile, nargs="+", required=True)
    p.add_argument("--samples", type=OutputFile, required=True)
    p.add_argument("--kernels", type=OutputFile, required=True)
    p.add_argument("--curves", type=OutputFile, required=True)
    p.set_defaults(func=figures)

    p = steps.add_parser("compare", help="results table, metrics.json and post-vs-ours comparison")
    p.add_argument("--metrics", type=InputFile, nargs="+", required=True)
    p.add_argument("--claims", type=InputFile, required=True)
    p.add_argument("--table", type=OutputFile, required=True)
    p.add_argument("--summary", type=OutputFile, required=True)
    p.add_argument("--comparison", type=OutputFile, required=True)
    p.set_defaults(func=compare)


def _model_name(path: str) -> str:
    # results/slash/models/<model>/<file>: the rule files fix this layout
    from pathlib import Path

    return Path(path).parent.name


def generate(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.determinism import rng
    from dlrepro.studies.slash.data import make_slash

    d = ctx.params["slash"]["data"]
    x, y = make_slash(d["n_per_class"], d["size"], d["length"], d["noise"],
                      rng(ctx.seed, "slash", "generate"))
    io.write_npz(args.out, x=x, y=y)


def split(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.studies.slash.data import stratified_split

    data = io.read_npz(args.data, ("x", "y"))
    train, test = stratified_split(data["y"], ctx.params["slash"]["split"]["test_size"],
                                   stream_seed(ctx.seed, "slash", "split"))
    io.write_npz(args.out, idx_train=train, idx_test=test,
                 x_train=data["x"][train], y_train=data["y"][train],
                 x_test=data["x"][test], y_test=data["y"][test])


def fit(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.slash.train import fit_sklearn, load_split

    hp = ctx.params["slash"]["models"][args.model]
    metrics = fit_sklearn(args.model, hp, load_split(args.split), ctx.seed)
    io.write_json(args.metrics, {"model": args.model, **metrics})


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


def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import compare as compare_claims, load_claims
    from dlrepro.studies.slash.compare import results_table

    ordered = io.read_keyed_records(args.metrics, "model", SKLEARN_MODELS + CNN_MODELS)
    summary = {"models": ordered}
    io.write_csv(args.table, results_table(ordered))
    io.write_json(args.summary, summary)
    io.write_csv(args.comparison, compare_claims(load_claims(args.claims), summary))
