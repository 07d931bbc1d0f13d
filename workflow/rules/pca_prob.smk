# PCA-as-a-probability study: probabilistic PCA of the shared MNIST set, draws from it, and its
# log-likelihood as an outlier score.
PCA_PROB = "results/pca_prob"


rule pca_prob_fit:
    input:
        data=MNIST,
        claims="src/dlrepro/studies/pca_prob/claims.yaml",
        code=code("studies/pca_prob/cli.py", "studies/pca_prob/model.py"),
    output:
        scores="data/processed/pca_prob/scores.npz",
        table=f"{PCA_PROB}/table.csv",
        summary=f"{PCA_PROB}/metrics.json",
        comparison=f"{PCA_PROB}/comparison.csv",
        prov=provenance("pca_prob", "fit"),
    params:
        p=params_at("seed", "pca_prob"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} pca_prob fit --data {input.data} --claims {input.claims}"
        " --scores {output.scores} --table {output.table} --summary {output.summary}"
        " --comparison {output.comparison}"


rule pca_prob_figures:
    input:
        scores=rules.pca_prob_fit.output.scores,
        summary=rules.pca_prob_fit.output.summary,
        code=code("studies/pca_prob/cli.py", "studies/pca_prob/model.py", "studies/pca_prob/figures.py"),
    output:
        samples=report(f"{PCA_PROB}/figures/samples.png", caption="../report/pca_prob/samples.rst", category="pca_prob"),
        likelihoods=report(f"{PCA_PROB}/figures/likelihoods.png", caption="../report/pca_prob/likelihoods.rst", category="pca_prob"),
        roc=report(f"{PCA_PROB}/figures/roc.png", caption="../report/pca_prob/roc.rst", category="pca_prob"),
        prov=provenance("pca_prob", "figures"),
    threads: config["threads"]
    shell:
        "{DLREPRO} --provenance {output.prov} pca_prob figures --scores {input.scores}"
        " --summary {input.summary} --samples {output.samples} --likelihoods {output.likelihoods}"
        " --roc {output.roc}"


REPORT_INPUTS["pca_prob"] = [
    *rules.pca_prob_fit.output,
    *rules.pca_prob_figures.output,
    rules.mnist_prepare.output.provenance,
]
