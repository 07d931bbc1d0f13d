# Adversarial study ("Ensembling Against Adversarial Instances"): baseline ConvNet -> FGSM
# adversarials of the test set -> adversarial training; ensembles of members (one job each,
# so they train in parallel or on a cluster) -> mean/max combination; t-SNE; comparison.
ADV = "results/adversarial"
ADV_CLAIMS = "src/dlrepro/studies/adversarial/claims.yaml"
ADV_EXAMPLES = "data/processed/adversarial/fgsm_test.npz"
from dlrepro.studies.adversarial.cli import KINDS as ADV_KINDS
ADV_MEMBERS = range(max(config["adversarial"]["ensembles"]["sizes"]))
ADV_TRAINING = ("seed", "device", "adversarial.data", "adversarial.model", "adversarial.training")


def adv_code(*modules):
    return code("studies/adversarial/cli.py", "studies/adversarial/data.py",
                *(f"studies/adversarial/{m}.py" for m in modules))


rule adversarial_baseline:
    input:
        data=MNIST,
        code=adv_code("models", "train"),
    output:
        weights=f"{ADV}/models/baseline/weights.pt",
        metrics=f"{ADV}/models/baseline/metrics.json",
        history=f"{ADV}/models/baseline/history.csv",
        prov=provenance("adversarial", "baseline"),
    params:
        p=params_at(*ADV_TRAINING),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial baseline --data {input.data}"
        " --weights {output.weights} --metrics {output.metrics} --history {output.history}"


rule adversarial_attack:
    input:
        data=MNIST,
        weights=rules.adversarial_baseline.output.weights,
        code=adv_code("models", "train", "attacks"),
    output:
        examples=ADV_EXAMPLES,
        sweep=f"{ADV}/attack_sweep.csv",
        metrics=f"{ADV}/attack.json",
        prov=provenance("adversarial", "attack"),
    params:
        p=params_at(*ADV_TRAINING, "adversarial.attack"),
    threads: config["threads"]
    resources:
        gpu=1,
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial attack --data {input.data}"
        " --weights {input.weights} --examples {output.examples} --sweep {output.sweep}"
        " --metrics {output.metrics}"


rule adversarial_advtrain:
    input:
        data=MNIST,
        examples=ADV_EXAMPLES,
        code=adv_code("models", "train", "attacks"),
    output:
        weights=f"{ADV}/models/advtrain/weights.pt",
        metrics=f"{ADV}/models/advtrain/metrics.json",
        history=f"{ADV}/models/advtrain/history.csv",
        prov=provenance("adversarial", "advtrain"),
    params:
        p=params_at(*ADV_TRAINING, "adversarial.attack.eps", "adversarial.adversarial_training"),
    threads: config["threads"]
    resources:
        gpu=1,
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial advtrain --data {input.data}"
        " --examples {input.examples} --weights {output.weights} --metrics {output.metrics}"
        " --history {output.history}"


rule adversarial_member:
    input:
        data=MNIST,
        code=adv_code("models", "train"),
    output:
        weights=f"{ADV}/members/{{kind}}/{{member}}/weights.pt",
        metrics=f"{ADV}/members/{{kind}}/{{member}}/metrics.json",
        prov=provenance("adversarial", "member_{kind}_{member}"),
    wildcard_constraints:
        kind="|".join(ADV_KINDS),
        member=r"\d+",
    params:
        p=params_at(*ADV_TRAINING),
    threads: config["threads"]
    resources:
        gpu=1,
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial member --kind {wildcards.kind}"
        " --member {wildcards.member} --data {input.data} --weights {output.weights}"
        " --metrics {output.metrics}"


rule adversarial_ensemble:
    input:
        data=MNIST,
        examples=ADV_EXAMPLES,
        baseline=rules.adversarial_baseline.output.weights,
        members=expand(f"{ADV}/members/{{kind}}/{{member}}/weights.pt", kind=ADV_KINDS, member=ADV_MEMBERS),
        code=adv_code("models", "train", "ensemble", "evaluate"),
    output:
        table=f"{ADV}/ensembles.csv",
        metrics=f"{ADV}/ensembles.json",
        prov=provenance("adversarial", "ensemble"),
    params:
        p=params_at("adversarial.data", "adversarial.model", "adversarial.ensembles"),
    threads: config["threads"]
    resources:
        gpu=1,
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial ensemble --data {input.data}"
        " --examples {input.examples} --baseline {input.baseline} --members {input.members}"
        " --table {output.table} --metrics {output.metrics}"


rule adversarial_tsne:
    input:
        data=MNIST,
        examples=ADV_EXAMPLES,
        weights=rules.adversarial_baseline.output.weights,
        code=adv_code("models", "train"),
    output:
        embedding="data/processed/adversarial/tsne.npz",
        prov=provenance("adversarial", "tsne"),
    params:
        p=params_at("seed", "adversarial.data", "adversarial.model", "adversarial.tsne"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial tsne --data {input.data}"
        " --examples {input.examples} --weights {input.weights} --out {output.embedding}"


rule adversarial_compare:
    input:
        baseline=rules.adversarial_baseline.output.metrics,
        attack=rules.adversarial_attack.output.metrics,
        advtrain=rules.adversarial_advtrain.output.metrics,
        ensembles=rules.adversarial_ensemble.output.metrics,
        claims=ADV_CLAIMS,
        code=adv_code("compare"),
    output:
        table=f"{ADV}/table.csv",
        summary=f"{ADV}/metrics.json",
        comparison=f"{ADV}/comparison.csv",
        prov=provenance("adversarial", "compare"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial compare --baseline {input.baseline}"
        " --attack {input.attack} --advtrain {input.advtrain} --ensembles {input.ensembles}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule adversarial_figures:
    input:
        data=MNIST,
        examples=ADV_EXAMPLES,
        sweep=rules.adversarial_attack.output.sweep,
        ensembles=rules.adversarial_ensemble.output.table,
        embedding=rules.adversarial_tsne.output.embedding,
        claims=ADV_CLAIMS,
        code=adv_code("figures"),
    output:
        samples=report(f"{ADV}/figures/samples.png", caption="../report/adversarial/samples.rst", category="adversarial"),
        sweep=report(f"{ADV}/figures/accuracy_vs_eps.png", caption="../report/adversarial/accuracy_vs_eps.rst", category="adversarial"),
        ensembles=report(f"{ADV}/figures/ensembles.png", caption="../report/adversarial/ensembles.rst", category="adversarial"),
        tsne=report(f"{ADV}/figures/tsne.png", caption="../report/adversarial/tsne.rst", category="adversarial"),
        prov=provenance("adversarial", "figures"),
    params:
        p=params_at("adversarial.data", "adversarial.attack.eps"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} adversarial figures --data {input.data}"
        " --examples {input.examples} --sweep {input.sweep} --ensembles {input.ensembles}"
        " --embedding {input.embedding} --claims {input.claims} --samples {output.samples}"
        " --sweep-figure {output.sweep} --ensembles-figure {output.ensembles} --tsne {output.tsne}"


REPORT_INPUTS["adversarial"] = [
    *rules.adversarial_compare.output,
    *rules.adversarial_figures.output,
    rules.adversarial_attack.output.sweep,
    rules.adversarial_ensemble.output.table,
    rules.mnist_prepare.output.prov,
    rules.adversarial_baseline.output.prov,
    rules.adversarial_attack.output.prov,
    rules.adversarial_advtrain.output.prov,
    rules.adversarial_ensemble.output.prov,
]
