# dlrepro workflow: glue only. Every step is declared once in its study's package
# (src/dlrepro/studies/<study>/cli.py) and its rule is generated (workflow/rules/steps.smk);
# the studies come from one registry (dlrepro.studies.STUDIES). dvc.yaml is generated from
# this workflow (`dlrepro dvc-yaml`).
from snakemake.utils import min_version

min_version("9.0")


# params.yaml (+ each --configfile) is read and validated by common.smk through the loader every
# job uses, not by a `configfile:` directive: Snakemake's loader names no line of a YAML error
include: "workflow/rules/common.smk"  # validates params before any job; shared helpers
include: "workflow/rules/steps.smk"  # one rule per declared step
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.report.output,


# one target per study: `snakemake slash` builds what the slash page reads, nothing else
for _study in STUDIES:

    rule:
        name:
            _study
        localrule: True
        input:
            page_inputs(_study, config),


# any build publishes: outputs byte-identical to dvc.lock go into DVC's cache for `dvc push`
onsuccess:
    from dlrepro.publish import cache_matching

    cache_matching(Path(workflow.basedir))
