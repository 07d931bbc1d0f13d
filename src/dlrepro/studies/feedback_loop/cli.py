"""Steps of the feedback_loop study (fast.ai lesson 1, predictive policing): a simulation of
officers placed by recorded arrests vs by crimes, every district with the same crime rate
-> districts policed over time and final allocations."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("feedback_loop")
FBL = "results/feedback_loop"
RUNS = "data/processed/feedback_loop/runs.npz"
SUMMARY = f"{FBL}/metrics.json"


def _city(p: dict):
    from dlrepro.studies.feedback_loop.simulate import City

    return City(
        **{k: p[k] for k in ("districts", "officers", "crime_rate", "detection", "explore")}
    )


@steps.step(
    help="run every policy x replicate; table, metrics, comparison",
    runtime=5,
    mem_mb=1000,
    params=("seed", "feedback_loop"),
    claims=steps.claims,
    runs=Out(RUNS),
    table=Out(f"{FBL}/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out(f"{FBL}/comparison.csv"),
)
def simulate(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.feedback_loop.simulate import run_all, summarise

    p = ctx.params["feedback_loop"]
    city = _city(p)
    runs = run_all(city, p["periods"], p["replicates"], ctx.seed)
    summary = {"policies": summarise(runs, city), "city": p}
    io.write_npz(args.runs, **runs)
    # one row per policy: each last-period quantity as its mean and sd over the replicates
    rows = [
        {
            "policy": policy,
            "replicates": p["replicates"],
            **{
                f"{k}_{stat}": v[stat]
                for k, v in s.items()
                if k.startswith("final_")
                for stat in ("mean", "sd")
            },
            "final_districts_policed_min": int(s["final_districts_policed"]["min"]),
            "final_districts_policed_max": int(s["final_districts_policed"]["max"]),
        }
        for policy, s in summary["policies"].items()
    ]
    write_results(args, summary, pd.DataFrame(rows), ctx.params)


@steps.step(
    help="districts policed and officer inequality over time; final allocations",
    runtime=5,
    mem_mb=1000,
    runs=In(RUNS),
    summary=In(SUMMARY),
    over_time=Out(f"{FBL}/figures/over_time.png", figure=True),
    allocations=Out(f"{FBL}/figures/allocations.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.feedback_loop import figures as fig
    from dlrepro.studies.feedback_loop.simulate import POLICIES

    summary = io.read_json(args.summary)
    runs = io.read_npz(args.runs, tuple(f"{p}/officers" for p in POLICIES))
    fig.over_time(summary, args.over_time)
    fig.allocations(runs, summary["city"], args.allocations)
