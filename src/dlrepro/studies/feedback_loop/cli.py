"""Steps of the feedback_loop study, as `dlrepro feedback_loop <step>` sub-commands."""

from __future__ import annotations

from dlrepro.core.step import IN, OUT, add_step


def add_steps(steps) -> None:
    add_step(steps, "simulate", "run every policy x replicate; table, metrics, comparison", simulate,
             claims=IN, runs=OUT, table=OUT, summary=OUT, comparison=OUT)
    add_step(steps, "figures", "districts policed and officer inequality over time; final allocations",
             figures, runs=IN, summary=IN, over_time=OUT, allocations=OUT)


def _city(p: dict):
    from dlrepro.studies.feedback_loop.simulate import City

    return City(**{k: p[k] for k in ("districts", "officers", "crime_rate", "detection", "explore")})


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
    rows = [{"policy": policy, **{k: v for k, v in s.items() if k.startswith("final_")}}
            for policy, s in summary["policies"].items()]
    write_results(args, summary, pd.DataFrame(rows), ctx.params)


def figures(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.feedback_loop import figures as fig
    from dlrepro.studies.feedback_loop.simulate import POLICIES

    summary = io.read_json(args.summary)
    runs = io.read_npz(args.runs, tuple(f"{p}/officers" for p in POLICIES))
    fig.over_time(summary, args.over_time)
    fig.allocations(runs, summary["city"], args.allocations)
