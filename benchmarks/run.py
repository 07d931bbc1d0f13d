"""Pipeline benchmarks (not tests): wall time of the paper-scale slash run, Snakemake on 2
cores vs the naive serial way (1 core, and `dvc repro`, which runs stages one at a time), and
no-op `snakemake -n` / `dvc status` on the completed tree.

    python benchmarks/run.py [--repeats 5] [--skip-serial]

Each build starts from a clean scratch copy of the repository. Prints a Markdown table.
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
from conftest import copy_repo, tool_env  # noqa: E402  (one way to make a scratch clone)


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=tool_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-serial", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        par = copy_repo(tmp / "parallel")
        rows.append(
            (
                "paper-scale build, Snakemake 2 cores",
                "snakemake --cores 2",
                timed(["snakemake", "--cores", "2"], par),
            )
        )
        if not args.skip_serial:
            ser = copy_repo(tmp / "serial")
            rows.append(
                (
                    "paper-scale build, Snakemake 1 core (naive serial)",
                    "snakemake --cores 1",
                    timed(["snakemake", "--cores", "1"], ser),
                )
            )
            dvc = copy_repo(tmp / "dvc")
            rows.append(
                (
                    "paper-scale build, DVC (stages run one at a time)",
                    "dvc repro",
                    timed(["dvc", "repro", "--quiet"], dvc),
                )
            )
            noop = [timed(["dvc", "status"], dvc) for _ in range(args.repeats)]
            rows.append(
                (
                    f"no-op `dvc status`, completed tree (median of {args.repeats})",
                    "dvc status",
                    statistics.median(noop),
                )
            )
        noop = [timed(["snakemake", "--cores", "2", "-n"], par) for _ in range(args.repeats)]
        rows.append(
            (
                f"no-op `snakemake -n`, completed tree (median of {args.repeats})",
                "snakemake --cores 2 -n",
                statistics.median(noop),
            )
        )
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"date {date.today().isoformat()}\n"
    )
    print("| measurement | command | wall time (s) |\n| --- | --- | --- |")
    for what, cmd, seconds in rows:
        print(f"| {what} | `{cmd}` | {seconds:.1f} |")
    if len(rows) > 2:
        print(
            f"\nSerial / parallel ratio: {rows[1][2] / rows[0][2]:.2f}x (Snakemake 1 core vs 2 cores), "
            f"{rows[2][2] / rows[0][2]:.2f}x (dvc repro vs Snakemake 2 cores)"
        )


if __name__ == "__main__":
    main()
