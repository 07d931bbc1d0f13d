"""Steps of the feedback_loop study (fast.ai lesson 1 notes): a simulation of officers placed
by recorded arrests vs by crimes, every district with the same crime rate -> districts policed
over time and final allocations; and the lesson's other concrete items, one small experiment
each: XOR with and without a hidden layer, fastai's default validation hold-out, and leakage
from a random split of a time series. `compare` gathers them into one comparison."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("feedback_loop")
FBL = "results/feedback_loop"
PROCESSED = "data/processed/feedback_loop"
RUNS = f"{PROCESSED}/runs.npz"
SIMULATION = f"{PROCESSED}/simulation.json"
XOR = f"{PROCESSED}/xor.json"
HOLDOUT = f"{PROCESSED}/holdout.json"
LEAKAGE = f"{PROCESSED}/leakage.json"
LEAKAGE_RUN = f"{PROCESSED}/leakage_run0.npz"
SUMMARY = f"{FBL}/metrics.json"
# the simulation's own params (not the experiments' sub-blocks, so that those rerun only theirs)
SIMULATION_PARAMS = tuple(
    f"feedback_loop.{k}"
    for k in (
        "districts",
        "officers",
        "crime_rate",
        "detection",
        "explore",
        "periods",
        "replicates",
    )
)


def _city(p: dict):
    from dlrepro.studies.feedback_loop.simulate import City

    return City(
        **{k: p[k] for k in ("districts", "officers", "crime_rate", "detection", "explore")}
    )


@steps.step(
    help="run every policy x replicate; the policies' summary",
    runtime=5,
    mem_mb=1000,
    params=("seed", *SIMULATION_PARAMS),
    runs=Out(RUNS),
    summary=Out(SIMULATION),
)
def simulate(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.feedback_loop.simulate import run_all, summarise

    p = ctx.params["feedback_loop"]
    city = _city(p)
    runs = run_all(city, p["periods"], p["replicates"], ctx.seed)
    io.write_npz(args.runs, **runs)
    city_params = {k.split(".", 1)[1]: p[k.split(".", 1)[1]] for k in SIMULATION_PARAMS}
    io.write_json(args.summary, {"policies": summarise(runs, city), "city": city_params})


@steps.step(
    help="XOR: a single-layer net vs one hidden layer, same training, over runs",
    runtime=5,
    mem_mb=1000,
    params=("seed", "feedback_loop.xor"),
    summary=Out(XOR),
    table=Out(f"{FBL}/xor_single_layer_vs_hidden_layer.csv"),
)
def xor(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.studies.feedback_loop.xor import summarise, train

    p = ctx.params["feedback_loop"]["xor"]
    result = summarise(train(p, ctx.seed), p)
    io.write_json(args.summary, result)
    rows = [
        {
            "net": net,
            "runs": p["runs"],
            "accuracy_mean": result[net]["accuracy"]["mean"],
            "accuracy_min": result[net]["accuracy"]["min"],
            "accuracy_max": result[net]["accuracy"]["max"],
            "share_of_runs_all_four_right": result[net]["share_of_runs_all_four_right"],
            "final_loss_mean": result[net]["final_loss"]["mean"],
        }
        for net in ("single_layer", "hidden_layer")
    ]
    io.write_csv(args.table, pd.DataFrame(rows))


@steps.step(
    help="fastai's default validation hold-out (documented constant) vs scikit-learn's default",
    runtime=5,
    mem_mb=1000,
    params=("seed", "feedback_loop.holdout"),
    summary=Out(HOLDOUT),
    table=Out(f"{FBL}/validation_hold_out.csv"),
)
def holdout(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.studies.feedback_loop.splits import hold_out_table, summarise_hold_out

    rows = hold_out_table(ctx.params["feedback_loop"]["holdout"]["sizes"], ctx.seed)
    io.write_json(args.summary, summarise_hold_out(rows))
    io.write_csv(args.table, pd.DataFrame(rows))


@steps.step(
    help="random vs time split of an autocorrelated series (k-NN regression), over runs",
    runtime=5,
    mem_mb=1000,
    params=("seed", "feedback_loop.leakage"),
    summary=Out(LEAKAGE),
    arrays=Out(LEAKAGE_RUN),
    table=Out(f"{FBL}/time_series_split_leakage.csv"),
)
def leakage(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.studies.feedback_loop.leakage import run_all, table

    metrics, arrays = run_all(ctx.params["feedback_loop"]["leakage"], ctx.seed)
    io.write_json(args.summary, metrics)
    io.write_npz(args.arrays, **arrays)
    io.write_csv(args.table, pd.DataFrame(table(metrics)))


@steps.step(
    help="the policies' table, metrics.json (every experiment), post-vs-ours comparison",
    runtime=5,
    mem_mb=1000,
    simulation=In(SIMULATION),
    xor_summary=In(XOR),
    holdout_summary=In(HOLDOUT),
    leakage_summary=In(LEAKAGE),
    claims=steps.claims,
    table=Out(f"{FBL}/table.csv"),
    summary=Out(SUMMARY),
    comparison=Out(f"{FBL}/comparison.csv"),
)
def compare(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.studies.feedback_loop.simulate import policy_table

    simulation = io.read_json(args.simulation)
    summary = {
        **simulation,
        "xor": io.read_json(args.xor_summary),
        "holdout": io.read_json(args.holdout_summary),
        "leakage": io.read_json(args.leakage_summary),
    }
    table = pd.DataFrame(policy_table(simulation["policies"], simulation["city"]["replicates"]))
    write_results(args, summary, table, ctx.params)


@steps.step(
    help="districts policed and officer inequality over time; final allocations",
    runtime=5,
    mem_mb=1000,
    runs=In(RUNS),
    summary=In(SIMULATION),
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


@steps.step(
    help="the leakage experiment: run 0's predictions by split; validation vs later MSE",
    runtime=5,
    mem_mb=1000,
    params=("feedback_loop.leakage.dev",),
    arrays=In(LEAKAGE_RUN),
    summary=In(LEAKAGE),
    leakage=Out(f"{FBL}/figures/split_leakage.png", figure=True),
)
def leakage_figure(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.studies.feedback_loop import figures as fig

    keys = ("y", "level", "random/valid", "random/valid_pred", "time/valid", "time/valid_pred")
    fig.split_leakage(
        io.read_npz(args.arrays, keys),
        io.read_json(args.summary),
        ctx.params["feedback_loop"]["leakage"],
        args.leakage,
    )
