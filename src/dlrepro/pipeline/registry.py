"""Who declares steps: the studies (dlrepro.studies.STUDIES, in report order) and the shared
data sources. Snakefile, CLI, report, SLURM profile and tests all derive from here."""

from __future__ import annotations

import importlib

from dlrepro.studies import STUDIES

# shared raw data + datasets used by several studies: owner -> module declaring its steps
SHARED = {"mnist": "dlrepro.data.steps"}


def steps_module(owner: str) -> str:
    """The module whose `steps` (a dlrepro.pipeline.declare.Steps) declares the owner's steps."""
    return SHARED.get(owner) or f"dlrepro.studies.{owner}.cli"


def owners() -> tuple[str, ...]:
    return (*SHARED, *STUDIES)


def steps_of(owner: str):
    return importlib.import_module(steps_module(owner)).steps.steps


def all_steps():
    return [s for owner in owners() for s in steps_of(owner)]
