"""Seeds and thread counts: the two things that decide whether bytes repeat.

torch on CPU is bit-identical across processes only at the same thread count
(../shared/TOOLCHAIN.md), so the count comes from params, never from the machine.
"""

from __future__ import annotations

import os
import random
import zlib

import numpy as np


def stream_seed(seed: int, *names: str) -> int:
    """A seed for one named random stream, so adding a stream never shifts another."""
    seq = np.random.SeedSequence([seed, *(zlib.crc32(n.encode()) for n in names)])
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng(stream_seed(seed, *names))


def configure(seed: int, threads: int) -> None:
    """Seed Python and NumPy and pin BLAS/OpenMP thread pools (every step)."""
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses; this process is already running
    random.seed(seed)
    np.random.seed(seed % 2**32)

    # Libraries loaded later in the step (scikit-learn's OpenMP in t-SNE, say) read these at
    # load time; threadpoolctl only reaches pools already loaded. Snakemake sets them for its
    # jobs, DVC does not: without this, t-SNE used every core under `dvc repro` and its bytes
    # differed from the Snakemake build's.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)


def configure_torch(seed: int, threads: int) -> None:
    """Seed torch, pin its threads and make it deterministic (steps that use torch)."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    # Same flag as torch.use_deterministic_algorithms(True), which also imports the Inductor
    # compiler (~4 s per job here) only to set its option; we never compile.
    torch.set_deterministic_debug_mode("error")
    torch.backends.cudnn.benchmark = False
    # cuBLAS needs this for deterministic GEMMs on GPU; harmless on CPU.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
