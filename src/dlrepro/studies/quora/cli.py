"""Steps of the quora study, as `dlrepro quora <step>` sub-commands (one per pipeline rule)."""

from __future__ import annotations

from dlrepro.core.step import InputFile, OutputFile
from dlrepro.studies.quora.spec import FEATURE_KINDS

PAIR_COLUMNS = ("pair_id", "question1", "question2", "is_duplicate", "is_train")


def add_steps(steps) -> None:
    p = steps.add_parser("prepare", help="read, select, clean and split the pairs; data quirks")
    p.add_argument("--raw", type=InputFile, required=True)
    p.add_argument("--claims", type=InputFile, required=True)
    p.add_argument("--pairs", type=OutputFile, required=True)
    p.add_argument("--quirks", type=OutputFile, required=True)
    p.set_defaults(func=prepare)

    p = steps.add_parser("features", help="question vectors (or token sequences) for every pair")
    p.add_argument("--kind", choices=FEATURE_KINDS, required=True)
    p.add_argument("--pairs", type=InputFile, required=True)
    p.add_argument("--out", type=OutputFile, required=True)
    p.set_defaults(func=features)

    p = steps.add_parser("train", help="train one model variant of the post")
    p.add_argument("--variant", required=True)
    p.add_argument("--features", type=InputFile, required=True)
    p.add_argument("--weights", type=OutputFile, required=True)
    p.add_argument("--metrics", type=OutputFile, required=True)
    p.add_argument("--history", type=OutputFile, required=True)
    p.set_defaults(func=train)

    p = steps.add_parser("compare", help="accuracy table, metrics.json, post-vs-ours comparison")
    p.add_argument("--metrics", type=InputFile, nargs="+", required=True)
    p.add_argument("--claims", type=InputFile, required=True)
    p.add_argument("--table", type=OutputFile, required=True)
    p.add_argument("--summary", type=OutputFile, required=True)
    p.add_argument("--comparison", type=OutputFile, required=True)
    p.set_defaults(func=compare)

    p = steps.add_parser("figures", help="learning curves and post-vs-ours accuracy chart")
    p.add_argument("--history", type=InputFile, nargs="+", required=True)
    p.add_argument("--summary", type=InputFile, required=True)
    p.add_argument("--claims", type=InputFile, required=True)
    p.add_argument("--curves", type=OutputFile, required=True)
    p.add_argument("--accuracy", type=OutputFile, required=True)
    p.set_defaults(func=figures)


def _variant_spec(params: dict, name: str) -> dict:
    """A variant's full spec: the shared training settings, overridden by the variant's own."""
    from dlrepro.errors import DlreproError

    variants = params["quora"]["variants"]
    if name not in variants:
        raise DlreproError(f"params: quora.variants has no variant {name!r} (have {sorted(variants)})")
    spec = {**params["quora"]["training"], **variants[name]}
    spec.pop("features")  # which input file to read: the rule's business, not the model's
    return spec


def _read_pairs_table(path):
    import pandas as pd

    return pd.read_csv(path, sep="\t", dtype={"pair_id": str, "question1": str, "question2": str},
                       keep_default_na=False)


def prepare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.core.determinism import stream_seed
    from dlrepro.data import quora
    from dlrepro.studies.quora.compare import quirks_with_post

    d = ctx.params["quora"]["data"]
    raw = quora.select_source(quora.read_pairs(args.raw), d["source"])
    if d["max_pairs"] and len(raw) > d["max_pairs"]:  # smoke scale: a seeded sample, file order kept
        raw = raw.sample(n=d["max_pairs"], random_state=stream_seed(ctx.seed, "quora", "sample"))
        raw = raw.sort_index().reset_index(drop=True)
    cleaned = quora.clean(raw, d["min_chars"])
    cleaned["is_train"] = quora.split_mask(cleaned["is_duplicate"].to_numpy(), d["test_fraction"],
                                           stream_seed(ctx.seed, "quora", "split"))
    post = load_claims(args.claims).get("quirks", {})
    io.write_csv(args.quirks, quirks_with_post(quora.quirks(raw, cleaned), post))
    # default (minimal) quoting: the full release has quotes and newlines inside questions
    io.write_text(args.pairs, cleaned[list(PAIR_COLUMNS)].to_csv(sep="\t", index=False,
                                                                 lineterminator="\n"))


def features(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.quora import features as feats

    pairs = _read_pairs_table(args.pairs)
    is_train = pairs["is_train"].to_numpy().astype(bool)
    arrays = feats.pair_features(args.kind, pairs, is_train, ctx.params["quora"]["features"], ctx.seed)
    io.write_npz(args.out, **arrays)


def train(args, ctx) -> None:
    import numpy as np
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import save_weights, setup
    from dlrepro.studies.quora.train import train_variant

    device = setup(ctx)
    spec = _variant_spec(ctx.params, args.variant)
    with np.load(args.features, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    embeddings = data.pop("embeddings", None)
    model, metrics, history = train_variant(spec, data, stream_seed(ctx.seed, "quora", args.variant),
                                            device, embeddings=embeddings)
    save_weights(args.weights, model)
    io.write_csv(args.history, pd.DataFrame(history))
    io.write_json(args.metrics, {"variant": args.variant, **metrics})


def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import compare as compare_claims, load_claims
    from dlrepro.studies.quora.compare import accuracy_table, summary

    per_variant = io.read_keyed_records(args.metrics, "variant", ctx.params["quora"]["variants"])
    result = summary(per_variant)
    io.write_csv(args.table, accuracy_table(per_variant))
    io.write_json(args.summary, result)
    io.write_csv(args.comparison, compare_claims(load_claims(args.claims), result, ctx.params))


def figures(args, ctx) -> None:
    from pathlib import Path

    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import load_claims
    from dlrepro.studies.quora import figures as fig

    histories = {Path(p).parent.name: pd.read_csv(p) for p in args.history}
    fig.learning_curves(histories, args.curves)
    fig.accuracy_chart(io.read_json(args.summary), load_claims(args.claims), args.accuracy)
