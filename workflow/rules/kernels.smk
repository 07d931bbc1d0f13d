# Kernels study ("Visualizing convolution kernels", post 002): a small MNIST CNN with two stacked
# 3x3 convs (conv1 snapshotted at init and every epoch) -> kernel statistics + comparison ->
# kernel pictures (raw, effective 5x5, the slash study's trained vanilla_cnn, conv1 GIF).
KER = "results/kernels"
KER_CLAIMS = "src/dlrepro/studies/kernels/claims.yaml"
KER_MODEL = ("seed", "kernels.data", "kernels.model")
SLASH_VANILLA_WEIGHTS = "results/slash/models/vanilla_cnn/weights.pt"  # a pipeline model as input


def ker_code(*modules):
    return code("studies/kernels/cli.py", "studies/kernels/models.py",
                *(f"studies/{m}.py" for m in modules))


rule kernels_train:
    input:
        data=MNIST,
        code=ker_code("adversarial/data", "adversarial/train", "adversarial/attacks", "adversarial/ensemble"),
    output:
        weights=f"{KER}/model/weights.pt",
        snapshots=f"{KER}/model/conv1_snapshots.npz",
        metrics=f"{KER}/model/metrics.json",
        prov=provenance("kernels", "train"),
    params:
        p=params_at(*KER_MODEL, "device", "kernels.training"),
    threads: config["threads"]
    resources:
        gpu=1,  # used when present (device: auto); a CPU-only run ignores it
    shell:
        "{DLREPRO} --provenance {output.prov} kernels train --data {input.data}"
        " --weights {output.weights} --snapshots {output.snapshots} --metrics {output.metrics}"


rule kernels_compare:
    input:
        data=MNIST,
        weights=rules.kernels_train.output.weights,
        snapshots=rules.kernels_train.output.snapshots,
        train=rules.kernels_train.output.metrics,
        claims=KER_CLAIMS,
        code=ker_code("kernels/effective", "adversarial/data", "adversarial/train", "adversarial/attacks"),
    output:
        table=f"{KER}/table.csv",
        summary=f"{KER}/metrics.json",
        comparison=f"{KER}/comparison.csv",
        prov=provenance("kernels", "compare"),
    params:
        p=params_at(*KER_MODEL, "kernels.linear_check_images"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} kernels compare --data {input.data}"
        " --weights {input.weights} --snapshots {input.snapshots} --train {input.train}"
        " --claims {input.claims} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule kernels_figures:
    input:
        weights=rules.kernels_train.output.weights,
        snapshots=rules.kernels_train.output.snapshots,
        slash_weights=SLASH_VANILLA_WEIGHTS,
        code=ker_code("kernels/effective", "kernels/figures", "slash/models"),
    output:
        conv1=report(f"{KER}/figures/conv1.png", caption="../report/kernels/conv1.rst", category="kernels"),
        conv2=report(f"{KER}/figures/conv2.png", caption="../report/kernels/conv2.rst", category="kernels"),
        effective=report(f"{KER}/figures/effective.png", caption="../report/kernels/effective.rst", category="kernels"),
        slash=report(f"{KER}/figures/slash_kernels.png", caption="../report/kernels/slash_kernels.rst", category="kernels"),
        gif=report(f"{KER}/figures/conv1_epochs.gif", caption="../report/kernels/conv1_epochs.rst", category="kernels"),
        prov=provenance("kernels", "figures"),
    params:
        p=params_at("kernels.model", "kernels.gif", "slash.models.vanilla_cnn.channels"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} kernels figures --weights {input.weights}"
        " --snapshots {input.snapshots} --slash-weights {input.slash_weights}"
        " --conv1 {output.conv1} --conv2 {output.conv2} --effective {output.effective}"
        " --slash {output.slash} --gif {output.gif}"


REPORT_INPUTS["kernels"] = [
    *rules.kernels_compare.output,
    *rules.kernels_figures.output,
    rules.mnist_prepare.output.provenance,
    rules.kernels_train.output.prov,
]
