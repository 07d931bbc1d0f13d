"""Corrupt inputs stop the pipeline before any training, with a message that names the file
and what is wrong, and nothing downstream is written.

Raw data: the scratch copy fetches from a mirror that is a copy of ../shared/data/raw with the
Quora file damaged (DLREPRO_MIRROR points at it). A truncated .gz fails the size check and a
flipped byte the sha256 check of the raw-file registry, both inside `dlrepro fetch`, before
the file gets its name in data/raw. (A TSV with a missing column cannot get past that check
with the registered file, so it is tested on the reader: tests/platform/test_reader_fuzz.py.)

Params: a value of the wrong type in params.yaml itself is refused by Snakemake (schema check
at parse time, before any job) and, under DVC, by the first job (`dlrepro` validates too).
Overrides through --configfile are covered by test_smoke_pipeline.py.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, artifact_hashes, copy_repo, edit_study_params, run, tool_env

from dlrepro.data.fetch import REGISTRY

QUORA = REGISTRY["quora_subset"]
SHARED_RAW = ROOT.parent / "shared" / "data" / "raw"
QUORA_DIRS = ("data/raw/quora", "data/processed/quora", "results/quora")


def files_under(repo: Path, dirs=QUORA_DIRS) -> list[str]:
    """Every file (hidden temp files included) under the study's artifact folders."""
    return sorted(
        str(p.relative_to(repo))
        for d in dirs
        if (repo / d).exists()
        for p in (repo / d).rglob("*")
        if p.is_file()
    )


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _one_byte_flipped(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "damage, problem",
    [
        (_truncated, lambda bad: f"size {len(bad)} bytes, expected {QUORA.size}"),
        (
            _one_byte_flipped,
            lambda bad: f"sha256 {hashlib.sha256(bad).hexdigest()}, expected {QUORA.sha256}",
        ),
    ],
    ids=["truncated-gz", "one-byte-flipped"],
)
def test_damaged_raw_file_in_the_mirror_stops_at_fetch(tmp_path, damage, problem):
    mirror = tmp_path / "mirror"
    shutil.copytree(SHARED_RAW, mirror)  # whole mirror: only the Quora file may fail
    damaged = mirror / QUORA.relpath
    bad = damage(damaged.read_bytes())
    damaged.chmod(0o644)  # the shared copy is read-only
    damaged.write_bytes(bad)

    repo = copy_repo(tmp_path / "repo")
    # the Quora study's end rules only: a second failing fetch (or a slow job) elsewhere in the
    # DAG would race this one and Snakemake reports only the first failure
    proc = subprocess.run(
        [
            "snakemake",
            "quora_compare",
            "quora_figures",
            "--cores",
            "2",
            "--configfile",
            "config/smoke.yaml",
        ],
        cwd=repo,
        env={**tool_env(repo), "DLREPRO_MIRROR": str(mirror)},
        text=True,
        capture_output=True,
    )
    message = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Error in rule quora_fetch" in message
    # names the destination, the registered file, where the bytes came from and what is wrong
    assert f"data/raw/{QUORA.relpath}: quora_subset from {damaged} is corrupt" in message, message[
        -3000:
    ]
    assert problem(bad) in message and "nothing written" in message
    assert files_under(repo) == []  # not even a temp file beside data/raw/quora/...


def test_params_yaml_with_a_wrong_type_stops_snakemake_and_dvc_before_any_job(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    edit_study_params(repo, "quora", lambda q: q["training"].update(epochs="3"))  # a string
    lock_before = (repo / "dvc.lock").read_bytes()

    proc = run(["snakemake", "--cores", "2"], repo, check=False)
    assert proc.returncode != 0
    # the same loader and message as in every job (params.yaml read by dlrepro, not Snakemake)
    assert "dlrepro: invalid params.yaml + params/<study>.yaml:" in proc.stderr, proc.stderr[-2000:]
    assert "quora.training.epochs: '3' is not of type 'integer'" in proc.stderr
    assert artifact_hashes(repo) == {}

    # DVC does not check params itself: the first job does, and the repro stops there
    proc = run(["dvc", "repro"], repo, check=False)
    assert proc.returncode != 0
    assert "dlrepro: error: invalid params.yaml + params/<study>.yaml:" in proc.stderr, proc.stderr[
        -2000:
    ]
    assert "quora.training.epochs: '3' is not of type 'integer'" in proc.stderr
    assert artifact_hashes(repo) == {}
    assert (repo / "dvc.lock").read_bytes() == lock_before
