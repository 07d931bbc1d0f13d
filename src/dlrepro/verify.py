"""`dlrepro verify`: rebuild the pipeline (or some targets) in a scratch copy of the checkout
and compare every output's hash with the one dvc.lock recorded.

The scratch copy holds what a clone would (tracked and untracked-not-ignored files), so no
artifact of the workspace can leak into the rebuild. Raw data comes from the same mirror the
workspace uses. A difference is explained with the provenance records of both builds (library
versions, architecture, CPU kernel cap and ATen's choice, thread count, device) and with the
CPU model and ISA flags of this machine.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from dlrepro.data.fetch import MIRROR_ENV, resolve_mirror
from dlrepro.errors import DlreproError
from dlrepro.paths import MEASUREMENTS
from dlrepro.tools import dvc_stale_stages, run_tool, tool_env


def add_arguments(parser) -> None:
    parser.add_argument(
        "targets", nargs="*", help="Snakemake targets (files or rules; default: all)"
    )
    parser.add_argument("--cores", default="all", help="snakemake --cores for the rebuild")
    parser.add_argument("--scratch", help="directory for the rebuild (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy when all match")
    parser.add_argument("--root", default=".", help="project directory (default: .)")


def declared_stages(root: Path) -> dict:
    """dvc.yaml's stages: name -> entry."""
    return (yaml.safe_load((root / "dvc.yaml").read_text()) or {}).get("stages") or {}


def locked_stages(root: Path) -> dict:
    """dvc.lock's stages that dvc.yaml still declares: DVC keeps the entries of stages removed
    from dvc.yaml (e.g. ensemble members after a smaller `sizes`) until they are committed away."""
    lock = yaml.safe_load((root / "dvc.lock").read_text()) or {}
    declared = declared_stages(root)
    return {name: e for name, e in (lock.get("stages") or {}).items() if name in declared}


def locked_outputs(root: Path) -> dict[str, tuple[str, str]]:
    """Output path -> (stage, md5) for every output dvc.lock records for a declared stage."""
    return {
        out["path"]: (stage, out["md5"])
        for stage, entry in locked_stages(root).items()
        for out in entry.get("outs", [])
    }


def md5_file(path: Path) -> str:
    digest = hashlib.md5()  # DVC's hash; not used for security
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_checkout(root: Path, dest: Path) -> None:
    """The files a clone of `root` would have (git's view: tracked + untracked, not ignored)."""
    listing = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root, capture_output=True
    )
    if listing.returncode != 0:
        raise DlreproError(f"verify needs a git checkout: {listing.stderr.decode().strip()}")
    for rel in filter(None, listing.stdout.decode().split("\0")):
        if (root / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, dest / rel)


def compare(lock: dict[str, tuple[str, str]], rebuilt: Path, full: bool) -> dict[str, list]:
    """Each locked output as matching, differing, missing (full build only), not rebuilt, or a
    wall-clock measurement (present, not compared: it differs run to run by nature)."""
    result = {"match": [], "differ": [], "missing": [], "skipped": [], "measured": []}
    for path, (_stage, md5) in sorted(lock.items()):
        file = rebuilt / path
        if not file.is_file():
            result["missing" if full else "skipped"].append(path)
        elif any(fnmatch.fnmatch(path, m) for m in MEASUREMENTS):
            result["measured"].append(path)
        elif md5_file(file) == md5:
            result["match"].append(path)
        else:
            result["differ"].append(path)
    return result


def explain(path: str, lock: dict[str, tuple[str, str]], root: Path, rebuilt: Path) -> list[str]:
    """How the environments of the locked build and the rebuild differ, from the provenance
    record of the step that wrote `path` (present in the workspace when it was built/pulled)."""
    stage = lock[path][0]
    records = [p for p, (s, _) in lock.items() if s == stage and "/provenance/" in p]
    lines = []
    for record in records:
        ours, theirs = rebuilt / record, root / record
        if not theirs.is_file():
            lines.append(f"    (no workspace copy of {record} to compare environments)")
            continue
        old = json.loads(theirs.read_text()).get("environment", {})
        new = json.loads(ours.read_text()).get("environment", {}) if ours.is_file() else {}
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                lines.append(f"    {key}: locked build {old.get(key)!r}, rebuild {new.get(key)!r}")
        if not lines:
            lines.append(
                "    same libraries, architecture, CPU kernels, threads and device in both records"
            )
    return lines


def main(args, params=None) -> int:
    root = Path(args.root).resolve()
    lock_file = root / "dvc.lock"
    if not lock_file.is_file():
        raise DlreproError(f"{lock_file}: no dvc.lock to verify against (build, then `dvc commit`)")
    lock = locked_outputs(root)
    stale = dvc_stale_stages(root)
    if stale:
        print(
            f"warning: dvc.lock is not current for {len(stale)} stage(s) of this checkout "
            f"({', '.join(sorted(stale)[:5])}...): their outputs are expected to differ",
            file=sys.stderr,
        )

    # the workspace itself: a locked output edited or damaged since (dvc status sees it too)
    workspace = compare(lock, root, full=False)
    for path in workspace["differ"]:
        print(f"WORKSPACE DIFFERS  {path}  (stage {lock[path][0]}): not the bytes dvc.lock records")

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="dlrepro-verify-")).resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        failed = _rebuild_and_compare(args, root, lock, scratch) or bool(workspace["differ"])
    except BaseException:  # a failed or interrupted rebuild: say where its files are
        print(f"verify: rebuild failed; its files are kept in {scratch}", file=sys.stderr)
        raise
    if failed or args.keep:
        print(f"rebuild kept in {scratch}")
    else:
        shutil.rmtree(scratch)
        print(f"scratch copy {scratch} removed")
    if workspace["differ"]:
        print(
            f"verify: {len(workspace['differ'])} workspace output(s) differ from dvc.lock; "
            "rebuild them (`snakemake`) or restore them (`dvc checkout`)"
        )
    return 1 if failed else 0


def _rebuild_and_compare(args, root: Path, lock: dict, scratch: Path) -> bool:
    """Rebuild in `scratch`, print the comparison; True when an output differs or is missing."""
    copy_checkout(root, scratch)
    env = tool_env()
    # the mirror as the workspace resolves it (params' relative path means nothing in scratch)
    from dlrepro.core.params import load_project_params

    mirror_setting = load_project_params(root).get("mirror")
    cwd = Path.cwd()
    try:
        os.chdir(root)
        mirror = resolve_mirror(mirror_setting)
    finally:
        os.chdir(cwd)
    if mirror:
        env[MIRROR_ENV] = str(mirror)
    run_tool(["snakemake", *args.targets, "--cores", str(args.cores)], scratch, env=env)

    result = compare(lock, scratch, full=not args.targets)
    print(
        f"verify: {len(result['match'])} outputs match dvc.lock, {len(result['differ'])} differ, "
        f"{len(result['missing'])} missing, {len(result['skipped'])} not rebuilt (not targeted), "
        f"{len(result['measured'])} wall-clock measurements not compared"
    )
    if result["differ"]:
        from dlrepro.core.provenance import machine

        here = machine()
        print(f"this machine: {here['cpu']}, ISA {' '.join(here['isa'])}, {here['os']}")
    for path in result["differ"]:
        print(f"DIFFERS  {path}  (stage {lock[path][0]})")
        print("\n".join(explain(path, lock, root, scratch)))
    for path in result["missing"]:
        print(f"MISSING  {path}  (stage {lock[path][0]})")
    return bool(result["differ"] or result["missing"])
