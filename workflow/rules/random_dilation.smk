# Random dilation study (BesNet, "Random Dilation Networks for Action Recognition in Videos"):
# synthetic video-action set -> 2D bottleneck net pretrained on frames -> one job per
# (variant, run seed): inflated 3D nets with no / 2 / random temporal dilation, and the
# frame-feature MLP -> mean +- std per variant and the post's orderings.
RD = "results/random_dilation"
RD_DATA = "data/processed/random_dilation/videos.npz"
RD_CLAIMS = "src/dlrepro/studies/random_dilation/claims.yaml"
from dlrepro.studies.random_dilation.variants import VARIANTS as RD_VARIANTS
RD_RUNS = range(config["random_dilation"]["runs"])
RD_MODEL = ("seed", "device", "random_dilation.data", "random_dilation.model")


def rd_code(*modules):
    return code("studies/random_dilation/cli.py", "studies/random_dilation/data.py",
                "studies/random_dilation/variants.py",
                *(f"studies/random_dilation/{m}.py" for m in modules))


# the training loop is the adversarial study's (train.py, which imports attacks.py)
RD_TRAIN_CODE = rd_code("models", "train") + [
    f"src/dlrepro/studies/adversarial/{m}.py" for m in ("train", "attacks")]


rule random_dilation_generate:
    input:
        code=rd_code(),
    output:
        videos=RD_DATA,
        prov=provenance("random_dilation", "generate"),
    params:
        p=params_at("seed", "random_dilation.data"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} random_dilation generate --out {output.videos}"


rule random_dilation_pretrain:
    input:
        data=RD_DATA,
        code=RD_TRAIN_CODE,
    output:
        weights=f"{RD}/pretrain/weights.pt",
        metrics=f"{RD}/pretrain/metrics.json",
        prov=provenance("random_dilation", "pretrain"),
    params:
        p=params_at(*RD_MODEL, "random_dilation.pretrain"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} random_dilation pretrain --data {input.data}"
        " --weights {output.weights} --metrics {output.metrics}"


def rd_training_params(wildcards):
    section = "frame_mlp" if wildcards.variant == "frame_mlp" else "training"
    return params_at(*RD_MODEL, "random_dilation.pretrain", f"random_dilation.{section}")(wildcards)


rule random_dilation_train:
    input:
        data=RD_DATA,
        pretrained=rules.random_dilation_pretrain.output.weights,
        code=RD_TRAIN_CODE,
    output:
        weights=f"{RD}/runs/{{variant}}/{{run}}/weights.pt",
        metrics=f"{RD}/runs/{{variant}}/{{run}}/metrics.json",
        prov=provenance("random_dilation", "train_{variant}_{run}"),
    wildcard_constraints:
        variant="|".join(RD_VARIANTS),
        run=r"\d+",
    params:
        p=rd_training_params,
    threads: config["threads"]
    resources:
        gpu=1,
    shell:
        "{DLREPRO} --provenance {output.prov} random_dilation train --variant {wildcards.variant}"
        " --run {wildcards.run} --data {input.data} --pretrained {input.pretrained}"
        " --weights {output.weights} --metrics {output.metrics}"


RD_RUN_METRICS = expand(f"{RD}/runs/{{variant}}/{{run}}/metrics.json", variant=RD_VARIANTS, run=RD_RUNS)


rule random_dilation_compare:
    input:
        runs=RD_RUN_METRICS,
        pretrain=rules.random_dilation_pretrain.output.metrics,
        claims=RD_CLAIMS,
        code=rd_code("models", "compare"),
    output:
        table=f"{RD}/table.csv",
        summary=f"{RD}/metrics.json",
        comparison=f"{RD}/comparison.csv",
        prov=provenance("random_dilation", "compare"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} random_dilation compare --runs {input.runs}"
        " --pretrain {input.pretrain} --claims {input.claims} --table {output.table}"
        " --summary {output.summary} --comparison {output.comparison}"


rule random_dilation_figures:
    input:
        data=RD_DATA,
        summary=rules.random_dilation_compare.output.summary,
        runs=RD_RUN_METRICS,
        claims=RD_CLAIMS,
        code=rd_code("models", "compare", "figures"),
    output:
        samples=report(f"{RD}/figures/samples.png", caption="../report/random_dilation/samples.rst", category="random_dilation"),
        accuracy=report(f"{RD}/figures/accuracy.png", caption="../report/random_dilation/accuracy.rst", category="random_dilation"),
        strides=report(f"{RD}/figures/accuracy_by_stride.png", caption="../report/random_dilation/accuracy_by_stride.rst", category="random_dilation"),
        curves=report(f"{RD}/figures/learning_curves.png", caption="../report/random_dilation/learning_curves.rst", category="random_dilation"),
        prov=provenance("random_dilation", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} random_dilation figures --data {input.data}"
        " --summary {input.summary} --runs {input.runs} --claims {input.claims} --samples {output.samples}"
        " --accuracy {output.accuracy} --strides {output.strides} --curves {output.curves}"


REPORT_INPUTS["random_dilation"] = [
    *rules.random_dilation_compare.output,
    *rules.random_dilation_figures.output,
    rules.random_dilation_generate.output.prov,
    rules.random_dilation_pretrain.output.prov,
]
