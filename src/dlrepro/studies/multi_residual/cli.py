"""Steps of the multi-residual study ("What I read lately", post 003; Veit et al. 2016 and
Abdi & Nahavandi 2016): one job per run seed trains a residual MLP, a plain net of equal depth
and a multi-residual net on 14x14 MNIST, lesions blocks, measures gradient per path length and
trains on the effective paths (experiment.py) -> comparison over the runs -> figures."""

from __future__ import annotations

from dlrepro.data.steps import MNIST
from dlrepro.pipeline.declare import In, Out, Steps

STUDY = "multi_residual"
steps = Steps(STUDY)
OUT = f"results/{STUDY}"
RUN = f"{OUT}/runs/{{run}}.json"


@steps.step(
    help="one run seed: ResNet, plain and multi-residual nets; lesions; gradient per path "
    "length; training on the effective paths",
    gpu=True,
    runtime=10,
    mem_mb=2000,
    params=("seed", "device", STUDY),
    run=steps.run,
    data=In(MNIST),
    out=Out(RUN),
)
def train(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.multi_residual.data import small_mnist
    from dlrepro.studies.multi_residual.experiment import run_experiment

    device = setup(ctx)
    p = ctx.params[STUDY]
    d = small_mnist(args.data, p["data"])
    result = run_experiment(d, p, ctx.seed, args.run, device)
    result["n_train"], result["n_test"] = len(d["y_train"]), len(d["y_test"])
    io.write_json(args.out, result)


@steps.step(
    help="table, metrics.json (every run), post-vs-ours comparison",
    runtime=5,
    runs=steps.each_run(RUN),
    claims=steps.claims,
    table=Out(f"{OUT}/table.csv"),
    summary=Out(f"{OUT}/metrics.json"),
    comparison=Out(f"{OUT}/comparison.csv"),
)
def compare(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.multi_residual.summary import results_table, summarise

    result = summarise([io.read_json(p) for p in args.runs])
    write_results(args, result, results_table(result), ctx.params)


@steps.step(
    help="accuracy per deleted block; gradient per path length; test accuracy of every net",
    runtime=5,
    runs=steps.each_run(RUN),
    lesion=Out(f"{OUT}/figures/lesion.png", figure=True),
    gradient=Out(f"{OUT}/figures/gradient.png", figure=True),
    accuracy=Out(f"{OUT}/figures/accuracy.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.multi_residual import figures as fig

    runs = sorted((io.read_json(p) for p in args.runs), key=lambda r: r["run"])
    fig.lesion(runs, args.lesion)
    fig.gradient(runs, args.gradient)
    fig.accuracy(runs, args.accuracy)
