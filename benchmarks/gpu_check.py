"""The GPU path, measured: the heavy studies built at paper scale with `device: cuda`, wall time
per study, and every claim's verdict beside the CPU build's (weights differ on a GPU; verdicts
should not).

    python benchmarks/gpu_check.py [--studies adversarial quora random_dilation selu]
                                   [--cpu-tree .] [--cores 16]

Run it on a machine with CUDA (it refuses otherwise). --cpu-tree is a completed CPU build (after
`make reproduce`, or `dlrepro pull`) whose results/<study>/comparison.csv files are the
reference. The GPU build runs in a scratch copy of the checkout (raw data from the mirror).
Prints a Markdown table per study: GPU wall (s), summed job seconds (Snakemake benchmark files),
claims, verdicts equal, and lists each claim whose verdict differs.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import copy_repo, run  # noqa: E402

HEAVY = ("adversarial", "quora", "random_dilation", "selu")


def verdicts(tree: Path, study: str) -> dict[str, str]:
    with open(tree / f"results/{study}/comparison.csv", newline="") as f:
        return {row["claim"]: row["verdict"] for row in csv.DictReader(f)}


def job_seconds(tree: Path, study: str) -> float:
    total = 0.0
    for tsv in (tree / "logs" / study).glob("*.tsv"):
        rows = list(csv.DictReader(open(tsv), delimiter="\t"))
        total += sum(float(r["s"]) for r in rows)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--studies", nargs="+", default=list(HEAVY))
    ap.add_argument("--cpu-tree", type=Path, default=ROOT)
    ap.add_argument("--cores", default="all")
    args = ap.parse_args()
    import torch

    if not torch.cuda.is_available():
        sys.exit("gpu_check: no CUDA device here; run it on a GPU machine")
    gpu = torch.cuda.get_device_name(0)
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp) / "gpu")
        (repo / "gpu.yaml").write_text("device: cuda\n")
        # shared inputs first, so each study's wall time is its own
        run(["snakemake", "--cores", args.cores, "data/processed/mnist/mnist.npz",
             "--configfile", "gpu.yaml"], repo)  # fmt: skip
        print(f"GPU: {gpu}; CPU reference: {args.cpu_tree}")
        print("| study | GPU wall (s) | job seconds | claims | same verdict |")
        print("| --- | ---: | ---: | ---: | ---: |")
        moved = []
        for study in args.studies:
            start = time.perf_counter()
            run(["snakemake", "--cores", args.cores, f"results/{study}/comparison.csv",
                 "--configfile", "gpu.yaml"], repo)  # fmt: skip
            wall = time.perf_counter() - start
            ours, ref = verdicts(repo, study), verdicts(args.cpu_tree, study)
            same = sum(ours.get(c) == v for c, v in ref.items())
            moved += [(study, c, v, ours.get(c)) for c, v in ref.items() if ours.get(c) != v]
            print(f"| {study} | {wall:.0f} | {job_seconds(repo, study):.0f} | {len(ref)} | "
                  f"{same} |")  # fmt: skip
        for study, claim, cpu, gpu_verdict in moved:
            print(f"- {study}: {claim!r}: CPU {cpu}, GPU {gpu_verdict}")


if __name__ == "__main__":
    main()
