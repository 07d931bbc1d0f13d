# Slash study (Sophie Searcy, "Slash dataset"): data -> split -> 9 models -> table/figures.
from dlrepro.studies.slash.spec import CNN_MODELS, SKLEARN_MODELS

SLASH_DATA = "data/processed/slash/slash_data.npz"
SLASH_SPLIT = "data/processed/slash/split.npz"
SLASH_MODEL_DIR = "results/slash/models/{model}"


rule slash_generate:
    input:
        code=code("studies/slash/cli.py", "studies/slash/data.py"),
    output:
        data=SLASH_DATA,
        prov=provenance("slash", "generate"),
    params:
        p=params_at("seed", "slash.data"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} slash generate --out {output.data}"


rule slash_split:
    input:
        data=SLASH_DATA,
        code=code("studies/slash/cli.py", "studies/slash/data.py"),
    output:
        split=SLASH_SPLIT,
        prov=provenance("slash", "split"),
    params:
        p=params_at("seed", "slash.split"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} slash split --data {input.data} --out {output.split}"


rule slash_fit_sklearn:
    input:
        split=SLASH_SPLIT,
        code=code("studies/slash/cli.py", "studies/slash/models.py", "studies/slash/train.py"),
    output:
        metrics=f"{SLASH_MODEL_DIR}/metrics.json",
        prov=provenance("slash", "fit_{model}"),
    wildcard_constraints:
        model="|".join(SKLEARN_MODELS),
    params:
        p=params_at("seed", "slash.models.{model}"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} slash fit --model {wildcards.model}"
        " --split {input.split} --metrics {output.metrics}"


rule slash_train_cnn:
    input:
        split=SLASH_SPLIT,
        code=code("studies/slash/cli.py", "studies/slash/models.py", "studies/slash/train.py"),
    output:
        weights=f"{SLASH_MODEL_DIR}/weights.pt",
        metrics=f"{SLASH_MODEL_DIR}/metrics.json",
        history=f"{SLASH_MODEL_DIR}/history.csv",
        prov=provenance("slash", "train_{model}"),
    wildcard_constraints:
        model="|".join(CNN_MODELS),
    params:
        p=params_at("seed", "device", "slash.models.{model}"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} slash train --model {wildcards.model}"
        " --split {input.split} --weights {output.weights} --metrics {output.metrics}"
        " --history {output.history}"


rule slash_figures:
    input:
        data=SLASH_DATA,
        weights=expand(f"{SLASH_MODEL_DIR}/weights.pt", model=CNN_MODELS),
        history=expand(f"{SLASH_MODEL_DIR}/history.csv", model=CNN_MODELS),
        code=code("studies/slash/cli.py", "studies/slash/figures.py", "studies/slash/models.py"),
    output:
        samples=report("results/slash/figures/samples.png", caption="../report/slash/samples.rst", category="slash"),
        kernels=report("results/slash/figures/kernels.png", caption="../report/slash/kernels.rst", category="slash"),
        curves=report("results/slash/figures/learning_curves.png", caption="../report/slash/learning_curves.rst", category="slash"),
        prov=provenance("slash", "figures"),
    params:
        p=params_at("seed", "slash.figures", "slash.models.vanilla_cnn", "slash.models.custom_cnn"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} slash figures --data {input.data}"
        " --weights {input.weights} --history {input.history}"
        " --samples {output.samples} --kernels {output.kernels} --curves {output.curves}"


rule slash_compare:
    input:
        metrics=expand(f"{SLASH_MODEL_DIR}/metrics.json", model=SKLEARN_MODELS + CNN_MODELS),
        claims="src/dlrepro/studies/slash/claims.yaml",
        code=code("studies/slash/cli.py", "studies/slash/compare.py", "studies/slash/spec.py"),
    output:
        table="results/slash/table.csv",
        summary="results/slash/metrics.json",
        comparison="results/slash/comparison.csv",
        prov=provenance("slash", "compare"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} slash compare --metrics {input.metrics}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


REPORT_INPUTS["slash"] = [
    *rules.slash_compare.output,
    *rules.slash_figures.output,
    rules.slash_generate.output.prov,
    rules.slash_split.output.prov,
    *expand(provenance("slash", "fit_{model}"), model=SKLEARN_MODELS),
    *expand(provenance("slash", "train_{model}"), model=CNN_MODELS),
]
