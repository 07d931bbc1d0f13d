"""Each pipeline step is declared once, beside the function that runs it.

    steps = Steps("slash")

    @steps.step(params=("seed", "slash.data"), data=Out(SLASH_DATA))
    def generate(args, ctx): ...

From that one declaration come the step's `dlrepro slash generate --data PATH` sub-command
(dlrepro.cli), its Snakemake rule (workflow/rules/steps.smk: shell, provenance, log, benchmark,
threads, resources, report captions, code inputs from the import closure) and so its DVC stage
(`dlrepro dvc-yaml`). Keyword arguments after the options are the command's arguments, in
command order: `flag=In(path)` / `Out(path)` / `Wildcard()` / `Value(fn)`.

This module is import-light (no torch, no Snakemake): the Snakefile reads every study's
declarations at parse time, and every job reads its own study's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# A path: a fixed string or pattern with {wildcards}, or fn(wildcards, config) -> str | list[str]
# for inputs that depend on params (e.g. one file per configured ensemble member).
Path = str | Callable[[Any, dict], Any]


@dataclass(frozen=True)
class In:
    """A file the step reads (`--flag PATH`, or `--flag PATH ...` with many=True)."""

    path: Path
    many: bool = False
    hashed: bool = True  # False: a measurement (e.g. wall-clock times) kept out of provenance


@dataclass(frozen=True)
class Out:
    """A file the step writes. figure=True: a report figure, captioned by
    src/dlrepro/studies/<study>/captions/<file stem>.rst. path: a fixed string or {wildcard}
    pattern, or fn(config) -> str for a file named by params (e.g. which raw file to fetch)."""

    path: str | Callable[[dict], str]
    figure: bool = False
    hashed: bool = True  # False: a measurement (e.g. wall-clock times) kept out of provenance
    # a per-epoch CSV (column `epoch`) whose columns -> axis titles become `dvc plots show`
    # charts, one per column, drawn from run 0 (the report's figures show every run)
    plot: tuple[tuple[str, str], ...] = ()

    def resolve(self, config: dict) -> str:
        return self.path(config) if callable(self.path) else self.path


@dataclass(frozen=True)
class Wildcard:
    """`--flag {wildcards.flag}`: one job per value (e.g. one per model or ensemble member)."""

    choices: tuple[str, ...] | None = None  # the allowed values, also the wildcard's constraint
    pattern: str | None = None  # a regex constraint when there is no fixed list
    type: type = str
    values: Callable[[dict], Any] | None = None  # the values a build makes, from params
    in_command: bool = True  # False: only names the job's files (e.g. which raw file to fetch)

    def enumerate(self, config: dict) -> list:
        return list(self.values(config) if self.values is not None else self.choices)


@dataclass(frozen=True)
class Value:
    """`--flag VALUE` computed from the job's wildcards and params: fn(wildcards, config)."""

    fn: Callable[[Any, dict], str]


Arg = In | Out | Wildcard | Value

# the columns of a training history (epoch, loss, train_acc): Out(..., plot=TRAINING_CURVES)
TRAINING_CURVES = (("loss", "training loss"), ("train_acc", "training accuracy"))


# params every step depends on besides its own: they decide the bytes of any torch/BLAS step
# (threads: float reduction order; cpu_isa: which vector kernels), so a change reruns them
PLATFORM_PARAMS = ("threads", "cpu_isa")


@dataclass(frozen=True)
class Step:
    owner: str  # the study (or shared data source) whose provenance folder the step writes to
    name: str  # provenance "step" and default rule/command name
    func: Callable  # (args, ctx) -> None; imported lazily by module path when the job runs
    help: str
    args: dict[str, Arg]  # flag (underscored) -> argument, in command order
    command: tuple[str, ...]  # `dlrepro <command...> --flag ...`
    rule: str  # Snakemake rule / DVC stage prefix
    params: tuple[str, ...] | Callable[[Any, dict], tuple[str, ...]] = ()
    gpu: bool = False  # uses a GPU when present (device: auto); SLURM asks for one
    runtime: int = 10  # SLURM minutes, sized for paper scale with room to spare
    mem_mb: int = 1000  # SLURM memory
    threads: int | None = None  # None: params `threads` (torch/BLAS threads per job)
    provenance: bool = True
    record: tuple[str, str] | None = (
        None  # (study, step) in the provenance record; default (owner, name)
    )
    provenance_stem: str | None = None  # default: <name>[_{wildcard}...] in flag order

    @property
    def study_step(self) -> tuple[str, str]:
        return self.record or (self.owner, self.name)

    @property
    def wildcards(self) -> list[str]:
        return [flag for flag, a in self.args.items() if isinstance(a, Wildcard)]

    @property
    def module(self) -> str:
        return self.func.__module__

    def provenance_path(self) -> str:
        """results/<owner>/provenance/<name>[_<wildcard>...].json"""
        stem = self.provenance_stem or "_".join([self.name, *(f"{{{w}}}" for w in self.wildcards)])
        return f"results/{self.owner}/provenance/{stem}.json"

    def log_stem(self) -> str:
        """logs/<owner>/<rule>[-<wildcard>...]: the job's log and benchmark files."""
        return "-".join([f"logs/{self.owner}/{self.rule}", *(f"{{{w}}}" for w in self.wildcards)])

    def check_inputs_match_params(self, args, params: dict) -> None:
        """Inputs named by params (member counts, variants, runs) must be exactly those the
        params call for: a DAG built with other params (a stale dvc.yaml, `dvc exp run -S` on
        a DAG-shape key) would otherwise give a silently smaller or larger result."""
        from types import SimpleNamespace

        from dlrepro.errors import DlreproError

        wildcards = SimpleNamespace(**vars(args))
        for flag, a in self.files(In).items():
            if not callable(a.path):
                continue
            expected = a.path(wildcards, params)
            expected = list(expected) if a.many else [expected]
            given = getattr(args, flag)
            given = [str(g) for g in (given if a.many else [given])]
            if sorted(given) != sorted(expected):
                extra, absent = (
                    sorted(set(given) - set(expected)),
                    sorted(set(expected) - set(given)),
                )
                raise DlreproError(
                    f"{' '.join(self.study_step)}: --{flag.replace('_', '-')} got {len(given)} "
                    f"file(s), the params call for {len(expected)}"
                    + (f"; not called for: {', '.join(extra[:3])}" if extra else "")
                    + (f"; missing: {', '.join(absent[:3])}" if absent else "")
                    + ". The DAG was built with other params: after changing a param that shapes "
                    "it, run through Snakemake, or regenerate dvc.yaml (`dlrepro dvc-yaml`)"
                )

    def files(self, kind: type) -> dict[str, Any]:
        return {flag: a for flag, a in self.args.items() if isinstance(a, kind)}

    def wildcard_constraints(self) -> dict[str, str]:
        out = {}
        for flag, a in self.files(Wildcard).items():
            if a.choices is not None:
                out[flag] = "|".join(re.escape(c) for c in a.choices)
            elif a.pattern is not None:
                out[flag] = a.pattern
        return out

    def expand(self, pattern: str, config: dict) -> list[str]:
        """`pattern` for every combination of the step's wildcard values in a build."""
        import itertools

        names = self.wildcards
        values = [self.args[n].enumerate(config) for n in names]
        return [pattern.format(**dict(zip(names, combo))) for combo in itertools.product(*values)]

    def outputs(self, config: dict) -> list[str]:
        """Every file the step's jobs write in a build with these params."""
        patterns = [a.resolve(config) for a in self.files(Out).values()]
        patterns += [self.provenance_path()] if self.provenance else []
        return [f for p in patterns for f in self.expand(p, config)]

    def render(self, prefix: str, log: str | None, wildcards, input, output, config: dict) -> str:
        """The job's command, from its resolved files (what the rule's shell runs)."""

        def value(v):
            return v if isinstance(v, str) else " ".join(map(str, v))

        words = [prefix] + ([f"--log {log}"] if log else [])
        if self.provenance:
            words.append(f"--provenance {output.provenance}")
        words += self.command
        for flag, a in self.args.items():
            if isinstance(a, Wildcard) and not a.in_command:
                continue
            if isinstance(a, In):
                got = getattr(input, flag)
            elif isinstance(a, Out):
                got = getattr(output, flag)
            elif isinstance(a, Wildcard):
                got = getattr(wildcards, flag)
            else:
                got = a.fn(wildcards, config)
            words.append(f"--{flag.replace('_', '-')} {value(got)}")
        return " ".join(words)


@dataclass
class Steps:
    """The steps of one study (or shared data source), in declaration order."""

    owner: str
    command: tuple[str, ...] | None = None  # default: (owner,)
    steps: list[Step] = field(default_factory=list)

    @property
    def run(self) -> Wildcard:
        """The `run` wildcard: one job per run seed, runs 0..R-1 (params `<owner>.runs`)."""
        owner = self.owner
        return Wildcard(
            pattern=r"\d+", type=int, values=lambda config: range(config[owner]["runs"])
        )

    def each_run(self, pattern: str) -> In:
        """`pattern` ({run} and any fixed {wildcards} left for the caller) for every run of a
        build, in run order: what a compare step reads to describe results over runs."""
        owner = self.owner

        def files(wildcards, config) -> list[str]:
            return [pattern.format(run=r) for r in range(config[owner]["runs"])]

        return In(files, many=True)

    @property
    def claims(self) -> In:
        """The study's claims.yaml, as the input of the step that compares with the post."""
        return In(f"src/dlrepro/studies/{self.owner}/claims.yaml")

    def step(
        self,
        *,
        step_name: str | None = None,
        rule: str | None = None,
        command: tuple[str, ...] | None = None,
        help: str = "",
        **options_and_args,
    ):
        options = {
            k: options_and_args.pop(k)
            for k in (
                "params",
                "gpu",
                "runtime",
                "mem_mb",
                "threads",
                "provenance",
                "record",
                "provenance_stem",
            )
            if k in options_and_args
        }
        for flag, a in options_and_args.items():
            if not isinstance(a, (In, Out, Wildcard, Value)):
                raise TypeError(f"{self.owner}: argument {flag}={a!r} is not In/Out/Wildcard/Value")

        if any(a == self.claims for a in options_and_args.values()):
            # a step judging claims also reads `scale` (optional claims only below paper scale)
            keys = options.get("params", ())
            options["params"] = (
                (lambda w, c, keys=keys: ("scale", *keys(w, c)))
                if callable(keys)
                else ("scale", *keys)
            )

        def register(func):
            name = step_name or func.__name__
            prefix = self.command if self.command is not None else (self.owner,)
            self.steps.append(
                Step(
                    owner=self.owner,
                    name=name,
                    func=func,
                    help=help or (func.__doc__ or "").strip().split("\n")[0],
                    args=dict(options_and_args),
                    command=command if command is not None else (*prefix, name),
                    rule=f"{self.owner}_{rule or name}",
                    **options,
                )
            )
            return func

        return register
