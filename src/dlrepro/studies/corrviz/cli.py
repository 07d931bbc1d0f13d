"""Steps of the corrviz study, as `dlrepro corrviz <step>` sub-commands."""

from __future__ import annotations

from dlrepro.core.step import IN, OUT, add_step


def add_steps(steps) -> None:
    add_step(steps, "rules", "correlation matrix; the five rules' panels and what each changes",
             rules, claims=IN, matrix=OUT, table=OUT, summary=OUT, comparison=OUT)
    add_step(steps, "figures", "one heat map per rule, applied one at a time", figures,
             matrix=IN, summary=IN, panels=OUT)


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
    summary = {"dataset": p["dataset"], "samples": int(x.shape[0]), "features": names,
               "panels": {row["rule"]: {**row, "order": list(panel.order)}
                          for row, panel in zip(table, shown)}}
    io.write_npz(args.matrix, corr=corr)
    write_results(args, summary, pd.DataFrame(table), ctx.params)


def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.corrviz.figures import rule_panels

    rule_panels(io.read_npz(args.matrix, ("corr",))["corr"], io.read_json(args.summary), args.panels)
