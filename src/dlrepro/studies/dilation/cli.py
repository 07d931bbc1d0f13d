"""Steps of the dilation study ("Dilated convolution", post 003): receptive fields of
convolution stacks with dilation 1, 2, 4, ... vs undilated, by input gradient and by formula,
against parameters; the post's figure from the measured gradients. No training."""

from __future__ import annotations

from dlrepro.pipeline.declare import In, Out, Steps

steps = Steps("dilation")
DIL = "results/dilation"


def measure_stacks(p: dict, seed: int):
    import pandas as pd

    from dlrepro.core.determinism import stream_seed
    from dlrepro.studies.dilation.receptive_field import dilations, measure

    rows = []
    for dims in p["dims"]:
        for depth in range(1, p["max_depth"] + 1):
            for kind in ("dilated", "undilated"):
                rates = dilations(depth, kind == "dilated")
                s = stream_seed(seed, "dilation", f"{dims}d", kind, str(depth))
                rows.append(
                    {
                        "dims": dims,
                        "depth": depth,
                        "stack": kind,
                        "dilations": ",".join(map(str, rates)),
                        **measure(dims, rates, p["kernel_size"], p["channels"], s),
                    }
                )
    return pd.DataFrame(rows)


def summarise(table, kernel: int) -> dict:
    """The numbers the claims check (see claims.yaml)."""
    dilated = table[table["stack"] == "dilated"]
    pairs = table.pivot_table(
        index=["dims", "depth"], columns="stack", values=["parameters", "rf_measured"]
    )
    first = table[table["depth"] == 1].set_index(["dims", "stack"])["parameters"]
    per_layer = table.apply(lambda r: first[(r["dims"], r["stack"])], axis=1)
    deepest = table[table["depth"] == table["depth"].max()].set_index(["dims", "stack"])[
        "rf_measured"
    ]
    expected_dilated = 1 + (kernel - 1) * (2 ** dilated["depth"] - 1)  # 2^(L+1) - 1 at k = 3
    return {
        "stacks": len(table),
        "formula_mismatches": int((table["rf_measured"] != table["rf_formula"]).sum()),
        "holes": int(table["holes"].sum()),
        "dilated_rf_max_deviation_from_exponential": int(
            (dilated["rf_measured"] - expected_dilated).abs().max()
        ),
        "parameters_max_difference_dilated_vs_undilated": int(
            (pairs["parameters"]["dilated"] - pairs["parameters"]["undilated"]).abs().max()
        ),
        "parameters_max_deviation_from_linear": int(
            (table["parameters"] - table["depth"] * per_layer).abs().max()
        ),
        "deepest": {
            "depth": int(table["depth"].max()),
            **{f"rf_{kind}_{dims}d": int(deepest[(dims, kind)]) for dims, kind in deepest.index},
        },
    }


@steps.step(
    help="receptive field by gradient and formula, parameters; post-vs-ours comparison",
    runtime=5,
    mem_mb=2000,
    params=("seed", "dilation"),
    claims=steps.claims,
    table=Out(f"{DIL}/table.csv"),
    summary=Out(f"{DIL}/metrics.json"),
    comparison=Out(f"{DIL}/comparison.csv"),
    layers=Out(f"{DIL}/figure_layers.npz"),
)
def measure(args, ctx) -> None:
    from dlrepro.core import io
    from dlrepro.core.claims import write_results
    from dlrepro.core.determinism import stream_seed
    from dlrepro.core.torch_utils import setup
    from dlrepro.studies.dilation.receptive_field import figure_layers, formula

    setup(ctx)
    p = ctx.params["dilation"]
    table = measure_stacks(p, ctx.seed)
    rates = p["figure_dilations"]
    size = formula(p["kernel_size"], rates) + 2  # one blank cell around the largest field
    layers = figure_layers(
        rates, p["kernel_size"], size, stream_seed(ctx.seed, "dilation", "figure")
    )
    result = summarise(table, p["kernel_size"])
    result["figure"] = {
        f"rf_layer{layer}": int(layers[f"rf_{layer}"].any(axis=1).sum())
        for layer in range(1, len(rates) + 1)
    }
    io.write_npz(args.layers, **layers)
    write_results(args, result, table, ctx.params)


@steps.step(
    help="receptive field vs depth and parameters; the post's figure",
    runtime=5,
    mem_mb=1000,
    params=("dilation.figure_dilations",),
    table=In(f"{DIL}/table.csv"),
    layers=In(f"{DIL}/figure_layers.npz"),
    curves=Out(f"{DIL}/figures/receptive_field_vs_depth.png", figure=True),
    post_figure=Out(f"{DIL}/figures/post_figure.png", figure=True),
)
def figures(args, ctx) -> None:
    import pandas as pd

    from dlrepro.core import io
    from dlrepro.studies.dilation import figures as fig

    rates = ctx.params["dilation"]["figure_dilations"]
    keys = tuple(f"{name}_{layer}" for layer in range(1, len(rates) + 1) for name in ("taps", "rf"))
    fig.rf_vs_depth(pd.read_csv(args.table), args.curves)
    fig.post_figure(io.read_npz(args.layers, keys), rates, args.post_figure)
