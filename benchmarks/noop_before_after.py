"""No-op checks and job start-up in two completed trees side by side (e.g. before and after a
change), each with its own virtualenv, alternating runs; median of --repeats.

    python benchmarks/noop_before_after.py BEFORE_TREE AFTER_TREE [--repeats 5]

Both trees must be completed builds (`dvc status` and `snakemake -n` with nothing to do), each
with `.venv/` installed from its own checkout. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

COMMANDS = {
    "`snakemake -n`": ["snakemake", "-n", "--quiet"],
    "`dvc status`": ["dvc", "status"],
    "`dlrepro params` (job start-up)": ["dlrepro", "params"],
    "`dlrepro slash generate` (a whole cheap job)": [
        "dlrepro", "slash", "generate", "--out", "/tmp/noop-generate.npz",
    ],
}  # fmt: skip


def timed(cmd: list[str], tree: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{tree / '.venv/bin'}{os.pathsep}{env['PATH']}", PYTHONHASHSEED="0",
               DVC_NO_ANALYTICS="1")  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    times = {(t, c): [] for t in trees for c in COMMANDS}
    for _ in range(args.repeats):
        for name, cmd in COMMANDS.items():
            for t, tree in trees.items():  # alternate: drift on a shared host hits both
                times[(t, name)].append(timed(cmd, tree))
    print("| command | before (s) | after (s) | after / before |")
    print("| --- | ---: | ---: | ---: |")
    for name in COMMANDS:
        b, a = (statistics.median(times[(t, name)]) for t in trees)
        print(f"| {name} | {b:.2f} | {a:.2f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
