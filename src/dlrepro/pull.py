"""`dlrepro pull`: fetch the cached artifacts from a DVC remote so that neither DVC nor
Snakemake wants to recompute anything.

`dvc pull` alone is not enough for Snakemake: it writes every file with the time of the pull,
in no particular order, so an output can end up older than its input and Snakemake's mtime
trigger reruns it (treeverse/dvc#8602; Snakemake's checksum shortcut needs its own metadata,
which a fresh clone does not have). So, after the pull, DVC checks every artifact against
dvc.lock by content hash (`dvc status`), and only when all of them match does Snakemake mark
the outputs complete in DAG order (`snakemake --touch`, which also records Snakemake's metadata,
so a later params change is still noticed). Stages whose code or params in the checkout differ
from dvc.lock, and everything downstream of them, are left alone: those must really rerun.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from dlrepro.tools import dvc_stale_stages, run_tool


def add_arguments(parser) -> None:
    parser.add_argument(
        "-r", "--remote", help="DVC remote name (default: the repo's default remote)"
    )
    parser.add_argument("-j", "--jobs", type=int, help="parallel downloads (dvc pull --jobs)")
    parser.add_argument("--root", default=".", help="project directory (default: .)")


def main(args, params=None) -> int:
    root = Path(args.root).resolve()
    cmd = ["dvc", "pull"]
    if args.remote:
        cmd += ["--remote", args.remote]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    run_tool(cmd, root)

    stale = sorted(dvc_stale_stages(root))
    # every other artifact is verified against dvc.lock: mark those jobs complete in Snakemake
    # (timestamps in DAG order + its metadata), leaving the stale stages and their dependants
    touch = ["snakemake", "all", "--touch", "--cores", "1"]
    if stale:
        touch += ["--omit-from", *stage_outputs(root, stale)]
    run_tool(touch, root, quiet=True)
    if stale:
        print(
            f"pulled; {len(stale)} stage(s) do not match this checkout's code or params and "
            f"must be rebuilt with their dependants (`make reproduce`): {', '.join(stale)}",
            file=sys.stderr,
        )
    else:
        print("pulled; dvc status and snakemake agree: nothing to recompute", file=sys.stderr)
    return 0


def stage_outputs(root: Path, stages: list[str]) -> list[str]:
    """The outputs dvc.yaml declares for the given stages."""
    declared = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    return [
        out
        for name in stages
        for kind in ("outs", "metrics", "plots")
        for out in declared[name].get(kind, [])
    ]
