"""Running the pipeline's own tools (dvc, snakemake) from dlrepro commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dlrepro.errors import DlreproError


def tool_env() -> dict:
    """The environment the tools run in: this interpreter's bin first, no DVC analytics, and the
    hash seed the jobs pin anyway (so a re-exec is not needed)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DVC_NO_ANALYTICS"] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


def run_tool(cmd: list[str], cwd: Path, env: dict | None = None, quiet: bool = False) -> str:
    """Run a tool, stream or capture its output; a failure is a DlreproError with its tail."""
    print("+ " + " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env or tool_env(),
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    )
    if proc.returncode != 0:
        tail = (proc.stdout or "")[-3000:] if quiet else "(output above)"
        raise DlreproError(f"`{' '.join(cmd)}` failed with exit code {proc.returncode}:\n{tail}")
    return proc.stdout or ""


def dvc_stale_stages(root: Path) -> dict:
    """`dvc status --json`: stage -> what changed; {} when every stage is up to date."""
    out = subprocess.run(
        ["dvc", "status", "--json"], cwd=root, env=tool_env(), text=True, capture_output=True
    )
    if out.returncode != 0:
        raise DlreproError(f"`dvc status` failed in {root}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout or "{}")
