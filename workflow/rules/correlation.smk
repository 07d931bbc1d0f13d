# Correlation study ("Convolution filters in neural networks are actually correlation filters",
# post 002): torch conv2d vs scipy correlate2d / convolve2d on seeded random cases, and a figure.
# No training, no data: both rules are cheap at any scale.
COR = "results/correlation"


def cor_code(*modules):
    return code("studies/correlation/cli.py", "studies/correlation/identities.py",
                *(f"studies/correlation/{m}.py" for m in modules))


rule correlation_measure:
    input:
        claims="src/dlrepro/studies/correlation/claims.yaml",
        code=cor_code(),
    output:
        table=f"{COR}/table.csv",
        summary=f"{COR}/metrics.json",
        comparison=f"{COR}/comparison.csv",
        prov=provenance("correlation", "measure"),
    params:
        p=params_at("seed", "correlation"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} correlation measure --claims {input.claims}"
        " --table {output.table} --summary {output.summary} --comparison {output.comparison}"


rule correlation_figures:
    input:
        code=cor_code("figures"),
    output:
        figure=report(f"{COR}/figures/asymmetric_kernel.png", caption="../report/correlation/asymmetric_kernel.rst", category="correlation"),
        prov=provenance("correlation", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} correlation figures --figure {output.figure}"


REPORT_INPUTS["correlation"] = [
    *rules.correlation_measure.output,
    *rules.correlation_figures.output,
]
