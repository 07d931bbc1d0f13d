"""What produced an artifact: command, params, input/output hashes, versions, device.

Written beside the outputs as `<study>/provenance/<step>.json`, a DVC output itself, so it
holds only what determines the bytes (Python, library versions, architecture, CPU kernel cap
and ATen's choice, threads, device): no time stamps, host names or kernel build strings, so
two machines of a kind write the same record. The machine itself (CPU model, ISA flags, OS)
goes to the job's log (`machine()`), where nothing hashes it.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

LIBRARIES = (
    "dlrepro",
    "torch",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "matplotlib",
    "snakemake",
    "dvc",
)


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def lock_hash() -> str:
    """sha256 of requirements.lock, the whole environment the install put in place."""
    import hashlib

    from dlrepro.paths import LOCK

    return hashlib.sha256(LOCK.read_bytes()).hexdigest() if LOCK.is_file() else "no lock file"


def environment(device: str, threads: int, cpu_isa: dict) -> dict:
    return {
        "python": sys.version.split()[0],
        "requirements_lock": lock_hash(),
        "machine": platform.machine(),
        "cpu_isa": cpu_isa,
        "device": device,
        "threads": threads,
        "libraries": library_versions(),
    }


# the instruction-set flags that decide which kernels torch/oneDNN/OpenBLAS may pick
ISA_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def machine() -> dict:
    """The machine a job ran on, to explain a difference (logs, `dlrepro verify`); not hashed."""
    model, flags = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass  # not Linux: the model from platform, no flags
    return {
        "cpu": model,
        "isa": [f for f in ISA_FLAGS if f in flags],
        "cores": os.cpu_count(),
        "os": platform.platform(),
    }
