"""Steps of the polysim study (polynomial similarity): the L2 distance of two curves on an interval
(closed form in the coefficients) vs the Euclidean distance of their coefficients, on random
polynomials -> example and scatter figures."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("polysim")
POLYSIM = "results/polysim"
DISTANCES = "data/processed/polysim/distances.npz"
SUMMARY = f"{POLYSIM}/metrics.json"
NORM_SUMMARIES = ("between_shape_norms_max", "coefficient_vs_nearest_shape_norm")


@steps.step(
    help="both distances (and the L1, L-inf norms of the curves) on random polynomials; table, "
    "metrics, comparison",
    runtime=5,
    mem_mb=1000,
    params=("seed", "polysim"),
    claims=steps.claims,
    distances=Out(DISTANCES),
    table=Out(f"{POLYSIM}/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out(f"{POLYSIM}/comparison.csv"),
)
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
    described = {
        "disagreeing_triplet_fraction": metrics["disagreeing_triplet_fraction"],
        **{k: metrics["shape_norms"][k] for k in NORM_SUMMARIES},
    }
    row = {k: v for k, v in metrics.items() if k not in ("example", "shape_norms", *described)}
    # one row; each fraction as its mean and spread over the replicate sets
    row.update(
        {f"{name}_{k}": d[k] for name, d in described.items() for k in ("mean", "sd", "min", "max")}
    )
    row.update({f"disagree_{k}": v for k, v in metrics["shape_norms"]["pairwise"].items()})
    write_results(args, summary, pd.DataFrame([row]), ctx.params)


@steps.step(
    help="the clearest disagreement as curves and coefficients; distance scatter",
    runtime=5,
    mem_mb=1000,
    distances=In(DISTANCES),
    summary=In(SUMMARY),
    example=Out(f"{POLYSIM}/figures/example.png", figure=True),
    scatter=Out(f"{POLYSIM}/figures/scatter.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.polysim import figures as fig

    summary = io.read_json(args.summary)
    fig.example(summary, args.example)
    fig.scatter(
        io.read_npz(args.distances, ("coefficient_distance", "shape_distance")),
        summary,
        args.scatter,
    )
