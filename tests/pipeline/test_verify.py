"""`dlrepro verify` rebuilds in a scratch copy and compares every output with dvc.lock."""

from __future__ import annotations

import json

import yaml
from conftest import clone_built, run

from dlrepro.verify import locked_outputs

WEIGHTS = "results/slash/generated/models/vanilla_cnn/0/weights.pt"
RECORD = "results/slash/provenance/train_generated_vanilla_cnn_0.json"


def test_verify_rebuild_of_two_studies_matches_the_lock(dvc_smoke_build, tmp_path):
    # targets keep it cheap: slash, and the adversarial ensembles (MNIST, members, attack)
    targets = ["results/slash/comparison.csv", "results/adversarial/runs/0/ensembles.csv"]
    proc = run(
        ["dlrepro", "verify", *targets, "--cores", "2", "--scratch", str(tmp_path / "s")],
        dvc_smoke_build,
    )
    n = len(locked_outputs(dvc_smoke_build))
    matched = int(proc.stdout.split("verify: ")[1].split(" outputs match")[0])
    assert (
        matched > 30
        and f"{matched} outputs match dvc.lock, 0 differ, 0 missing, {n - matched} not rebuilt"
        in proc.stdout
    )
    assert not (tmp_path / "s").exists(), "a passing verify removes its scratch copy"


def test_verify_lists_a_difference_and_explains_it_from_provenance(dvc_smoke_build, tmp_path):
    repo = clone_built(dvc_smoke_build, tmp_path / "repo")
    # as if dvc.lock had been recorded on another machine, with two threads
    lock_file = repo / "dvc.lock"
    lock_file.write_text(lock_file.read_text().replace(_md5(repo, WEIGHTS), "0123456789abcdef" * 2))
    record = json.loads((repo / RECORD).read_text())
    record["environment"]["threads"] = 2
    (repo / RECORD).write_text(json.dumps(record))

    proc = run(
        ["dlrepro", "verify", WEIGHTS, "--cores", "2", "--scratch", str(tmp_path / "s")],
        repo,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"DIFFERS  {WEIGHTS}  (stage slash_train_cnn-generated-vanilla_cnn-0)" in proc.stdout
    assert "threads: locked build 2, rebuild 1" in proc.stdout
    assert "1 differ" in proc.stdout and "not rebuilt (not targeted)" in proc.stdout
    # only the target's chain was rebuilt; the failing scratch copy is kept for inspection
    assert (tmp_path / "s" / WEIGHTS).is_file()
    assert not (tmp_path / "s" / "results/quora").exists()


def _md5(repo, path) -> str:
    lock = yaml.safe_load((repo / "dvc.lock").read_text())
    return next(
        out["md5"]
        for stage in lock["stages"].values()
        for out in stage["outs"]
        if out["path"] == path
    )


def test_verify_reports_a_workspace_output_edited_since_the_lock(dvc_smoke_build, tmp_path):
    repo = clone_built(dvc_smoke_build, tmp_path / "edited")
    metrics = repo / "results/slash/metrics.json"
    metrics.write_text(metrics.read_text().replace("0.", "0.9", 1))
    target = (
        "results/slash/generated/models/random_forest/0/metrics.json"  # a cheap, untouched rebuild
    )
    proc = run(
        ["dlrepro", "verify", target, "--cores", "1", "--scratch", str(tmp_path / "s")],
        repo,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "WORKSPACE DIFFERS  results/slash/metrics.json  (stage slash_compare)" in proc.stdout
    assert "1 workspace output(s) differ from dvc.lock" in proc.stdout
    assert f"rebuild kept in {tmp_path / 's'}" in proc.stdout


def test_a_failed_rebuild_says_where_its_scratch_copy_is(dvc_smoke_build, tmp_path):
    repo = clone_built(dvc_smoke_build, tmp_path / "broken")
    proc = run(
        ["dlrepro", "verify", "no/such/target", "--scratch", str(tmp_path / "s")],
        repo,
        check=False,
    )
    assert proc.returncode == 2
    assert f"rebuild failed; its files are kept in {tmp_path / 's'}" in proc.stderr
