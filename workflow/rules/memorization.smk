# Memorization study ("Understanding deep learning requires rethinking generalization", post
# 003): one job per training set (labels_<percent> random, gaussian_pixels), each trained until
# it is fit or its epoch budget ends -> table, comparison -> figures.
MEM = "results/memorization"
MEM_CLAIMS = "src/dlrepro/studies/memorization/claims.yaml"
MEM_RUNS = [f"labels_{p}" for p in config["memorization"]["corrupted_percents"]] + ["gaussian_pixels"]
MEM_METRICS = expand(f"{MEM}/runs/{{run}}/metrics.json", run=MEM_RUNS)


def mem_code(*modules):
    return code("studies/memorization/cli.py", *(f"studies/{m}.py" for m in modules))


rule memorization_fit:
    input:
        data=MNIST,
        code=mem_code("memorization/data", "selu/models", "adversarial/data", "adversarial/train",
                      "adversarial/attacks", "adversarial/ensemble"),
    output:
        metrics=f"{MEM}/runs/{{run}}/metrics.json",
        prov=provenance("memorization", "fit_{run}"),
    wildcard_constraints:
        run=r"labels_\d+|gaussian_pixels",
    params:
        p=params_at("seed", "device", "memorization.data", "memorization.model",
                    "memorization.training", "memorization.fit_threshold"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} memorization fit --run {wildcards.run}"
        " --data {input.data} --metrics {output.metrics}"


rule memorization_compare:
    input:
        runs=MEM_METRICS,
        claims=MEM_CLAIMS,
        code=mem_code("memorization/summary", "memorization/data"),
    output:
        table=f"{MEM}/table.csv",
        summary=f"{MEM}/metrics.json",
        comparison=f"{MEM}/comparison.csv",
        prov=provenance("memorization", "compare"),
    params:
        p=params_at("memorization.training.epochs", "memorization.fit_threshold"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} memorization compare --runs {input.runs}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule memorization_figures:
    input:
        runs=MEM_METRICS,
        code=mem_code("memorization/figures", "memorization/data"),
    output:
        accuracy=report(f"{MEM}/figures/accuracy_vs_corruption.png", caption="../report/memorization/accuracy_vs_corruption.rst", category="memorization"),
        curves=report(f"{MEM}/figures/learning_curves.png", caption="../report/memorization/learning_curves.rst", category="memorization"),
        prov=provenance("memorization", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} memorization figures --runs {input.runs}"
        " --accuracy {output.accuracy} --curves {output.curves}"


REPORT_INPUTS["memorization"] = [
    *rules.memorization_compare.output,
    *rules.memorization_figures.output,
    rules.mnist_prepare.output.provenance,
    *expand(provenance("memorization", "fit_{run}"), run=MEM_RUNS),
]
