# Shattered-gradients study (Balduzzi et al. 2017, as reviewed in the post): gradients of
# untrained nets along a 1-D line of inputs, feed-forward vs resnet, with and without BN.
SHATTERED = "results/shattered"


rule shattered_measure:
    input:
        claims="src/dlrepro/studies/shattered/claims.yaml",
        code=code("studies/shattered/cli.py", "studies/shattered/nets.py", "studies/shattered/measure.py"),
    output:
        gradients="data/processed/shattered/gradients.npz",
        table=f"{SHATTERED}/table.csv",
        summary=f"{SHATTERED}/metrics.json",
        comparison=f"{SHATTERED}/comparison.csv",
        prov=provenance("shattered", "measure"),
    params:
        p=params_at("seed", "device", "shattered"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} shattered measure --claims {input.claims}"
        " --gradients {output.gradients} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule shattered_figures:
    input:
        gradients=rules.shattered_measure.output.gradients,
        table=rules.shattered_measure.output.table,
        summary=rules.shattered_measure.output.summary,
        code=code("studies/shattered/cli.py", "studies/shattered/nets.py", "studies/shattered/figures.py"),
    output:
        lines=report(f"{SHATTERED}/figures/gradients.png", caption="../report/shattered/gradients.rst", category="shattered"),
        decay=report(f"{SHATTERED}/figures/decay.png", caption="../report/shattered/decay.rst", category="shattered"),
        prov=provenance("shattered", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} shattered figures --gradients {input.gradients}"
        " --table {input.table} --summary {input.summary} --lines {output.lines} --decay {output.decay}"


REPORT_INPUTS["shattered"] = [
    *rules.shattered_measure.output,
    *rules.shattered_figures.output,
]
