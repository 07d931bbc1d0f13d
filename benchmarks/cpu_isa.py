"""The speed cost of the CPU kernel cap (params `cpu_isa`), side by side in one run.

    python benchmarks/cpu_isa.py [--repeats 3] [--train-size 20000]

Times two torch steps under `cpu_isa: avx2` (the default: the same bytes on every x86-64
machine with AVX2) and `native` (the CPU's widest kernels): one adversarial ensemble member
(the study that dominates the paper build; the paper's 5 epochs on `--train-size` images) and
the slash Vanilla CNN (paper params). Runs alternate between the two settings so that drift on
a shared host hits both alike. Needs the MNIST artifact (`snakemake data/processed/mnist/mnist.npz`).
Prints a Markdown table: median wall seconds per setting, and native / avx2.
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

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT / "data/processed/mnist/mnist.npz"


def _run(cmd: list[str], override: Path) -> float:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dlrepro", "--params", str(ROOT / "params.yaml"),
         "--params", str(override), *cmd],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--train-size", type=int, default=20000)
    args = ap.parse_args()
    if not MNIST.is_file():
        sys.exit(f"{MNIST} missing: snakemake data/processed/mnist/mnist.npz")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        overrides = {}
        for isa in ("avx2", "native"):
            overrides[isa] = tmp / f"{isa}.yaml"
            overrides[isa].write_text(
                f"cpu_isa: {isa}\nadversarial: {{data: {{train_size: {args.train_size}}}}}\n"
            )
        # the slash CNN needs its split: build it once (no torch in these steps)
        data, split = tmp / "slash.npz", tmp / "split.npz"
        for cmd in (
            ["slash", "generate", "--out", str(data)],
            ["slash", "split", "--data", str(data), "--out", str(split)],
        ):
            _run(cmd, overrides["avx2"])
        workloads = {
            f"adversarial member (5 epochs, {args.train_size} images)": lambda o: [
                "adversarial", "member", "--kind", "uniform", "--member", "0",
                "--data", str(MNIST), "--weights", str(tmp / f"{o.stem}.pt"),
                "--metrics", str(tmp / f"{o.stem}.json"),
            ],
            "slash vanilla CNN (30 epochs, 750 images)": lambda o: [
                "slash", "train", "--model", "vanilla_cnn", "--split", str(split),
                "--weights", str(tmp / f"{o.stem}-cnn.pt"),
                "--metrics", str(tmp / f"{o.stem}-cnn.json"),
                "--history", str(tmp / f"{o.stem}-cnn.csv"),
            ],
        }  # fmt: skip
        rows = []
        for name, cmd in workloads.items():
            times = {"avx2": [], "native": []}
            for _ in range(args.repeats):
                for isa in ("avx2", "native"):  # alternate: host drift hits both
                    times[isa].append(_run(cmd(overrides[isa]), overrides[isa]))
            med = {isa: statistics.median(t) for isa, t in times.items()}
            rows.append((name, med["avx2"], med["native"], med["native"] / med["avx2"]))
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.processor())  # fmt: skip
    print(f"{date.today()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"median of {args.repeats}, one thread per job")  # fmt: skip
    print("| workload | avx2 cap (s) | native (s) | native / avx2 |")
    print("| --- | ---: | ---: | ---: |")
    for name, a, n, r in rows:
        print(f"| {name} | {a:.1f} | {n:.1f} | {r:.2f} |")


if __name__ == "__main__":
    main()
