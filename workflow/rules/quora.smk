# Quora study (Eren Golge, "Duplicate Question Detection with Deep Learning on Quora Dataset"):
# raw pairs -> cleaned + split -> question vectors (3 kinds) / token sequences -> 10 variants.
from dlrepro.data.fetch import REGISTRY
from dlrepro.studies.quora.spec import FEATURE_KINDS, FEATURE_PARAMS, RAW_FILE, ordered_variants

QUORA_RAW_NAME = RAW_FILE[config["quora"]["data"]["source"]]
QUORA_RAW = f"data/raw/{REGISTRY[QUORA_RAW_NAME].relpath}"
QUORA_PAIRS = "data/processed/quora/pairs.tsv"
QUORA_VARIANTS = ordered_variants(config["quora"]["variants"])
QUORA_MODEL_DIR = "results/quora/models/{variant}"
QUORA_CLAIMS = "src/dlrepro/studies/quora/claims.yaml"


rule quora_fetch:
    input:
        code=code("data/fetch.py", "data/steps.py"),
    output:
        raw=QUORA_RAW,
        prov=provenance("quora", "fetch"),
    shell:
        "{DLREPRO} --provenance {output.prov} fetch --name {QUORA_RAW_NAME} --out {output.raw}"


rule quora_prepare:
    input:
        raw=QUORA_RAW,
        claims=QUORA_CLAIMS,
        code=code("data/quora.py", "studies/quora/cli.py", "studies/quora/compare.py"),
    output:
        pairs=QUORA_PAIRS,
        quirks="results/quora/quirks.csv",
        prov=provenance("quora", "prepare"),
    params:
        p=params_at("seed", "quora.data"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} quora prepare --raw {input.raw} --claims {input.claims}"
        " --pairs {output.pairs} --quirks {output.quirks}"


rule quora_features:
    input:
        pairs=QUORA_PAIRS,
        code=code("studies/quora/cli.py", "studies/quora/features.py"),
    output:
        features="data/processed/quora/features_{kind}.npz",
        prov=provenance("quora", "features_{kind}"),
    wildcard_constraints:
        kind="|".join(FEATURE_KINDS),
    params:
        p=lambda w: params_at(*FEATURE_PARAMS[w.kind])(w),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} quora features --kind {wildcards.kind}"
        " --pairs {input.pairs} --out {output.features}"


rule quora_train:
    input:
        features=lambda w: f"data/processed/quora/features_{config['quora']['variants'][w.variant]['features']}.npz",
        code=code("studies/quora/cli.py", "studies/quora/models.py", "studies/quora/train.py"),
    output:
        weights=f"{QUORA_MODEL_DIR}/weights.pt",
        metrics=f"{QUORA_MODEL_DIR}/metrics.json",
        history=f"{QUORA_MODEL_DIR}/history.csv",
        prov=provenance("quora", "train_{variant}"),
    wildcard_constraints:
        variant="|".join(QUORA_VARIANTS),
    params:
        p=params_at("seed", "device", "quora.training", "quora.variants.{variant}"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} quora train --variant {wildcards.variant}"
        " --features {input.features} --weights {output.weights} --metrics {output.metrics}"
        " --history {output.history}"


rule quora_compare:
    input:
        metrics=expand(f"{QUORA_MODEL_DIR}/metrics.json", variant=QUORA_VARIANTS),
        claims=QUORA_CLAIMS,
        code=code("studies/quora/cli.py", "studies/quora/compare.py", "studies/quora/spec.py"),
    output:
        table="results/quora/table.csv",
        summary="results/quora/metrics.json",
        comparison="results/quora/comparison.csv",
        prov=provenance("quora", "compare"),
    params:
        p=params_at("quora.data.source"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} quora compare --metrics {input.metrics}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule quora_figures:
    input:
        history=expand(f"{QUORA_MODEL_DIR}/history.csv", variant=QUORA_VARIANTS),
        summary="results/quora/metrics.json",
        claims=QUORA_CLAIMS,
        code=code("studies/quora/cli.py", "studies/quora/figures.py"),
    output:
        curves=report("results/quora/figures/learning_curves.png", caption="../report/quora/learning_curves.rst", category="quora"),
        accuracy=report("results/quora/figures/accuracy.png", caption="../report/quora/accuracy.rst", category="quora"),
        prov=provenance("quora", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} quora figures --history {input.history}"
        " --summary {input.summary} --claims {input.claims}"
        " --curves {output.curves} --accuracy {output.accuracy}"


REPORT_INPUTS["quora"] = [
    *rules.quora_compare.output,
    *rules.quora_figures.output,
    "results/quora/quirks.csv",
    rules.quora_fetch.output.prov,
    rules.quora_prepare.output.prov,
    *expand(provenance("quora", "features_{kind}"), kind=sorted({v["features"] for v in config["quora"]["variants"].values()})),
    *expand(provenance("quora", "train_{variant}"), variant=QUORA_VARIANTS),
]
