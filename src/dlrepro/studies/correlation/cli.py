"""Steps of the correlation study ("Convolution filters in neural networks are actually
correlation filters", post 002): torch conv2d vs scipy correlate2d / convolve2d on seeded random
cases, and a figure. No training, no data: both steps are cheap at any scale."""

from __future__ import annotations

from dlrepro.pipeline.declare import Out, Steps

steps = Steps("correlation")
COR = "results/correlation"

IDENTITIES = ("correlate2d", "convolve2d", "convolve2d_flipped", "correlate2d_same")
UNFLIPPED_MIN = "smallest repeat of max |conv2d - convolve2d|"


def measure_cases(seed: int, cases: list, repeats: int):
    """One row per (image shape, kernel shape): the largest differences over `repeats` seeded
    random images and kernels."""
    import pandas as pd

    from dlrepro.core.determinism import stream_seed
    from dlrepro.studies.correlation.identities import differences, random_case

    rows = []
    for ih, iw, kh, kw in cases:
        name = f"image {ih}x{iw}, kernel {kh}x{kw}"
        diffs = [
            differences(
                *random_case(stream_seed(seed, "correlation", name, str(r)), (ih, iw), (kh, kw))
            )
            for r in range(repeats)
        ]
        row = {"case": name, "repeats": repeats}
        for key in IDENTITIES:
            row[f"max |conv2d - {key}|"] = max(d[key] for d in diffs) if key in diffs[0] else None
        # the difference that should be large: its smallest over the repeats
        row[UNFLIPPED_MIN] = min(d["convolve2d"] for d in diffs)
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(table, repeats: int) -> dict:
    """metrics.json: the worst case of every identity over every case and repeat (an identity
    must hold in each replicate, so the claims judge the worst case, not a mean)."""
    column = {key: table[f"max |conv2d - {key}|"] for key in IDENTITIES}
    return {
        "cases": len(table),
        "repeats": repeats,
        "max_diff": {key: float(col.max()) for key, col in column.items() if col.notna().any()},
        # the unflipped convolution's SMALLEST difference: it differs in every case
        "min_diff": {"convolve2d": float(table[UNFLIPPED_MIN].min())},
    }


@steps.step(
    help="conv2d vs correlate2d / convolve2d on seeded random cases; comparison",
    runtime=5,
    mem_mb=1000,
    params=("seed", "correlation"),
    claims=steps.claims,
    table=Out(f"{COR}/table.csv"),
    summary=Out(f"{COR}/metrics.json"),
    comparison=Out(f"{COR}/comparison.csv"),
)
def measure(args, ctx) -> None:
    from dlrepro.core.claims import write_results
    from dlrepro.core.torch_utils import setup

    setup(ctx)
    p = ctx.params["correlation"]
    table = measure_cases(ctx.seed, p["cases"], p["repeats"])
    write_results(args, summarise(table, p["repeats"]), table, ctx.params)


@steps.step(
    help="an asymmetric kernel: conv2d, correlate2d, convolve2d, convolve2d flipped",
    runtime=5,
    mem_mb=1000,
    figure=Out(f"{COR}/figures/asymmetric_kernel.png", figure=True),
)
def figures(args, ctx) -> None:
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.correlation import figures as fig
    from dlrepro.studies.correlation.identities import asymmetric_example

    setup(ctx)
    fig.asymmetric(*asymmetric_example(), args.figure)
