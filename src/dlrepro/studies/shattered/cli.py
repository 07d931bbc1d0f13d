"""Steps of the shattered-gradients study (Balduzzi et al. 2017, as reviewed in the post):
gradients of untrained nets along a 1-D line of inputs, feed-forward vs resnet, with and without
BN, and the rectifiers' co-activation per layer -> table, comparison -> figures."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("shattered")
SHATTERED = "results/shattered"
GRADIENTS = "data/processed/shattered/gradients.npz"
LAYERS = "data/processed/shattered/coactivation.npz"


@steps.step(
    help="input gradients and co-activation along a line, per kind x depth x replicate",
    runtime=15,
    mem_mb=2000,
    params=("seed", "device", "shattered"),
    claims=steps.claims,
    gradients=Out(GRADIENTS),
    layers=Out(LAYERS),
    table=Out(f"{SHATTERED}/table.csv"),
    summary=Out(f"{SHATTERED}/metrics.json"),
    comparison=Out(f"{SHATTERED}/comparison.csv"),
)
def measure(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.shattered.measure import coactivation_summary, decay_fits
    from dlrepro.studies.shattered.measure import measure as run
    from dlrepro.studies.shattered.nets import KINDS

    setup(ctx)  # CPU is enough: no training, small nets
    p = ctx.params["shattered"]
    rows, examples, layers = run(KINDS, p, ctx.seed)
    table = pd.DataFrame(rows)
    fits, coactive = decay_fits(table, p["noise_floor"]), coactivation_summary(layers)
    summary = {"kinds": {k: fits[k] | coactive[k] for k in KINDS}, "params": p}
    io.write_npz(args.gradients, **examples)
    io.write_npz(args.layers, **{f"{k}/{a}": v for k in KINDS for a, v in layers[k].items()})
    write_results(args, summary, table, ctx.params)


@steps.step(
    help="gradients along the line; correlation vs depth; co-activation per layer",
    runtime=5,
    gradients=In(GRADIENTS),
    layers=In(LAYERS),
    table=In(f"{SHATTERED}/table.csv"),
    summary=In(f"{SHATTERED}/metrics.json"),
    lines=Out(f"{SHATTERED}/figures/gradients.png", figure=True),
    decay=Out(f"{SHATTERED}/figures/decay.png", figure=True),
    coactivation=Out(f"{SHATTERED}/figures/coactivation.png", figure=True),
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
    layers = io.read_npz(
        args.layers, tuple(f"{k}/{a}" for k in KINDS for a in ("coactivation", "active_fraction"))
    )
    fig.coactivation(layers, summary["params"], args.coactivation)
