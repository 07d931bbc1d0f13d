"""Where things live. The pipeline runs from a source checkout (editable install)."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parents[1]  # the repository: src/dlrepro -> src -> root
SCHEMA = ROOT / "workflow" / "schemas" / "params.schema.yaml"
DEFAULT_PARAMS = Path("params.yaml")  # relative to the working directory, like DVC's default


def study_dir(study: str) -> Path:
    return PACKAGE / "studies" / study
