"""Where things live. The pipeline runs from a source checkout (editable install)."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parents[1]  # the repository: src/dlrepro -> src -> root
SCHEMA = ROOT / "workflow" / "schemas" / "params.schema.yaml"
LOCK = ROOT / "requirements.lock"  # every package of the environment, exact versions
# the project's params, relative to the working directory (like DVC's default params.yaml):
PLATFORM_PARAMS_FILE = Path("params.yaml")  # seed, threads, device, CPU kernels, data sources
PARAMS_DIR = Path("params")  # params/<study>.yaml: one study's section each


# Outputs that record a measurement of the run itself (wall-clock seconds): they differ from run
# to run by nature, so byte-for-byte checks (verify, the tests' build comparisons) skip them.
MEASUREMENTS = ("results/*/timing.json", "results/*/models/*/timing.json")


def study_dir(study: str) -> Path:
    return PACKAGE / "studies" / study
