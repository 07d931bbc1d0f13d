# SELU study ("Paper Review: Self-Normalizing Neural Networks", post 003): activation mean and
# variance per layer at init (every variant) -> one MNIST training job per variant -> table,
# comparison (+ timings kept apart: results/selu/timing.json, not hashed) -> figures.
SELU = "results/selu"
SELU_CLAIMS = "src/dlrepro/studies/selu/claims.yaml"
from dlrepro.studies.selu.cli import TRAINED as SELU_VARIANTS


def selu_code(*modules):
    return code("studies/selu/cli.py", "studies/selu/models.py",
                *(f"studies/{m}.py" for m in modules))


rule selu_activations:
    input:
        data=MNIST,
        code=selu_code("selu/data", "adversarial/data", "adversarial/train", "adversarial/attacks"),
    output:
        stats=f"{SELU}/activations.json",
        prov=provenance("selu", "activations"),
    params:
        p=params_at("seed", "selu.activations"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} selu activations --data {input.data} --out {output.stats}"


rule selu_train:
    input:
        data=MNIST,
        code=selu_code("selu/data", "adversarial/data", "adversarial/train", "adversarial/attacks",
                       "adversarial/ensemble"),
    output:
        metrics=f"{SELU}/models/{{variant}}/metrics.json",
        timing=f"{SELU}/models/{{variant}}/timing.json",  # wall clock: differs run to run
        prov=provenance("selu", "train_{variant}"),
    wildcard_constraints:
        variant="|".join(SELU_VARIANTS),
    params:
        p=params_at("seed", "device", "selu.training"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} selu train --variant {wildcards.variant}"
        " --data {input.data} --metrics {output.metrics} --timing {output.timing}"


rule selu_compare:
    input:
        activations=rules.selu_activations.output.stats,
        runs=expand(f"{SELU}/models/{{variant}}/metrics.json", variant=SELU_VARIANTS),
        timings=expand(f"{SELU}/models/{{variant}}/timing.json", variant=SELU_VARIANTS),
        claims=SELU_CLAIMS,
        code=selu_code("selu/tables"),
    output:
        table=f"{SELU}/table.csv",
        summary=f"{SELU}/metrics.json",
        comparison=f"{SELU}/comparison.csv",
        timing=f"{SELU}/timing.json",  # collected wall-clock times: differ run to run
        prov=provenance("selu", "compare"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} selu compare --activations {input.activations}"
        " --runs {input.runs} --timings {input.timings} --claims {input.claims}"
        " --table {output.table} --summary {output.summary} --comparison {output.comparison}"
        " --timing-out {output.timing}"


rule selu_figures:
    input:
        activations=rules.selu_activations.output.stats,
        runs=expand(f"{SELU}/models/{{variant}}/metrics.json", variant=SELU_VARIANTS),
        code=selu_code("selu/figures"),
    output:
        depth=report(f"{SELU}/figures/depth_profiles.png", caption="../report/selu/depth_profiles.rst", category="selu"),
        training=report(f"{SELU}/figures/training.png", caption="../report/selu/training.rst", category="selu"),
        prov=provenance("selu", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} selu figures --activations {input.activations}"
        " --runs {input.runs} --depth {output.depth} --training {output.training}"


REPORT_INPUTS["selu"] = [
    rules.selu_compare.output.table,
    rules.selu_compare.output.summary,
    rules.selu_compare.output.comparison,
    rules.selu_compare.output.prov,
    *rules.selu_figures.output,
    rules.mnist_prepare.output.provenance,
    rules.selu_activations.output.prov,
    *expand(provenance("selu", "train_{variant}"), variant=SELU_VARIANTS),
]
