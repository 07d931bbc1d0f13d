"""Steps of the shattered-gradients study (Balduzzi et al. 2017, as reviewed in the post):
gradients of untrained nets along a 1-D line of inputs, feed-forward vs resnet, with and without
BN -> table, comparison -> figures."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("shattered")
SHATTERED = "results/shattered"
GRADIENTS = "data/processed/shattered/gradients.npz"


@steps.step(
    help="input gradients along a line, per kind x depth x replicate",
    runtime=15,
    mem_mb=2000,
    params=("seed", "device", "shattered"),
    claims=steps.claims,
    gradients=Out(GRADIENTS),
    table=Out(f"{SHATTERED}/table.csv"),
    summary=Out(f"{SHATTERED}/metrics.json"),
    comparison=Out(f"{SHATTERED}/comparison.csv"),
)
def measure(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.shattered.measure import decay_fits
    from dlrepro.studies.shattered.measure import measure as run
    from dlrepro.studies.shattered.nets import KINDS

    setup(ctx)  # CPU is enough: no training, small nets
    p = ctx.params["shattered"]
    rows, examples = run(KINDS, p, ctx.seed)
    table = pd.DataFrame(rows)
    summary = {"kinds": decay_fits(table, p["noise_floor"]), "params": p}
    io.write_npz(args.gradients, **examples)
    write_results(args, summary, table, ctx.params)


@steps.step(
    help="gradients along the line; correlation vs depth; autocorrelation",
    runtime=5,
    gradients=In(GRADIENTS),
    table=In(f"{SHATTERED}/table.csv"),
    summary=In(f"{SHATTERED}/metrics.json"),
    lines=Out(f"{SHATTERED}/figures/gradients.png", figure=True),
    decay=Out(f"{SHATTERED}/figures/decay.png", figure=True),
)
def figures(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.studies.shattered import figures as fig
    from dlrepro.studies.shattered.nets import KINDS

    summary = io.read_json(args.summary)
    depths = summary["params"]["depths"]
    names = tuple(f"{k}/{d}" for k in KINDS for d in depths)
    gradients = io.read_npz(args.gradients, names)
    fig.lines(gradients, summary["params"], args.lines)
    fig.decay(pd.read_csv(args.table), summary, args.decay)
