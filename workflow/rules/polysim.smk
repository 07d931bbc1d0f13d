# Polynomial-similarity study: the L2 distance of two curves on an interval (closed form in the
# coefficients) vs the Euclidean distance of their coefficients, on random polynomials.
POLYSIM = "results/polysim"


rule polysim_evaluate:
    input:
        claims="src/dlrepro/studies/polysim/claims.yaml",
        code=code("studies/polysim/cli.py", "studies/polysim/distance.py", "studies/polysim/evaluate.py"),
    output:
        distances="data/processed/polysim/distances.npz",
        table=f"{POLYSIM}/table.csv",
        summary=f"{POLYSIM}/metrics.json",
        comparison=f"{POLYSIM}/comparison.csv",
        prov=provenance("polysim", "evaluate"),
    params:
        p=params_at("seed", "polysim"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} polysim evaluate --claims {input.claims}"
        " --distances {output.distances} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule polysim_figures:
    input:
        distances=rules.polysim_evaluate.output.distances,
        summary=rules.polysim_evaluate.output.summary,
        code=code("studies/polysim/cli.py", "studies/polysim/distance.py", "studies/polysim/figures.py"),
    output:
        example=report(f"{POLYSIM}/figures/example.png", caption="../report/polysim/example.rst", category="polysim"),
        scatter=report(f"{POLYSIM}/figures/scatter.png", caption="../report/polysim/scatter.rst", category="polysim"),
        prov=provenance("polysim", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} polysim figures --distances {input.distances}"
        " --summary {input.summary} --example {output.example} --scatter {output.scatter}"


REPORT_INPUTS["polysim"] = [
    *rules.polysim_evaluate.output,
    *rules.polysim_figures.output,
]
