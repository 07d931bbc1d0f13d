"""Seeds, thread counts and CPU kernels: the things that decide whether bytes repeat.

torch on CPU is bit-identical across processes only at the same thread count
(../shared/TOOLCHAIN.md), so the count comes from params, never from the machine. Across
machines, torch (ATen) and oneDNN pick the widest vector kernels the CPU has (AVX-512 here,
AVX2 on the builder's VM) and their float results differ; `cpu_isa` caps them to a baseline.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import zlib

import numpy as np

from dlrepro.errors import DlreproError


def stream_seed(seed: int, *names: str) -> int:
    """A seed for one named random stream, so adding a stream never shifts another."""
    seq = np.random.SeedSequence([seed, *(zlib.crc32(n.encode()) for n in names)])
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.default_rng(stream_seed(seed, *names))


# cpu_isa setting -> the environment variables torch (ATen) and oneDNN read at first use
CPU_ISA_CAPS = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}}


def pin_cpu_isa(setting: str) -> None:
    """Cap torch's CPU kernels (params `cpu_isa`), before torch loads in this process.

    Measured (issue 13): with both caps, trained weights built on an AVX-512 VM equal those
    of the AVX2 builder byte for byte; without them none did. `native` leaves the choice to
    the library (faster on wide CPUs, bytes specific to the CPU)."""
    if setting == "native":
        for var in CPU_ISA_CAPS["avx2"]:
            os.environ.pop(var, None)  # e.g. inherited from a capped parent
        return
    if platform.machine() not in ("x86_64", "AMD64"):
        return  # the caps name x86 instruction sets; elsewhere there is nothing to pin
    caps = CPU_ISA_CAPS[setting]
    os.environ.update(caps)
    if "torch" in sys.modules:  # in-process callers (tests): ATen reads it at first dispatch
        import torch

        if torch.backends.cpu.get_cpu_capability() != caps["ATEN_CPU_CAPABILITY"].upper():
            raise DlreproError(
                f"cpu_isa {setting}: torch was loaded and chose its CPU kernels before the cap"
            )


def cpu_isa_record(setting: str) -> dict:
    """What decided the CPU kernels, for provenance: the cap and, if torch ran, ATen's choice."""
    record = {"cap": setting}
    if "torch" in sys.modules:
        import torch

        record["aten"] = torch.backends.cpu.get_cpu_capability()
    return record


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
