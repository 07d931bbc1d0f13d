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

from dlrepro.errors import DlreproError
from dlrepro.tools import dvc_stale_stages, run_tool


def add_arguments(parser) -> None:
    parser.add_argument(
        "-r", "--remote", help="DVC remote name (default: the repo's default remote)"
    )
    parser.add_argument("-j", "--jobs", type=int, help="parallel downloads (dvc pull --jobs)")
    parser.add_argument("--root", default=".", help="project directory (default: .)")


def remote_of(root: Path, name: str | None) -> tuple[str, str]:
    """(name, url) of the named or default DVC remote; relative URLs resolved as DVC does."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        config = repo.config
        name = name or config["core"].get("remote")
        remotes = dict(config["remote"])
    if not name:
        raise DlreproError("no DVC remote configured (`dvc remote add -d NAME URL`)")
    if name not in remotes:
        raise DlreproError(
            f"no DVC remote named {name!r}; configured: {', '.join(remotes) or 'none'}"
        )
    return name, str(remotes[name]["url"])


def local_path(url: str) -> Path | None:
    """The directory of a local remote, None for a network one."""
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    return None if "://" in url else Path(url)


def check_reachable(name: str, url: str) -> None:
    """One line naming the remote and its URL, before DVC reports every file as missing."""
    path = local_path(url)
    if path is not None:
        if not path.is_dir():
            raise DlreproError(f"DVC remote {name!r} ({url}): no such directory")
        return
    if url.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10)
        except urllib.error.HTTPError:
            pass  # the server answered (a bare remote root may well be 403/404)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DlreproError(f"DVC remote {name!r} ({url}): unreachable ({reason})") from None


def _object(remote: Path, md5: str) -> Path:
    return remote / "files" / "md5" / md5[:2] / md5[2:]


def remote_objects(root: Path, url: str) -> set[str] | None:
    """md5s of the locked outputs whose objects a local remote holds (None: not a local one).
    Taken before the pull: DVC deletes an object whose content fails its hash check from a
    writable local remote, and reports it as missing."""
    remote = local_path(url)
    if remote is None:
        return None
    from dlrepro.verify import locked_outputs

    return {md5 for _, md5 in locked_outputs(root).values() if _object(remote, md5).is_file()}


def diagnose(root: Path, name: str, url: str, before: set[str] | None) -> str | None:
    """Why outputs are not in the workspace after a failed pull: missing from the remote, or
    there but corrupt (DVC reports both as missing). Local remotes only; None otherwise."""
    from dlrepro.verify import locked_outputs, md5_file

    remote = local_path(url)
    if remote is None or before is None:
        return None
    corrupt, missing = [], []
    for path, (_stage, md5) in sorted(locked_outputs(root).items()):
        if (root / path).is_file():
            continue
        obj = _object(remote, md5)
        if md5 not in before:
            missing.append(path)
        elif not obj.is_file() or md5_file(obj) != md5:  # gone: DVC deleted it as corrupt
            corrupt.append(f"{path} (object {obj})")
    if not (corrupt or missing):
        return None
    lines = [f"pull from DVC remote {name!r} ({url}) incomplete:"]
    if corrupt:
        lines.append(
            f"  {len(corrupt)} corrupt object(s), content not matching its hash (DVC deletes "
            "such objects from a writable local remote): " + "; ".join(corrupt[:5])
        )
    if missing:
        lines.append(
            f"  {len(missing)} output(s) not in the remote: "
            + ", ".join(missing[:5])
            + (" ..." if len(missing) > 5 else "")
        )
    return "\n".join(lines)


def pull_and_mark(
    root: Path, name: str, url: str, jobs: int | None = None, allow_missing: bool = False
) -> list[str]:
    """`dvc pull` from the remote, then mark complete in Snakemake every stage whose outputs
    DVC verified against dvc.lock; returns the stages left to compute (and their dependants
    are left too)."""
    check_reachable(name, url)
    cmd = ["dvc", "pull", "--remote", name]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if allow_missing:
        cmd += ["--allow-missing"]
    before = remote_objects(root, url)
    try:
        run_tool(cmd, root, quiet=True)  # DVC's per-file listing is not a message
    except DlreproError as exc:
        raise DlreproError(diagnose(root, name, url, before) or str(exc)) from None

    stale = sorted(dvc_stale_stages(root))
    # every other artifact is verified against dvc.lock: mark those jobs complete in Snakemake
    # (timestamps in DAG order + its metadata), leaving the stale stages and their dependants
    touch = ["snakemake", "all", "--touch", "--no-hooks", "--cores", "1"]
    if stale:
        from dlrepro.verify import declared_stages

        touch += ["--omit-from", *stage_outputs(declared_stages(root), stale)]
    run_tool(touch, root, quiet=True)
    return stale


def main(args, params=None) -> int:
    root = Path(args.root).resolve()
    name, url = remote_of(root, args.remote)
    stale = pull_and_mark(root, name, url, args.jobs)
    if stale:
        print(
            f"pulled; {len(stale)} stage(s) do not match this checkout's code or params and "
            f"must be rebuilt with their dependants (`make reproduce`): {', '.join(stale)}",
            file=sys.stderr,
        )
    else:
        print("pulled; dvc status and snakemake agree: nothing to recompute", file=sys.stderr)
    return 0


def stage_outputs(declared: dict, stages: list[str]) -> list[str]:
    """The outputs dvc.yaml's `declared` stages (see verify.declared_stages) list for `stages`."""
    return [
        out
        for name in stages
        for kind in ("outs", "metrics", "plots")
        for out in declared[name].get(kind, [])
    ]
