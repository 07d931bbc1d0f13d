"""Steps of the polysim study, as `dlrepro polysim <step>` sub-commands."""

from __future__ import annotations

from dlrepro.core.step import IN, OUT, add_step


def add_steps(steps) -> None:
    add_step(steps, "evaluate", "both distances on random polynomials; table, metrics, comparison",
             evaluate, claims=IN, distances=OUT, table=OUT, summary=OUT, comparison=OUT)
    add_step(steps, "figures", "the clearest disagreement as curves and coefficients; distance scatter",
             figures, distances=IN, summary=IN, example=OUT, scatter=OUT)


def evaluate(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.determinism import rng
    from dlrepro.studies.polysim.evaluate import evaluate as run

    p = ctx.params["polysim"]
    metrics, arrays = run(rng(ctx.seed, "polysim"), p)
    summary = {**metrics, "params": p}
    io.write_npz(args.distances, **arrays)
    write_results(args, summary, pd.DataFrame([{k: v for k, v in metrics.items() if k != "example"}]), ctx.params)


def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.polysim import figures as fig

    summary = io.read_json(args.summary)
    fig.example(summary, args.example)
    fig.scatter(io.read_npz(args.distances, ("coefficient_distance", "shape_distance")), summary,
                args.scatter)
