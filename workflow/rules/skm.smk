# SKM study ("SKM Embedding of MNIST", post 002, teaser only): the same ConvNet with a K-way
# softmax head or an (inferred) Smooth Kernel Machine head, one job per head and run -> table,
# comparison -> error vs epoch, reliability diagram, confidence on digits vs noise.
SKM = "results/skm"
SKM_CLAIMS = "src/dlrepro/studies/skm/claims.yaml"
from dlrepro.studies.skm import HEADS

SKM_JOBS = [f"{head}/{run}" for head in HEADS for run in range(config["skm"]["runs"])]


def skm_code(*modules):
    return code("studies/skm/__init__.py", "studies/skm/cli.py", "studies/skm/models.py",
                *(f"studies/{m}.py" for m in modules))


rule skm_train:
    input:
        data=MNIST,
        code=skm_code("skm/calibration", "adversarial/models", "adversarial/data",
                      "adversarial/train", "adversarial/attacks"),
    output:
        metrics=f"{SKM}/runs/{{head}}/{{run}}/metrics.json",
        confidences=f"{SKM}/runs/{{head}}/{{run}}/confidences.npz",
        prov=provenance("skm", "train_{head}_{run}"),
    wildcard_constraints:
        head="softmax|skm",
        run=r"\d+",
    params:
        p=params_at("seed", "device", "skm.data", "skm.model", "skm.skm_head", "skm.training",
                    "skm.noise_images", "skm.speed_error_threshold", "skm.calibration_bins"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} skm train --head {wildcards.head}"
        " --run {wildcards.run} --data {input.data} --metrics {output.metrics}"
        " --confidences {output.confidences}"


rule skm_compare:
    input:
        runs=[f"{SKM}/runs/{job}/metrics.json" for job in SKM_JOBS],
        claims=SKM_CLAIMS,
        code=skm_code("skm/summary"),
    output:
        table=f"{SKM}/table.csv",
        summary=f"{SKM}/metrics.json",
        comparison=f"{SKM}/comparison.csv",
        prov=provenance("skm", "compare"),
    params:
        p=params_at("skm.training.epochs", "skm.speed_error_threshold"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} skm compare --runs {input.runs}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule skm_figures:
    input:
        runs=[f"{SKM}/runs/{job}/metrics.json" for job in SKM_JOBS],
        confidences=[f"{SKM}/runs/{job}/confidences.npz" for job in SKM_JOBS],
        claims=SKM_CLAIMS,
        code=skm_code("skm/figures", "skm/calibration"),
    output:
        error=report(f"{SKM}/figures/error_vs_epoch.png", caption="../report/skm/error_vs_epoch.rst", category="skm"),
        reliability=report(f"{SKM}/figures/reliability.png", caption="../report/skm/reliability.rst", category="skm"),
        confidence=report(f"{SKM}/figures/confidence.png", caption="../report/skm/confidence.rst", category="skm"),
        prov=provenance("skm", "figures"),
    params:
        p=params_at("skm.calibration_bins"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} skm figures --runs {input.runs}"
        " --confidences {input.confidences} --claims {input.claims} --error {output.error}"
        " --reliability {output.reliability} --confidence {output.confidence}"


REPORT_INPUTS["skm"] = [
    *rules.skm_compare.output,
    *rules.skm_figures.output,
    rules.mnist_prepare.output.provenance,
    *[provenance("skm", f"train_{job.replace('/', '_')}") for job in SKM_JOBS],
]
