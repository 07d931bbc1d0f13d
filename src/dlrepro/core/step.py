"""Pipeline steps: typed file arguments, input checks, provenance.

Steps are declared in dlrepro.pipeline.declare; the CLI gives their file arguments the types
`InputFile` / `OutputFile`. `run` checks inputs exist before any work, pins seeds and threads
from params, calls the step, then records provenance (hashes of every input and output).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dlrepro.core import determinism, io, provenance
from dlrepro.errors import DlreproError


class InputFile(str):
    """A path the step reads (hashed into provenance; must exist)."""


class OutputFile(str):
    """A path the step writes (hashed into provenance after the step)."""


@dataclass
class Context:
    params: dict  # effective, validated params (all sections)
    seed: int
    threads: int
    device_setting: str
    device: str = "cpu"  # filled in by steps that use torch


def _file_args(args: argparse.Namespace, kind: type) -> dict[str, str]:
    found = {}
    for name, value in sorted(vars(args).items()):
        values = value if isinstance(value, list) else [value]
        for i, v in enumerate(values):
            if isinstance(v, kind):
                found[f"{name}[{i}]" if isinstance(value, list) else name] = str(v)
    return found


def _without_log(argv: list[str]) -> list[str]:
    """The command as it determines the outputs: where its log went does not."""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--log":
            skip = True
        elif not word.startswith("--log="):
            out.append(word)
    return out


def run(
    args: argparse.Namespace,
    params: dict,
    func: Callable[[argparse.Namespace, Context], None],
    study: str,
    step: str,
    provenance_path: str | None,
) -> None:
    inputs = _file_args(args, InputFile)
    missing = [p for p in inputs.values() if not Path(p).is_file()]
    if missing:
        raise DlreproError(f"{study} {step}: missing input file(s): {', '.join(missing)}")
    ctx = Context(
        params=params,
        seed=params["seed"],
        threads=params["threads"],
        device_setting=params["device"],
    )
    determinism.pin_cpu_isa(params["cpu_isa"])
    determinism.configure(ctx.seed, ctx.threads)
    func(args, ctx)
    if provenance_path:
        outputs = _file_args(args, OutputFile)
        record = {
            "step": f"{study} {step}",
            "command": "dlrepro " + shlex.join(_without_log(sys.argv[1:])),
            "params": {
                "seed": params["seed"],
                "threads": params["threads"],
                "device": params["device"],
                study: params.get(study),
            },
            "inputs": {p: io.sha256_file(p) for p in sorted(inputs.values())},
            "outputs": {p: io.sha256_file(p) for p in sorted(outputs.values())},
            "environment": provenance.environment(
                ctx.device, ctx.threads, determinism.cpu_isa_record(params["cpu_isa"])
            ),
        }
        io.write_json(provenance_path, record)
