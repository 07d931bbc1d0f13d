# dlrepro workflow: glue only. Each study lives in workflow/rules/<study>.smk and calls
# `dlrepro <study> <step>`; dvc.yaml is generated from this workflow (`dlrepro dvc-yaml`).
from snakemake.utils import min_version

min_version("9.0")

configfile: "params.yaml"

include: "workflow/rules/common.smk"  # validates params before any job; shared helpers

STUDIES = [  # report page order: the issues' order
    "slash", "quora", "adversarial", "kernels", "correlation", "dilation", "random_dilation",
    "selu", "shattered", "memorization", "pca_prob", "skm", "corrviz", "polysim",
    "feedback_loop"
]

include: "workflow/rules/slash.smk"
include: "workflow/rules/quora.smk"
include: "workflow/rules/mnist.smk"  # shared MNIST dataset
include: "workflow/rules/adversarial.smk"
include: "workflow/rules/kernels.smk"
include: "workflow/rules/correlation.smk"
include: "workflow/rules/dilation.smk"
include: "workflow/rules/random_dilation.smk"
include: "workflow/rules/selu.smk"
include: "workflow/rules/shattered.smk"
include: "workflow/rules/memorization.smk"
include: "workflow/rules/pca_prob.smk"
include: "workflow/rules/skm.smk"
include: "workflow/rules/corrviz.smk"
include: "workflow/rules/polysim.smk"
include: "workflow/rules/feedback_loop.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.report.output,
