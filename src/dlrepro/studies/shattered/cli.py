"""Steps of the shattered study, as `dlrepro shattered <step>` sub-commands."""

from __future__ import annotations

from dlrepro.core.step import IN, OUT, add_step


def add_steps(steps) -> None:
    add_step(steps, "measure", "input gradients along a line, per kind x depth x replicate", measure,
             claims=IN, gradients=OUT, table=OUT, summary=OUT, comparison=OUT)
    add_step(steps, "figures", "gradients along the line; correlation vs depth; autocorrelation",
             figures, gradients=IN, table=IN, summary=IN, lines=OUT, decay=OUT)


def measure(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.shattered.measure import decay_fits, measure as run
    from dlrepro.studies.shattered.nets import KINDS

    setup(ctx)  # CPU is enough: no training, small nets
    p = ctx.params["shattered"]
    rows, examples = run(KINDS, p, ctx.seed)
    table = pd.DataFrame(rows)
    summary = {"kinds": decay_fits(table, p["noise_floor"]), "params": p}
    io.write_npz(args.gradients, **examples)
    write_results(args, summary, table, ctx.params)


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
