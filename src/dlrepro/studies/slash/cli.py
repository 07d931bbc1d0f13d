"""Steps of the slash study (Sophie Searcy, "Slash dataset"): images from each source (the post's
published file, our generator) -> one split per source and run seed -> 9 models per source and
run -> data measures, forest sizes -> table/figures over runs. Each is declared once;
`dlrepro slash <step>` and its rule come from it.

Each source is one set of images; each run r draws its own stratified split and its own model
seeds (core.repeats.run_seed), so the spread over runs is split + initialisation noise. Run r
has the same seeds on both sources (the source is the data, the seeds are the run's)."""

from __future__ import annotations

from dlrepro.data.steps import fetch
from dlrepro.pipeline.declare import TRAINING_CURVES, In, Out, Steps, Value, Wildcard
from dlrepro.studies.slash.spec import (
    CNN_MODELS,
    MODELS,
    RAW,
    RAW_FILE,
    SKLEARN_MODELS,
    SOURCES,
    sources,
)

STUDY = "slash"
steps = Steps(STUDY)
DATA = "data/processed/slash/{source}/slash_data.npz"
SPLIT = "data/processed/slash/{source}/runs/{run}/split.npz"
# results/slash/<source>/models/<model>/<run>/...: the kernels study reads
# generated/models/vanilla_cnn/0/weights.pt
MODEL_DIR = "results/slash/{source}/models/{model}/{run}"
MEASURES = "results/slash/{source}/{measure}.json"
FIGURE_RUN = 0  # pictures of one trained model (kernels) show this run


def _runs(config: dict) -> range:
    return range(config[STUDY]["runs"])


def _source() -> Wildcard:
    """One job per configured source (params slash.data.source)."""
    return Wildcard(choices=SOURCES, values=sources)


def _per_source_model_run(file: str, models: tuple[str, ...]):
    """Every source x model x run's `file`, in that nesting (the order compare reads)."""
    return lambda wildcards, config: [
        f"{MODEL_DIR}/{file}".format(source=s, model=m, run=r)
        for s in sources(config)
        for m in models
        for r in _runs(config)
    ]


def _per_source(pattern: str, **fixed):
    return lambda wildcards, config: [pattern.format(source=s, **fixed) for s in sources(config)]


def _each_run_split():
    """Every run's split of the job's source, in run order."""
    return lambda wildcards, config: [
        SPLIT.format(source=wildcards.source, run=r) for r in _runs(config)
    ]


def _run_base(ctx, run: int) -> int:
    """The run's seed: it takes the place of the study seed, and the streams keep their names
    (split, one per model), so every stream of run r is separate and repeatable."""
    from dlrepro.core.repeats import run_seed

    return run_seed(ctx.seed, STUDY, run)


def _parts(path: str) -> tuple[str, str, int]:
    # results/slash/<source>/models/<model>/<run>/<file>: MODEL_DIR fixes this layout
    from pathlib import Path

    parts = Path(path).parts
    return parts[-5], parts[-3], int(parts[-2])


# the published file comes through `dlrepro fetch` (dlrepro.data.steps), as MNIST's does
steps.step(
    step_name="fetch",
    command=("fetch",),
    record=("data", "fetch"),
    runtime=30,
    threads=1,
    name=Value(lambda w, config: RAW_FILE),
    out=Out(RAW),
)(fetch)


@steps.step(
    help="generate slash_data.npz (keys x, y) with the inferred settings",
    params=(
        "seed",
        "slash.data.n_per_class",
        "slash.data.size",
        "slash.data.length",
        "slash.data.noise",
    ),
    out=Out(DATA.format(source="generated")),
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
    help="the post's published file (sha256 checked) -> slash_data.npz (x float32, y, idx)",
    params=("seed", "slash.data.n_per_class"),
    raw=In(RAW),
    out=Out(DATA.format(source="published")),
)
def published(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.data.fetch import resolve_mirror, verified_raw
    from dlrepro.studies.slash.data import check_published, per_class_sample

    path = verified_raw(args.raw, resolve_mirror(ctx.params["mirror"]))
    data = io.read_npz(path, ("x", "y"))
    check_published(data["x"], data["y"], str(path))
    n = ctx.params["slash"]["data"]["n_per_class"]
    idx = per_class_sample(data["y"], n, stream_seed(ctx.seed, "slash", "published"))
    # float32 as the generated images (the CNNs' dtype); the file's float64 rounds by < 6e-8
    x = data["x"][idx].astype(np.float32)
    io.write_npz(args.out, x=x, y=data["y"][idx].astype(np.int64), idx=idx)


@steps.step(
    help="stratified train/test split of one source and run",
    params=("seed", "slash.split"),
    source=_source(),
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
    help="fit one scikit-learn model on one source's and run's split",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.models.{model}"),
    source=_source(),
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
    help="train one CNN (PyTorch) on one source's and run's split",
    gpu=True,
    runtime=30,
    mem_mb=4000,
    params=("seed", "device", "slash.models.{model}"),
    source=_source(),
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
    help="one source's pixel statistics and, per run, test slashes with a twin in training",
    source=_source(),
    data=In(DATA),
    splits=In(_each_run_split(), many=True),
    out=Out(MEASURES.replace("{measure}", "data")),
)
def measure_data(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.slash.data import pixel_statistics
    from dlrepro.studies.slash.positions import twin_fractions
    from dlrepro.studies.slash.train import load_split

    data = io.read_npz(args.data, ("x", "y"))
    runs = []
    for path in args.splits:  # run order (the input's order)
        s = load_split(path)
        runs.append(twin_fractions(s["x_train"], s["y_train"], s["x_test"], s["y_test"]))
    out = {"images": len(data["y"]), **pixel_statistics(data["x"]), "runs": runs}
    io.write_json(args.out, out)
    print(
        f"slash {args.source}: test images with an exact twin in training, per run: "
        + ", ".join(f"{r['test_twin_fraction']:.3f}" for r in runs)
    )


@steps.step(
    help="random-forest size candidates (nodes, leaves, splits of k trees) per run",
    runtime=15,
    mem_mb=2000,
    params=("seed", "slash.models.random_forest", "slash.forest_sizes"),
    source=_source(),
    splits=In(_each_run_split(), many=True),
    out=Out(MEASURES.replace("{measure}", "forest_sizes")),
)
def forest_sizes(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.slash.forest import forest_sizes as sizes
    from dlrepro.studies.slash.train import load_split

    hp = ctx.params["slash"]["models"]["random_forest"]
    trees = ctx.params["slash"]["forest_sizes"]["trees"]
    runs = []
    for run, path in enumerate(args.splits):  # run order, so run r's seed is run r's
        s = load_split(path)
        runs.append(sizes(s["x_train"], s["y_train"], hp, trees, _run_base(ctx, run)))
    io.write_json(args.out, {"runs": runs})


@steps.step(
    help="samples grid per source, CNN kernels (run 0), learning curves over runs",
    runtime=15,
    mem_mb=2000,
    params=(
        "seed",
        "slash.data.source",
        "slash.figures",
        "slash.models.vanilla_cnn",
        "slash.models.custom_cnn",
    ),
    data=In(_per_source(DATA), many=True),
    weights=In(
        lambda w, config: [
            f"{MODEL_DIR}/weights.pt".format(source=s, model=m, run=FIGURE_RUN)
            for s in sources(config)
            for m in CNN_MODELS
        ],
        many=True,
    ),
    history=In(_per_source_model_run("history.csv", CNN_MODELS), many=True),
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
    chosen = sources(ctx.params)
    samples = {}
    for source, path in zip(chosen, args.data):  # _per_source: the configured order
        data = io.read_npz(path, ("x", "y"))
        n = min(ctx.params["slash"]["figures"]["n_samples"], len(data["y"]))
        idx = rng(ctx.seed, "slash", "samples").choice(len(data["y"]), size=n, replace=False)
        samples[source] = (data["x"][idx], data["y"][idx])
    fig.samples_figure(samples, args.samples)

    kernels = {}
    for path in args.weights:
        source, name, _ = _parts(path)
        model = load_weights(path, make_cnn(name, ctx.params["slash"]["models"][name]))
        kernels[(source, name)] = model.first_layer.weight.detach().numpy()
    fig.kernels_figure(kernels, args.kernels)
    histories: dict[tuple[str, str], list] = {}
    for path in args.history:  # sources, models, runs: each list is in run order
        source, name, _ = _parts(path)
        histories.setdefault((source, name), []).append(pd.read_csv(path))
    fig.learning_curves_figure(histories, args.curves)


@steps.step(
    help="results table over runs per source, data measures, metrics.json and the comparison",
    params=("slash.data.source",),
    metrics=In(_per_source_model_run("metrics.json", MODELS), many=True),
    data=In(_per_source(MEASURES, measure="data"), many=True),
    forest=In(_per_source(MEASURES, measure="forest_sizes"), many=True),
    claims=steps.claims,
    table=Out("results/slash/table.csv"),
    data_table=Out("results/slash/data.csv"),
    forest_table=Out("results/slash/forest_sizes.csv"),
    summary=Out("results/slash/metrics.json"),
    comparison=Out("results/slash/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.slash import compare as cmp

    chosen = sources(ctx.params)
    records: dict[str, list] = {s: [] for s in chosen}
    for path in args.metrics:
        source, _, _ = _parts(path)
        records[source].append(io.read_json(path))
    data = dict(zip(chosen, map(io.read_json, args.data)))  # _per_source: configured order
    forest = dict(zip(chosen, map(io.read_json, args.forest)))
    summary = cmp.summarise_sources(records, data, forest)
    io.write_csv(args.data_table, cmp.data_table(summary))
    io.write_csv(args.forest_table, cmp.forest_table(summary))
    # a source left out (below paper scale only: claims.yaml marks every row optional)
    # gives "not comparable" rows; at paper scale it is an error
    write_results(args, summary, cmp.results_table(summary), ctx.params)
