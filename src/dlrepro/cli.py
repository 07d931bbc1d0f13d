"""`dlrepro ...`: the one entry point every pipeline rule calls (so Snakemake and DVC run the
identical command).

    dlrepro [--params FILE ...] [--provenance FILE] <study> <step> [options]
    dlrepro params [--params FILE ...]     print the merged, validated params
    dlrepro params --write DIR             write them as a project's params files (DVC reads files)
    dlrepro dvc-yaml [--check] [TARGET ...] (re)generate dvc.yaml from the Snakemake workflow
    dlrepro pull [-r REMOTE]               artifacts from the DVC remote, nothing left to rerun
    dlrepro verify [TARGET ...]            rebuild in a scratch copy, compare every hash with dvc.lock
    dlrepro reproduce [--compute-all] [TARGET ...]  published artifacts matching dvc.lock, compute the rest
    dlrepro report ...                     build results/report/
    dlrepro summary [STUDY ...]            the built studies' verdicts in the terminal
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from dlrepro.errors import DlreproError
from dlrepro.pipeline import registry

GLOBAL_OPTIONS = ("--params", "--provenance", "--log")


def _step_parsers(sub, steps) -> None:
    """One sub-command per declared step, its flags from the declaration (InputFile/OutputFile
    types mark what provenance hashes)."""
    from dlrepro.core.step import InputFile, OutputFile
    from dlrepro.pipeline.declare import In, Out, Value, Wildcard

    for step in steps:
        p = sub.add_parser(step.command[-1], help=step.help)
        for flag, a in step.args.items():
            opt = f"--{flag.replace('_', '-')}"
            if isinstance(a, In):
                p.add_argument(
                    opt,
                    type=InputFile if a.hashed else str,
                    required=True,
                    nargs="+" if a.many else None,
                )
            elif isinstance(a, Out):
                p.add_argument(opt, type=OutputFile if a.hashed else str, required=True)
            elif isinstance(a, Wildcard) and a.in_command:
                p.add_argument(opt, type=a.type, choices=a.choices, required=True)
            elif isinstance(a, Value):
                p.add_argument(opt, required=True)
        p.set_defaults(step=step)


def _command_word(argv: list[str]) -> str | None:
    """The first word after the global options: which study's declarations to load."""
    i = 0
    while i < len(argv):
        if argv[i] in GLOBAL_OPTIONS:
            i += 2
        elif argv[i].startswith("-"):
            i += 1
        else:
            return argv[i]
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; a job (`dlrepro <study> <step> ...`) loads only its own study's
    declarations, `--help` loads every study's."""
    parser = argparse.ArgumentParser(
        prog="dlrepro", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--params",
        action="append",
        metavar="FILE",
        help="override file(s), merged in order over the project's params "
        "(params.yaml + params/<study>.yaml)",
    )
    parser.add_argument(
        "--provenance", metavar="FILE", help="write the step's provenance record here"
    )
    parser.add_argument(
        "--log", metavar="FILE", help="also write the step's output (stdout, stderr) to this file"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    word = _command_word(sys.argv[1:] if argv is None else argv)
    # a job loads only the declarations of its own study (or, for `dlrepro fetch`/`mnist`, of
    # the shared data steps): its code inputs are computed from exactly those imports
    if word not in registry.STUDIES:
        shared = [s for owner in registry.SHARED for s in registry.steps_of(owner)]
        seen = set()  # shared data steps are top-level commands (`dlrepro fetch`)
        _step_parsers(sub, [s for s in shared if not (s.command in seen or seen.add(s.command))])
        if word in {command[0] for command in seen}:
            return parser
    for owner in [word] if word in registry.STUDIES else registry.STUDIES:
        study = sub.add_parser(owner, help=f"steps of the {owner} study")
        steps = registry.steps_of(owner)
        _step_parsers(study.add_subparsers(dest="step_name", required=True), steps)
    if word in registry.STUDIES:
        return parser

    p = sub.add_parser("params", help="print the merged, validated params as YAML")
    p.add_argument(
        "--write", metavar="DIR", help="write them as params.yaml + params/<study>.yaml in DIR"
    )
    p.set_defaults(handler="dlrepro.commands:print_params")

    p = sub.add_parser("dvc-yaml", help="generate dvc.yaml from the Snakemake workflow")
    p.add_argument("--check", action="store_true", help="exit 1 if the committed dvc.yaml is stale")
    p.add_argument("--output", default="dvc.yaml")
    p.add_argument("--root", default=".", help="project directory holding the Snakefile")
    p.add_argument(
        "targets",
        nargs="*",
        help="only the stages these Snakemake targets need (a study's name, a file); "
        "default: everything",
    )
    p.set_defaults(handler="dlrepro.dvc_export:main")

    from dlrepro import pull, verify

    p = sub.add_parser("pull", help="pull cached artifacts from the DVC remote, ready to use")
    pull.add_arguments(p)
    p.set_defaults(handler="dlrepro.pull:main")

    p = sub.add_parser("verify", help="rebuild in a scratch copy and compare with dvc.lock")
    verify.add_arguments(p)
    p.set_defaults(handler="dlrepro.verify:main")

    from dlrepro import reproduce

    p = sub.add_parser("reproduce", help="take matching published artifacts, compute the rest")
    reproduce.add_arguments(p)
    p.set_defaults(handler="dlrepro.reproduce:main")

    from dlrepro import summary

    p = sub.add_parser("summary", help="the built studies' verdicts, a short table per study")
    summary.add_arguments(p)
    p.set_defaults(handler="dlrepro.summary:main")

    from dlrepro.report import add_arguments as add_report_arguments

    p = sub.add_parser("report", help="build the HTML + Markdown report from study outputs")
    add_report_arguments(p)
    p.set_defaults(handler="dlrepro.report.build:main")
    return parser


def _resolve(handler: str):
    module, func = handler.split(":")
    return getattr(importlib.import_module(module), func)


def _pin_hash_seed(argv: list[str] | None) -> None:
    """Re-exec under PYTHONHASHSEED=0: some libraries (gensim's word2vec) seed from str hashes,
    which Python randomises per process unless the variable is set before start-up."""
    if os.environ.get("PYTHONHASHSEED") == "0" or argv is not None:
        return  # already pinned, or called in-process (tests), where we cannot re-exec
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, "-m", "dlrepro", *sys.argv[1:]])


class _Tee:
    """Writes to the terminal stream and the log file (Snakemake's `log:`), so a job's output
    is kept with the build and still seen live."""

    def __init__(self, stream, log):
        self.stream, self.log = stream, log

    def write(self, text):
        self.log.write(text)
        self.log.flush()
        return self.stream.write(text)

    def __getattr__(self, name):  # isatty, fileno, flush...: the terminal's
        return getattr(self.stream, name)


def _tee_output(path: str) -> None:
    """The job's output also goes to its log, which starts with the machine it ran on (kept
    out of provenance, a hashed output, so machines of a kind write the same bytes)."""
    import json
    from pathlib import Path

    from dlrepro.core.provenance import machine

    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        log = open(path, "w", encoding="utf-8")  # noqa: SIM115 - open for the process's lifetime
    except OSError as exc:
        raise DlreproError(f"{path}: cannot write the job's log ({exc.strerror})") from None
    log.write(f"machine: {json.dumps(machine())}\n")
    sys.stdout, sys.stderr = _Tee(sys.stdout, log), _Tee(sys.stderr, log)


def main(argv: list[str] | None = None) -> int:
    _pin_hash_seed(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        if args.log:
            _tee_output(args.log)
        from dlrepro.core.params import load_project_params

        if getattr(args, "step", None):
            from dlrepro.core import step

            params = load_project_params(".", args.params or ())
            args.step.check_inputs_match_params(args, params)
            study, name = args.step.study_step
            step.run(args, params, args.step.func, study, name, args.provenance)
        else:
            needs_params = args.command in ("params", "report", "reproduce")
            params = load_project_params(".", args.params or ()) if needs_params else None
            return _resolve(args.handler)(args, params) or 0
    except DlreproError as exc:
        print(f"dlrepro: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
