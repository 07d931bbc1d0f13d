"""Platform benchmarks (not tests): no-op checks on the completed paper-scale tree, a full
smoke build, and pull-then-no-op from a local DVC remote, each beside the naive way.

    python benchmarks/platform_ops.py [--repeats 5] [--tree .] [--skip-serial]

--tree must be a completed paper-scale checkout (e.g. after `make reproduce`); the other
measurements use scratch copies. Prints a Markdown table.
- no-op `snakemake -n`, naive: no usable bytecode cache (what a venv installed by `uv pip install`
  without --compile-bytecode gives where PYTHONDONTWRITEBYTECODE is set).
- no-op `dvc status`, naive: ruamel's pure-Python YAML parser (the C one, ruamel.yaml.clib,
  hidden by a stub module on PYTHONPATH); DVC parses params.yaml once per stage.
- job start-up (`dlrepro params`: parser + params load and validation, what every job does
  before its work), naive: the same with torch and pandas imported first, as every job did
  while a study CLI imported them at parser time.
- smoke build, naive: `dvc repro`, which runs one stage at a time.
- pull, naive: plain `dvc pull`, after which Snakemake's mtime trigger wants to recompute.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import copy_repo, planned_jobs, tool_env, use_smoke_params  # noqa: E402


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env or tool_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def median_of(cmd, cwd, repeats, env=None) -> float:
    return statistics.median(timed(cmd, cwd, env) for _ in range(repeats))


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tree", default=".", help="a completed paper-scale checkout")
    ap.add_argument("--skip-serial", action="store_true", help="skip the naive `dvc repro` build")
    args = ap.parse_args()
    tree = Path(args.tree).resolve()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        no_pyc = dict(
            tool_env(), PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(tmp / "empty")
        )
        stub = tmp / "stub"
        stub.mkdir()
        (stub / "_ruamel_yaml.py").write_text("raise ImportError('benchmark: C parser hidden')\n")
        pure_yaml = dict(tool_env(), PYTHONPATH=str(stub))
        for cmd, env, how in (
            (["snakemake", "-n"], no_pyc, "no bytecode cache"),
            (["dvc", "status"], pure_yaml, "pure-Python YAML parser"),
        ):
            ours = median_of(cmd, tree, args.repeats)
            naive = median_of(cmd, tree, args.repeats, env)
            rows.append(
                (
                    f"no-op `{' '.join(cmd)}`, completed paper tree (median of {args.repeats})",
                    " ".join(cmd),
                    ours,
                    naive,
                    how,
                )
            )
        ours = median_of(["dlrepro", "params"], tree, args.repeats)
        naive = median_of(
            [
                sys.executable,
                "-c",
                "import torch, pandas; from dlrepro.cli import main; main(['params'])",
            ],
            tree,
            args.repeats,
        )
        rows.append(
            (
                f"job start-up, `dlrepro params` (median of {args.repeats})",
                "dlrepro params",
                ours,
                naive,
                "torch + pandas imported first",
            )
        )

        smoke = copy_repo(tmp / "smoke")
        use_smoke_params(smoke)
        build = timed(["snakemake", "--cores", "2"], smoke)
        serial = float("nan")
        if not args.skip_serial:
            use_smoke_params(serial_repo := copy_repo(tmp / "serial"))
            serial = timed(["dvc", "repro", "--quiet"], serial_repo)
        rows.append(
            (
                "full smoke build, clean copy",
                "snakemake --cores 2 (smoke params)",
                build,
                serial,
                "`dvc repro` (one stage at a time)",
            )
        )
        subprocess.run(["dvc", "commit", "-f", "--quiet"], cwd=smoke, env=tool_env(), check=True)

        remote = tmp / "remote"
        subprocess.run(
            ["dvc", "remote", "modify", "--local", "local", "url", str(remote)],
            cwd=smoke,
            env=tool_env(),
            check=True,
        )
        subprocess.run(["dvc", "push", "--quiet"], cwd=smoke, env=tool_env(), check=True)
        git(smoke, "add", "-A")
        git(smoke, "commit", "-qm", "smoke build")
        clones = {}
        for way in ("ours", "naive"):
            clones[way] = tmp / f"clone_{way}"
            git(tmp, "clone", "-q", str(smoke), str(clones[way]))
            subprocess.run(
                ["dvc", "remote", "modify", "--local", "local", "url", str(remote)],
                cwd=clones[way],
                env=tool_env(),
                check=True,
            )
        pull = timed(["dlrepro", "pull"], clones["ours"])
        naive_pull = timed(["dvc", "pull"], clones["naive"])
        rows.append(
            (
                "pull from local remote into a fresh clone",
                "dlrepro pull",
                pull,
                naive_pull,
                "plain `dvc pull`",
            )
        )
        noop = timed(["snakemake", "-n"], clones["ours"]) + timed(["dvc", "status"], clones["ours"])
        rerun = sum(planned_jobs(clones["naive"]).values())
        total = sum(planned_jobs(clones["naive"], "--forceall").values())
        rows.append(
            (
                "then no-op `snakemake -n` + `dvc status`",
                "snakemake -n; dvc status",
                noop,
                float("nan"),
                f"after plain `dvc pull`, Snakemake would rerun {rerun} of {total} jobs",
            )
        )

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"date {date.today().isoformat()}\n"
    )
    print("| measurement | command | ours (s) | naive (s) | naive way | naive / ours |")
    print("| --- | --- | ---: | ---: | --- | ---: |")
    for what, cmd, ours, naive, how in rows:
        ratio = f"{naive / ours:.2f}x" if naive == naive else "-"
        naive_s = f"{naive:.2f}" if naive == naive else "-"
        print(f"| {what} | `{cmd}` | {ours:.2f} | {naive_s} | {how} | {ratio} |")


if __name__ == "__main__":
    main()
