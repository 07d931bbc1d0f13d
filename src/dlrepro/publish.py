"""After any build, DVC's cache holds every output that matches dvc.lock, so `dvc push` right
after publishes it.

A Snakemake build writes outputs but never fills DVC's cache (only `dvc repro`/`dvc commit` do),
so `dvc push` after `make reproduce` used to upload nothing ("Everything is up to date.").
The Snakefile's `onsuccess:` calls `cache_matching`: a stage is committed to the cache only
when every output is byte-identical to what dvc.lock records (md5) and DVC finds nothing else
changed (code, params, inputs); anything else (a smoke build, a local edit) is neither cached
nor written into dvc.lock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dlrepro.errors import DlreproError
from dlrepro.tools import tool_env


def _candidates(root: Path, stages: dict) -> list[str]:
    """Stages whose outputs all match the lock and are not all in the cache yet."""
    from dlrepro.verify import md5_file

    cache = root / ".dvc" / "cache" / "files" / "md5"
    found = []
    for name, entry in stages.items():
        outs = [(root / o["path"], o["md5"]) for o in entry.get("outs", []) if "md5" in o]
        if not outs or all((cache / md5[:2] / md5[2:]).is_file() for _, md5 in outs):
            continue
        if all(path.is_file() and md5_file(path) == md5 for path, md5 in outs):
            found.append(name)
    return found


def _only_uncached(changes: list) -> bool:
    """dvc status entries that say nothing but 'not in cache' for outputs."""
    for change in changes:
        if not isinstance(change, dict) or set(change) != {"changed outs"}:
            return False
        if set(change["changed outs"].values()) != {"not in cache"}:
            return False
    return True


def _store_in_cache(root: Path, names: list[str]) -> None:
    """Move the named stages' outputs into DVC's cache in one DVC session. `dvc commit STAGE...`
    parses dvc.yaml and rewrites dvc.lock once per stage: ~12 s a stage at 15 studies, minutes
    for a build. dvc.lock is not rewritten: these outputs already match it (see the caller)."""
    from dvc.repo import Repo

    wanted = set(names)
    with Repo(str(root)) as repo, repo.lock:
        stages = [s for s in repo.index.stages if s.name in wanted]
        missing = wanted - {s.name for s in stages}
        if missing:
            raise DlreproError(f"dvc.yaml has no stage {', '.join(sorted(missing))}")
        for stage in stages:
            stage.save()  # hash the workspace outputs
            stage.commit()  # move them into the cache and link them back


def cache_matching(root: Path) -> list[str]:
    """Commit to DVC's cache every stage whose outputs match dvc.lock; returns their names."""
    lock_file = root / "dvc.lock"
    if not lock_file.is_file() or not (root / ".dvc").is_dir():
        return []
    from dlrepro.verify import locked_stages

    locked = locked_stages(root)
    candidates = _candidates(root, locked)
    if not candidates:
        return []
    # one `dvc status` of every stage: with stage names as targets DVC parses dvc.yaml once per
    # target (~12 s each at 15 studies)
    status = subprocess.run(
        ["dvc", "status", "--json"],
        cwd=root, env=tool_env(), text=True, capture_output=True,
    )  # fmt: skip
    if status.returncode != 0:
        print(f"dlrepro: not cached for `dvc push`: dvc status failed: {status.stderr[-500:]}",
              file=sys.stderr)  # fmt: skip
        return []
    changes = json.loads(status.stdout or "{}")
    ready = [s for s in candidates if _only_uncached(changes.get(s, []))]
    if ready:
        before = lock_file.read_bytes()
        # DVC moves each output into its cache and copies it back: new mtimes, which would make
        # Snakemake see the inputs of every downstream job as updated and rerun them all
        outs = [root / o["path"] for s in ready for o in locked[s].get("outs", [])]
        times = {p: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in outs if p.is_file()}
        _store_in_cache(root, ready)
        for path, ns in times.items():
            os.utime(path, ns=ns)
        if lock_file.read_bytes() != before:  # by construction it cannot; say so if it did
            print("dlrepro: warning: `dvc commit` rewrote dvc.lock; review `git diff dvc.lock`",
                  file=sys.stderr)  # fmt: skip
        print(f"dlrepro: {len(ready)} stage(s) match dvc.lock and are now in DVC's cache "
              "(`dvc push` publishes them)", file=sys.stderr)  # fmt: skip
    return ready
