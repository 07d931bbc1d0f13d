"""What produced an artifact: command, params, input/output hashes, versions, device.

Written beside the outputs as `<study>/provenance/<step>.json`. It holds no time stamps or
host names, so it is itself reproducible on the same platform; it does hold the platform,
library versions and thread count, so a difference between two machines can be explained.
"""

from __future__ import annotations

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


def environment(device: str, threads: int) -> dict:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "device": device,
        "threads": threads,
        "libraries": library_versions(),
    }
