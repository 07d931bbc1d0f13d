# Dilation study ("Dilated convolution", post 003): receptive fields of convolution stacks with
# dilation 1, 2, 4, ... vs undilated, by input gradient and by formula, against parameters;
# the post's figure from the measured gradients. No training.
DIL = "results/dilation"


def dil_code(*modules):
    return code("studies/dilation/cli.py", *(f"studies/dilation/{m}.py" for m in modules))


rule dilation_measure:
    input:
        claims="src/dlrepro/studies/dilation/claims.yaml",
        code=dil_code("receptive_field"),
    output:
        table=f"{DIL}/table.csv",
        summary=f"{DIL}/metrics.json",
        comparison=f"{DIL}/comparison.csv",
        layers=f"{DIL}/figure_layers.npz",
        prov=provenance("dilation", "measure"),
    params:
        p=params_at("seed", "dilation"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} dilation measure --claims {input.claims}"
        " --table {output.table} --summary {output.summary} --comparison {output.comparison}"
        " --layers {output.layers}"


rule dilation_figures:
    input:
        table=rules.dilation_measure.output.table,
        layers=rules.dilation_measure.output.layers,
        code=dil_code("figures"),
    output:
        curves=report(f"{DIL}/figures/receptive_field_vs_depth.png", caption="../report/dilation/receptive_field_vs_depth.rst", category="dilation"),
        post_figure=report(f"{DIL}/figures/post_figure.png", caption="../report/dilation/post_figure.rst", category="dilation"),
        prov=provenance("dilation", "figures"),
    params:
        p=params_at("dilation.figure_dilations"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} dilation figures --table {input.table}"
        " --layers {input.layers} --curves {output.curves} --post-figure {output.post_figure}"


REPORT_INPUTS["dilation"] = [
    *rules.dilation_measure.output,
    *rules.dilation_figures.output,
]
