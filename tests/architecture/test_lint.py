"""The linters the field expects, enforced (configured in pyproject.toml)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import ROOT, run

BIN = Path(sys.executable).parent


def test_ruff_check():
    proc = run([str(BIN / "ruff"), "check", "."], ROOT, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_ruff_format():
    proc = run([str(BIN / "ruff"), "format", "--check", "."], ROOT, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_snakefmt():
    proc = run([str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules"], ROOT, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


# The one lint left, by design (README): the environment is one locked venv / environment.yml
# for every rule, not a conda env or container per rule.
ACCEPTED_LINTS = {"Specify a conda environment or container for each rule."}


def test_snakemake_lint_leaves_only_the_accepted_lint():
    proc = run([str(BIN / "snakemake"), "--lint"], ROOT, check=False)
    text = proc.stdout + proc.stderr
    lints = {
        line.strip()[2:].rstrip(":") for line in text.splitlines() if line.startswith("    * ")
    }
    assert lints and lints <= ACCEPTED_LINTS, text[-4000:]
