"""Steps of the corrviz study (correlation heat maps): the post's five rules applied one at a time
to a real data set shipped with scikit-learn (no download), with a number per rule for what it
changes -> one heat map per rule."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("corrviz")
CORRVIZ = "results/corrviz"
MATRIX = "data/processed/corrviz/correlation.npz"
SUMMARY = f"{CORRVIZ}/metrics.json"


@steps.step(
    help="correlation matrix; the five rules' panels and what each changes",
    runtime=5,
    mem_mb=1000,
    params=("corrviz",),
    claims=steps.claims,
    matrix=Out(MATRIX),
    table=Out(f"{CORRVIZ}/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out(f"{CORRVIZ}/comparison.csv"),
)
def rules(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.corrviz.data import correlation, load
    from dlrepro.studies.corrviz.rules import panel_metrics, panels

    p = ctx.params["corrviz"]
    x, names = load(p["dataset"])
    corr = correlation(x)
    shown = panels(corr, p["middle"])
    table = [panel_metrics(corr, panel) for panel in shown]
    summary = {
        "dataset": p["dataset"],
        "samples": int(x.shape[0]),
        "features": names,
        "panels": {
            row["rule"]: {**row, "order": list(panel.order)} for row, panel in zip(table, shown)
        },
    }
    io.write_npz(args.matrix, corr=corr)
    write_results(args, summary, pd.DataFrame(table), ctx.params)


@steps.step(
    help="one heat map per rule, applied one at a time",
    runtime=5,
    mem_mb=1000,
    matrix=In(MATRIX),
    summary=In(SUMMARY),
    panels=Out(f"{CORRVIZ}/figures/rules.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.corrviz.figures import rule_panels

    rule_panels(
        io.read_npz(args.matrix, ("corr",))["corr"], io.read_json(args.summary), args.panels
    )
