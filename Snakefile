# dlrepro workflow: glue only. Each study lives in workflow/rules/<study>.smk and calls
# `dlrepro <study> <step>`; dvc.yaml is generated from this workflow (`dlrepro dvc-yaml`).
from snakemake.utils import min_version

min_version("9.0")

configfile: "params.yaml"

include: "workflow/rules/common.smk"  # validates params before any job; shared helpers

STUDIES = ["slash", "quora", "adversarial"]

include: "workflow/rules/slash.smk"
include: "workflow/rules/quora.smk"
include: "workflow/rules/mnist.smk"  # shared MNIST dataset
include: "workflow/rules/adversarial.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.report.output,
