# Shared helpers for every study's rule file.
import os

from snakemake.exceptions import WorkflowError

from dlrepro.core.params import load_project_params, override_files, select
from dlrepro.errors import DlreproError

# Jobs read params themselves (same command under DVC), so every override must be a file the
# job can be pointed at: `--configfile FILE` works, `--config key=value` cannot reach the job.
if workflow.config_settings.config:
    raise WorkflowError(
        "dlrepro: --config key=value overrides are not supported; put the overrides in a "
        "YAML file (same keys as params.yaml) and pass --configfile FILE"
    )

_overrides = [
    os.path.relpath(f, workflow.basedir)
    for f in override_files(workflow.config_settings.configfiles)
]

# the project's params (params.yaml + params/<study>.yaml) then the --configfile files, through
# the loader every job uses: it refuses a key given twice (Snakemake's keeps the last silently),
# names file:line:column of a YAML error, and the schema refuses a float where an integer goes.
# Merged as Snakemake merges them.
try:
    _params = load_project_params(".", _overrides)
except DlreproError as exc:
    raise WorkflowError(f"dlrepro: {exc}") from None
config.clear()
config.update(_params)
# The command prefix every rule uses. With no overrides it is plain `dlrepro` (as in dvc.yaml).
DLREPRO = "dlrepro" + "".join(f" --params {f}" for f in _overrides)


def report_code():
    """The report command's code inputs (its import closure, as for every step)."""
    from dlrepro.pipeline.codedeps import command_code

    return command_code("dlrepro.report.build")


def params_at(*keys):
    """Snakemake params for the given dotted params keys ({wildcards} allowed).

    The values make Snakemake rerun a job when they change; the keys become the stage's
    `params:` in the generated dvc.yaml.
    """

    def resolve(wildcards):
        return {k: _canonical(select(config, k)) for k in (k.format(**wildcards) for k in keys)}

    return resolve


def _canonical(value):
    """Sorted dict keys at every level: Snakemake compares params by their repr, and the key
    order of a merged config depends on how the files were merged, not on the values."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    return value
