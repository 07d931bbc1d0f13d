"""Steps of the quora study (Eren Golge, "Duplicate Question Detection with Deep Learning on
Quora Dataset"): raw pairs -> cleaned + split -> question vectors (3 kinds, and the linked
code's ways) / token sequences -> the variants x R run seeds -> test scores of every saved
model (BN running averages and batch statistics; accuracy and the code's precision) ->
table/figures over runs.

The split and the word vectors are one draw; a run varies the model's initialisation and batch
order (core.repeats.run_seed), so the spread over runs is training noise only."""

from __future__ import annotations

from dlrepro.data.fetch import REGISTRY
from dlrepro.data.steps import fetch
from dlrepro.pipeline.declare import TRAINING_CURVES, In, Out, Steps, Value, Wildcard
from dlrepro.studies.quora.spec import (
    CODE_KINDS,
    FEATURE_KINDS,
    FEATURE_PARAMS,
    RAW_FILE,
    ordered_variants,
)

STUDY = "quora"
steps = Steps(STUDY)
CLAIMS = steps.claims
PAIRS = "data/processed/quora/pairs.tsv"
FEATURES = "data/processed/quora/features_{kind}.npz"
MODEL_DIR = "results/quora/models/{variant}/{run}"
SUMMARY = "results/quora/metrics.json"
EVALUATION = "results/quora/evaluation.json"

PAIR_COLUMNS = ("pair_id", "question1", "question2", "is_duplicate", "is_train")
# a run whose loss diverged in its first epoch has no rows; its file still has the header
HISTORY_COLUMNS = ["epoch", "loss", "train_acc", "test_acc"]


def _variants(config: dict) -> list[str]:
    return ordered_variants(config["quora"]["variants"])


def _feature_kinds(config: dict) -> list[str]:
    """The feature kinds a build makes: those the configured variants read."""
    return sorted({v["features"] for v in config["quora"]["variants"].values()})


def _features_used(wildcards, config: dict) -> list[str]:
    return [FEATURES.format(kind=k) for k in _feature_kinds(config)]


def _raw_name(config: dict) -> str:
    """The registered raw file of the configured data source (quora.data.source)."""
    return RAW_FILE[config["quora"]["data"]["source"]]


def _raw(config: dict) -> str:
    return f"data/raw/{REGISTRY[_raw_name(config)].relpath}"


def _per_variant_run(file: str):
    """Every variant x run's `file`, variants outer and runs inner (the order compare reads)."""
    return lambda wildcards, config: [
        f"{MODEL_DIR}/{file}".format(variant=v, run=r)
        for v in _variants(config)
        for r in range(config[STUDY]["runs"])
    ]


def _variant_spec(params: dict, name: str) -> dict:
    """A variant's full spec: the shared training settings, overridden by the variant's own."""
    from dlrepro.errors import DlreproError

    variants = params["quora"]["variants"]
    if name not in variants:
        raise DlreproError(
            f"params: quora.variants has no variant {name!r} (have {sorted(variants)})"
        )
    spec = {**params["quora"]["training"], **variants[name]}
    spec.pop("features")  # which input file to read: the rule's business, not the model's
    return spec


# the raw file comes through `dlrepro fetch` (dlrepro.data.steps), as MNIST's do
steps.step(
    step_name="fetch",
    command=("fetch",),
    record=("data", "fetch"),
    runtime=30,
    threads=1,
    name=Value(lambda w, config: _raw_name(config)),
    out=Out(_raw),
)(fetch)


def _read_pairs_table(path):
    import pandas as pd

    return pd.read_csv(
        path,
        sep="\t",
        dtype={"pair_id": str, "question1": str, "question2": str},
        keep_default_na=False,
    )


@steps.step(
    help="read, select, clean and split the pairs; data quirks",
    runtime=30,
    mem_mb=4000,
    params=("seed", "quora.data"),
    raw=In(lambda w, config: _raw(config)),
    claims=CLAIMS,
    pairs=Out(PAIRS),
    quirks=Out("results/quora/quirks.csv"),
)
def prepare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.core.determinism import stream_seed
    from dlrepro.data import quora
    from dlrepro.data.fetch import resolve_mirror, verified_raw
    from dlrepro.studies.quora.compare import quirks_with_post

    d = ctx.params["quora"]["data"]
    path = verified_raw(args.raw, resolve_mirror(ctx.params["mirror"]))
    raw = quora.select_source(quora.read_pairs(path), d["source"])
    if (
        d["max_pairs"] and len(raw) > d["max_pairs"]
    ):  # smoke scale: a seeded sample, file order kept
        raw = raw.sample(n=d["max_pairs"], random_state=stream_seed(ctx.seed, "quora", "sample"))
        raw = raw.sort_index().reset_index(drop=True)
    cleaned = quora.clean(raw, d["min_chars"])
    cleaned["is_train"] = quora.split_mask(
        cleaned["is_duplicate"].to_numpy(),
        d["test_fraction"],
        stream_seed(ctx.seed, "quora", "split"),
    )
    post = load_claims(args.claims).get("quirks", {})
    io.write_csv(args.quirks, quirks_with_post(quora.quirks(raw, cleaned), post))
    # default (minimal) quoting: the full release has quotes and newlines inside questions
    io.write_text(
        args.pairs, cleaned[list(PAIR_COLUMNS)].to_csv(sep="\t", index=False, lineterminator="\n")
    )


@steps.step(
    help="question vectors (or token sequences) for every pair",
    runtime=60,
    mem_mb=8000,
    params=lambda wildcards, config: FEATURE_PARAMS[wildcards.kind],
    kind=Wildcard(choices=FEATURE_KINDS, values=_feature_kinds),
    pairs=In(PAIRS),
    out=Out(FEATURES),
)
def features(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.quora import code_features
    from dlrepro.studies.quora import features as feats

    pairs = _read_pairs_table(args.pairs)
    is_train = pairs["is_train"].to_numpy().astype(bool)
    make = code_features.pair_features if args.kind in CODE_KINDS else feats.pair_features
    arrays = make(args.kind, pairs, is_train, ctx.params["quora"]["features"], ctx.seed)
    io.write_npz(args.out, **arrays)


@steps.step(
    help="train one model variant of the post under one run seed",
    gpu=True,
    runtime=180,
    mem_mb=8000,
    params=("seed", "device", "quora.training", "quora.variants.{variant}"),
    variant=Wildcard(pattern=r"[^/]+", values=_variants),
    run=steps.run,
    features=In(
        lambda wildcards, config: FEATURES.format(
            kind=config["quora"]["variants"][wildcards.variant]["features"]
        )
    ),
    weights=Out(f"{MODEL_DIR}/weights.pt"),
    metrics=Out(f"{MODEL_DIR}/metrics.json"),
    history=Out(
        f"{MODEL_DIR}/history.csv",
        plot=(*TRAINING_CURVES, ("test_acc", "test accuracy (per epoch, not used for selection)")),
    ),
)
def train(args, ctx) -> None:
    import numpy as np
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.quora.train import train_variant

    device = setup(ctx)
    spec = _variant_spec(ctx.params, args.variant)
    with np.load(args.features, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    embeddings = data.pop("embeddings", None)
    # the variant's stream, drawn anew in each run: weight init and batch order
    seed = run_seed(ctx.seed, STUDY, args.run, args.variant)
    model, metrics, history = train_variant(spec, data, seed, device, embeddings=embeddings)
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history, columns=HISTORY_COLUMNS))
    io.write_json(args.metrics, {"variant": args.variant, "run": args.run, **metrics})


def _split_of(params: dict, variant: str) -> str:
    """Which split a variant's features carry: prepared, or the code kinds' own."""
    kind = params["quora"]["variants"][variant]["features"]
    if kind in CODE_KINDS:
        return params["quora"]["features"]["code"]["split"]["kind"]
    return "prepared"


@steps.step(
    help="test scores of every saved model: BN running averages and batch statistics (Keras "
    "mode=2); accuracy and the linked code's precision",
    runtime=120,
    mem_mb=4000,
    params=("seed", "quora.training", "quora.variants", "quora.features.code.split"),
    weights=In(_per_variant_run("weights.pt"), many=True),
    features=In(_features_used, many=True),
    evaluation=Out(EVALUATION),
    predictions=Out("results/quora/predictions.npz"),
)
def evaluate(args, ctx) -> None:
    from pathlib import Path

    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.determinism import configure_torch
    from dlrepro.core.repeats import run_seed
    from dlrepro.errors import DlreproError
    from dlrepro.studies.quora.evaluate import evaluate_variant

    configure_torch(ctx.seed, ctx.threads)  # on the CPU: a few seconds for every model
    features = {Path(p).stem.removeprefix("features_"): p for p in args.features}
    weights: dict[str, dict[int, str]] = {}
    for path in args.weights:  # .../models/{variant}/{run}/weights.pt
        run_dir = Path(path).parent
        weights.setdefault(run_dir.parent.name, {})[int(run_dir.name)] = path
    records, arrays = [], {}
    for variant in _variants(ctx.params):
        runs = weights.get(variant, {})
        if sorted(runs) != list(range(ctx.params[STUDY]["runs"])):
            raise DlreproError(f"quora evaluate: {variant} has weights of runs {sorted(runs)}")
        kind = ctx.params["quora"]["variants"][variant]["features"]
        with np.load(features[kind], allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
        embeddings = data.pop("embeddings", None)
        seeds = [run_seed(ctx.seed, STUDY, r, variant) for r in sorted(runs)]
        found, scores = evaluate_variant(
            _variant_spec(ctx.params, variant),
            data,
            [runs[r] for r in sorted(runs)],
            seeds,
            embeddings=embeddings,
        )
        split = _split_of(ctx.params, variant)
        records += [{"variant": variant, "split": split, **r} for r in found]
        arrays.update({f"{variant}__{k}": v for k, v in scores.items()})
    io.write_json(args.evaluation, {"runs": records})
    io.write_npz(args.predictions, **arrays)


@steps.step(
    help="accuracy table over runs, metrics.json, post-vs-ours comparison",
    runtime=10,
    mem_mb=1000,
    params=("quora.data.source",),
    metrics=In(_per_variant_run("metrics.json"), many=True),
    evaluation=In(EVALUATION),
    claims=CLAIMS,
    table=Out("results/quora/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out("results/quora/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.quora.compare import accuracy_table, summary

    result = summary(
        [io.read_json(path) for path in args.metrics],
        _variants(ctx.params),
        io.read_json(args.evaluation)["runs"],
    )
    write_results(args, result, accuracy_table(result), ctx.params)


@steps.step(
    help="learning curves and post-vs-ours accuracy chart, over runs",
    runtime=15,
    mem_mb=2000,
    history=In(_per_variant_run("history.csv"), many=True),
    summary=In(SUMMARY),
    claims=CLAIMS,
    curves=Out("results/quora/figures/learning_curves.png", figure=True),
    accuracy=Out("results/quora/figures/accuracy.png", figure=True),
)
def figures(args, ctx) -> None:
    from pathlib import Path

    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.studies.quora import figures as fig

    histories: dict[str, list] = {}
    for path in args.history:  # variants outer, runs inner: each list is in run order
        histories.setdefault(Path(path).parent.parent.name, []).append(pd.read_csv(path))
    fig.learning_curves(histories, args.curves)
    fig.accuracy_chart(io.read_json(args.summary), load_claims(args.claims), args.accuracy)
