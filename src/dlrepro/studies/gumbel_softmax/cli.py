"""Steps of the Gumbel-softmax study (post 003, "What I read lately": Jang, Gu & Poole 2016):
the relaxation and the gradient estimators on a small categorical, one job per run seed ->
semi-supervised MNIST with 100 labels, Gumbel-softmax M2 vs the classifier alone, one job per
(variant, run seed) -> table and comparison over the runs -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps, Wildcard
from dlrepro.studies.gumbel_softmax.variants import VARIANTS

STUDY = "gumbel_softmax"
steps = Steps(STUDY)
OUT = f"results/{STUDY}"
ESTIMATORS = f"{OUT}/estimators/{{run}}.json"
MODEL = f"{OUT}/models/{{variant}}/{{run}}.json"


def _model_files(wildcards, config) -> list[str]:
    """Every (variant, run)'s metrics, variants outer, runs in order."""
    runs = range(config[STUDY]["runs"])
    return [MODEL.format(variant=v, run=r) for v in VARIANTS for r in runs]


@steps.step(
    help="simplex, one-hot-ness, argmax fit, expectation and gradient estimators vs temperature, "
    "on one run's categorical",
    runtime=5,
    mem_mb=2000,
    params=("seed", f"{STUDY}.estimators"),
    run=steps.run,
    out=Out(ESTIMATORS),
)
def estimators(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.studies.gumbel_softmax.measures import measure_run

    rng = np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, "estimators"))
    io.write_json(args.out, {"run": args.run, **measure_run(rng, ctx.params[STUDY]["estimators"])})


@steps.step(
    help="train one variant on MNIST with few labels under one run seed; validation-chosen "
    "checkpoint's test accuracy",
    gpu=True,
    runtime=10,
    mem_mb=3000,
    params=("seed", "device", f"{STUDY}.semi"),
    variant=Wildcard(choices=VARIANTS),
    run=steps.run,
    data=In(MNIST),
    out=Out(MODEL),
)
def train(args, ctx) -> None:
    import numpy as np

    from dlrepro.core import io
    from dlrepro.core.repeats import run_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.gumbel_softmax.semi import prepare
    from dlrepro.studies.gumbel_softmax.semi import train as train_variant

    device = setup(ctx)
    p = ctx.params[STUDY]["semi"]
    # run r: the same labelled images, classifier init and batch order in both variants (paired)
    rng = np.random.default_rng(run_seed(ctx.seed, STUDY, args.run, "labels"))
    data = {k: v.to(device) for k, v in prepare(args.data, p["data"], rng).items()}
    seeds = {name: run_seed(ctx.seed, STUDY, args.run, name) for name in ("init", "batches")}
    seeds["noise"] = run_seed(ctx.seed, STUDY, args.run, "noise", args.variant)
    result = train_variant(args.variant, data, p["model"], seeds, device)
    io.write_json(
        args.out,
        {
            "variant": args.variant,
            "run": args.run,
            "labelled": len(data["y_labelled"]),
            "unlabelled": len(data["x_unlabelled"]),
            "validation": len(data["y_val"]),
            "test": len(data["y_test"]),
            **result,
        },
    )


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    runs=steps.each_run(ESTIMATORS),
    models=In(_model_files, many=True),
    claims=steps.claims,
    table=Out(f"{OUT}/table.csv"),
    summary=Out(f"{OUT}/metrics.json"),
    comparison=Out(f"{OUT}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.gumbel_softmax.compare import results_table, summarise

    result = summarise([io.read_json(p) for p in args.runs], [io.read_json(p) for p in args.models])
    write_results(args, result, results_table(result), ctx.params)


@steps.step(
    help="one-hot-ness and expectation vs temperature; estimator variance and bias; "
    "semi-supervised validation curves and test accuracy",
    runtime=5,
    runs=steps.each_run(ESTIMATORS),
    models=In(_model_files, many=True),
    relaxation=Out(f"{OUT}/figures/relaxation.png", figure=True),
    gradients=Out(f"{OUT}/figures/gradients.png", figure=True),
    semi=Out(f"{OUT}/figures/semi_supervised.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.gumbel_softmax import figures as fig

    runs = [io.read_json(p) for p in args.runs]
    fig.relaxation(runs, args.relaxation)
    fig.gradients(runs, args.gradients)
    fig.semi_supervised([io.read_json(p) for p in args.models], args.semi)
