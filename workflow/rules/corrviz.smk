# Correlation heat-map study: the post's five rules applied one at a time to a real data set
# shipped with scikit-learn (no download), with a number per rule for what it changes.
CORRVIZ = "results/corrviz"


rule corrviz_rules:
    input:
        claims="src/dlrepro/studies/corrviz/claims.yaml",
        code=code("studies/corrviz/cli.py", "studies/corrviz/data.py", "studies/corrviz/rules.py"),
    output:
        matrix="data/processed/corrviz/correlation.npz",
        table=f"{CORRVIZ}/table.csv",
        summary=f"{CORRVIZ}/metrics.json",
        comparison=f"{CORRVIZ}/comparison.csv",
        prov=provenance("corrviz", "rules"),
    params:
        p=params_at("corrviz"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} corrviz rules --claims {input.claims}"
        " --matrix {output.matrix} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule corrviz_figures:
    input:
        matrix=rules.corrviz_rules.output.matrix,
        summary=rules.corrviz_rules.output.summary,
        code=code("studies/corrviz/cli.py", "studies/corrviz/figures.py", "studies/corrviz/rules.py"),
    output:
        panels=report(f"{CORRVIZ}/figures/rules.png", caption="../report/corrviz/rules.rst", category="corrviz"),
        prov=provenance("corrviz", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} corrviz figures --matrix {input.matrix}"
        " --summary {input.summary} --panels {output.panels}"


REPORT_INPUTS["corrviz"] = [
    *rules.corrviz_rules.output,
    *rules.corrviz_figures.output,
]
