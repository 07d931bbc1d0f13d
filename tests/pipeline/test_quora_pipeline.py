"""Quora study through the real pipeline: outputs at smoke scale, and bad raw data."""

from __future__ import annotations

import gzip
import shutil

import pandas as pd

from conftest import ROOT, SMOKE, artifact_hashes, copy_repo, run, snakemake, tool_env

MIRROR = ROOT.parent / "shared" / "data" / "raw"


def test_quora_smoke_outputs(smoke_build):
    repo = smoke_build
    comparison = pd.read_csv(repo / "results/quora/comparison.csv", keep_default_na=False)
    assert len(comparison) == 17
    # offline default data: numeric claims are not comparable, orderings are judged
    numeric = comparison[comparison["tolerance"] != "order"]
    assert (numeric["verdict"].iloc[:-1] == "not comparable").all()
    assert set(comparison[comparison["tolerance"] == "order"]["verdict"]) <= {"reproduced", "differs"}
    quirks = pd.read_csv(repo / "results/quora/quirks.csv", keep_default_na=False)
    assert {"quantity", "raw", "cleaned", "post"} <= set(quirks.columns)
    assert "404351" in quirks["post"].astype(str).tolist()
    table = pd.read_csv(repo / "results/quora/table.csv")
    assert len(table) == 11 and table["test_acc"].between(0, 1).all()
    page = (repo / "results/report/quora.html").read_text()
    assert "Data quirks" in page or "Quirks" in page
    assert "../quora/figures/accuracy.png" in page


def _bad_mirror(tmp_path, mutate):
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR / "quora", mirror / "quora")
    target = mirror / "quora" / "quora_question_pairs_subset.tsv.gz"
    target.chmod(0o644)
    mutate(target)
    return mirror


def _run_with_mirror(repo, mirror):
    env = tool_env()
    env["DLREPRO_MIRROR"] = str(mirror)
    import subprocess

    return subprocess.run(["snakemake", "--cores", "2", "data/processed/quora/pairs.tsv", *SMOKE],
                          cwd=repo, env=env, text=True, capture_output=True)


def test_corrupt_raw_file_stops_before_anything_downstream(tmp_path):
    repo = copy_repo(tmp_path / "repo")

    def truncate(path):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])

    def flip(path):
        data = bytearray(path.read_bytes())
        data[len(data) // 3] ^= 0xFF
        path.write_bytes(bytes(data))

    for mutate in (truncate, flip):
        proc = _run_with_mirror(repo, _bad_mirror(tmp_path / mutate.__name__, mutate))
        assert proc.returncode != 0
        log = proc.stdout + proc.stderr
        # names the file and what is wrong with it (its size, or its sha256 when the size matches)
        assert "quora_question_pairs_subset.tsv.gz" in log and "expected" in log, log[-3000:]
        assert ("sha256" in log) == (mutate is flip), log[-3000:]
        assert not any(k.startswith(("data/", "results/quora/")) for k in artifact_hashes(repo)
                       if "provenance" not in k), artifact_hashes(repo)
