"""Per-study job seconds, CPU seconds and peak RSS of a build, from the rules' `benchmark:`
files (logs/<study>/<rule>[-wildcards].tsv, written by Snakemake for every job).

    python benchmarks/job_times.py [--tree .]

Prints a Markdown table: jobs, summed wall seconds, summed CPU seconds, largest job, peak RSS.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=Path("."))
    args = ap.parse_args()
    rows, total = [], [0, 0.0, 0.0]
    for study in sorted(p for p in (args.tree / "logs").iterdir() if p.is_dir()):
        jobs = [r for tsv in study.glob("*.tsv") for r in csv.DictReader(open(tsv), delimiter="\t")]
        if not jobs:
            continue
        wall = sum(float(r["s"]) for r in jobs)
        cpu = sum(float(r["cpu_time"]) for r in jobs if r["cpu_time"] not in ("", "NA"))
        rss = max(float(r["max_rss"]) for r in jobs if r["max_rss"] not in ("", "NA"))
        top = max(float(r["s"]) for r in jobs)
        rows.append((study.name, len(jobs), wall, cpu, top, rss))
        total = [total[0] + len(jobs), total[1] + wall, total[2] + cpu]
    print("| study | jobs | job seconds | CPU seconds | largest job (s) | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, n, wall, cpu, top, rss in sorted(rows, key=lambda r: -r[2]):
        print(f"| {name} | {n} | {wall:.0f} | {cpu:.0f} | {top:.0f} | {rss:.0f} |")
    print(f"| **all** | {total[0]} | {total[1]:.0f} | {total[2]:.0f} | | |")


if __name__ == "__main__":
    main()
