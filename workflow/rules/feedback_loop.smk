# Feedback-loop study (fast.ai lesson 1, predictive policing): a simulation of officers placed
# by recorded arrests vs by crimes, every district with the same crime rate.
FBL = "results/feedback_loop"


rule feedback_loop_simulate:
    input:
        claims="src/dlrepro/studies/feedback_loop/claims.yaml",
        code=code("studies/feedback_loop/cli.py", "studies/feedback_loop/simulate.py"),
    output:
        runs="data/processed/feedback_loop/runs.npz",
        table=f"{FBL}/table.csv",
        summary=f"{FBL}/metrics.json",
        comparison=f"{FBL}/comparison.csv",
        prov=provenance("feedback_loop", "simulate"),
    params:
        p=params_at("seed", "feedback_loop"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} feedback_loop simulate --claims {input.claims}"
        " --runs {output.runs} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule feedback_loop_figures:
    input:
        runs=rules.feedback_loop_simulate.output.runs,
        summary=rules.feedback_loop_simulate.output.summary,
        code=code("studies/feedback_loop/cli.py", "studies/feedback_loop/figures.py"),
    output:
        over_time=report(f"{FBL}/figures/over_time.png", caption="../report/feedback_loop/over_time.rst", category="feedback_loop"),
        allocations=report(f"{FBL}/figures/allocations.png", caption="../report/feedback_loop/allocations.rst", category="feedback_loop"),
        prov=provenance("feedback_loop", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} feedback_loop figures --runs {input.runs}"
        " --summary {input.summary} --over-time {output.over_time} --allocations {output.allocations}"


REPORT_INPUTS["feedback_loop"] = [
    *rules.feedback_loop_simulate.output,
    *rules.feedback_loop_figures.output,
]
