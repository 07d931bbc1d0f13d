"""`dlrepro reproduce` (what `make reproduce` runs): take every artifact a published read-only
DVC remote holds for stages whose code, params and inputs match dvc.lock, then compute the rest.

The published cache is configured like the raw-data mirror: params `published` (a directory, a
read-only DVC remote; ../shared/dvc-cache here), $DLREPRO_PUBLISHED overrides it, and when the
directory is absent everything is computed. Pulled files are checked by DVC against dvc.lock's
md5 (`dvc status`); a stage whose bytes do not match, or whose code or params differ in this
checkout, is computed here with everything downstream. `--compute-all` skips the cache.
Where each stage came from is written to logs/origin.json (not hashed: the artifacts and the
report are the same bytes either way).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from dlrepro.pull import stage_outputs
from dlrepro.tools import run_tool
from dlrepro.verify import declared_stages

PUBLISHED_ENV = "DLREPRO_PUBLISHED"
REMOTE_NAME = "published"


def add_arguments(parser) -> None:
    parser.add_argument("--cores", default="all", help="snakemake --cores (default: all)")
    parser.add_argument(
        "--compute-all", action="store_true", help="compute everything; take nothing published"
    )
    parser.add_argument("--root", default=".", help="project directory (default: .)")
    parser.add_argument(
        "targets", nargs="*", help="Snakemake targets (a study's name, a file); default: all"
    )


def resolve_published(setting: str | None, root: Path) -> Path | None:
    """The published-cache directory if configured and present; $DLREPRO_PUBLISHED wins
    (set it empty to turn the cache off)."""
    value = os.environ.get(PUBLISHED_ENV, setting)
    if not value:
        return None
    path = (root / Path(value).expanduser()).resolve()
    return path if path.is_dir() else None


def _take_published(root: Path, published: Path) -> list[str] | None:
    """Pull what matches; returns the stages left to compute (None: no dvc.lock to match)."""
    from dlrepro.pull import pull_and_mark

    if not (root / "dvc.lock").is_file():
        return None
    # a local (uncommitted) remote entry: the published cache is a machine setting
    run_tool(["dvc", "remote", "add", "--local", "--force", REMOTE_NAME, str(published)], root,
             quiet=True)  # fmt: skip
    return pull_and_mark(root, REMOTE_NAME, str(published), allow_missing=True)


def with_dependants(declared: dict, stages: list[str]) -> set[str]:
    """The stages and everything downstream of them in dvc.yaml (a dep that another's out)."""
    producer = {out: name for name in declared for out in stage_outputs(declared, [name])}
    found, changed = set(stages), True
    while changed:
        changed = False
        for name, stage in declared.items():
            if name not in found and any(producer.get(d) in found for d in stage.get("deps", [])):
                found.add(name)
                changed = True
    return found


def main(args, params) -> int:
    root = Path(args.root).resolve()
    published = None if args.compute_all else resolve_published(params.get("published"), root)
    declared = declared_stages(root)
    stages = list(declared)
    stale = _take_published(root, published) if published else None
    if stale is None:
        taken = []
        why = (
            "--compute-all"
            if args.compute_all
            else (f"no published cache: params `published` / ${PUBLISHED_ENV} not a directory")
        )
        print(f"reproduce: computing everything ({why})", file=sys.stderr)
    else:
        computed = with_dependants(declared, stale)
        taken = [s for s in stages if s not in computed]
        print(
            f"reproduce: {len(taken)} of {len(stages)} stages taken from the published cache "
            f"{published} (verified against dvc.lock); the rest is computed here",
            file=sys.stderr,
        )
    origin = {
        s: (f"published cache {published}" if s in taken else "computed here") for s in stages
    }
    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / "origin.json").write_text(json.dumps(origin, indent=1, sort_keys=True) + "\n")
    run_tool(["snakemake", "--cores", str(args.cores), *args.targets], root)
    print(
        f"reproduce: {len(taken)} stages from the published cache, "
        f"{len(stages) - len(taken)} computed here (logs/origin.json)",
        file=sys.stderr,
    )
    return 0
