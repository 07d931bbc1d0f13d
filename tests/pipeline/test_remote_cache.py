"""A second person pulls the cached artifacts instead of recomputing them: from the default
local-directory remote, and read-only over HTTP from a real web server. Afterwards both
`dvc status` and `snakemake -n` must have nothing to do, and the bytes are the builder's."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import (
    PARITY_STUDIES,
    artifact_hashes,
    clone_built,
    edit_study_params,
    planned_jobs,
    run,
    serve_http,
    tool_env,
)


@pytest.fixture(scope="module")
def pushed(dvc_smoke_build, tmp_path_factory):
    """The builder: a built smoke tree, committed to git, pushed to a local-directory remote."""
    base = tmp_path_factory.mktemp("remote")
    builder = clone_built(dvc_smoke_build, base / "builder")
    remote = base / "storage"
    # the repo's default remote ("local") is a directory beside the checkout; point it here
    run(["dvc", "remote", "modify", "--local", "local", "url", str(remote)], builder)
    run(["git", "add", "-A"], builder)
    run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "smoke build"],
        builder,
    )
    run(["dvc", "push"], builder)
    return builder, remote


def _one_more_tree(slash: dict) -> None:
    slash["models"]["random_forest"]["n_estimators"] += 1


def fresh_clone(builder: Path, dest: Path) -> Path:
    """What a reader gets from `git clone`: code, params and dvc.lock, no artifacts, no cache."""
    subprocess.run(["git", "clone", "-q", str(builder), str(dest)], check=True, capture_output=True)
    assert not (dest / "results" / "slash").exists()
    return dest


def assert_nothing_to_do(repo: Path, expected: dict[str, str]):
    assert artifact_hashes(repo) == expected
    assert run(["dvc", "status", "--json"], repo).stdout.strip() in ("{}", "")
    assert planned_jobs(repo, *PARITY_STUDIES) == {}, "snakemake wants to rerun pulled outputs"


def test_default_remote_is_a_local_directory_beside_the_checkout():
    from conftest import ROOT

    listing = run(["dvc", "remote", "list"], ROOT).stdout
    assert re.search(r"^local\s+\S*dlrepro-dvc-remote\s+\(default\)", listing, re.M), listing


def test_pull_from_local_remote_leaves_nothing_to_rerun(pushed, tmp_path):
    builder, remote = pushed
    assert any((remote / "files" / "md5").iterdir()), "dvc push wrote nothing"
    reader = fresh_clone(builder, tmp_path / "reader")
    run(["dvc", "remote", "modify", "--local", "local", "url", str(remote)], reader)

    run(["dlrepro", "pull"], reader)
    assert_nothing_to_do(reader, artifact_hashes(builder))


def test_builder_wipes_outputs_and_cache_then_pulls(pushed, tmp_path):
    builder, _ = pushed
    repo = clone_built(builder, tmp_path / "wiped")
    expected = artifact_hashes(repo)
    for wiped in (
        "data/raw",
        "data/processed",
        "results/slash",
        "results/quora",
        "results/report",
        ".dvc/cache",
    ):
        subprocess.run(["rm", "-rf", str(repo / wiped)], check=True)
    assert planned_jobs(repo, *PARITY_STUDIES), "wiping should leave work to do"

    run(["dlrepro", "pull"], repo)  # .snakemake metadata of the earlier build is still there
    assert_nothing_to_do(repo, expected)


def test_pull_after_a_params_change_leaves_exactly_that_stage_to_rerun(pushed, tmp_path):
    builder, remote = pushed
    reader = fresh_clone(builder, tmp_path / "changed")
    run(["dvc", "remote", "modify", "--local", "local", "url", str(remote)], reader)
    edit_study_params(reader, "slash", _one_more_tree)

    proc = run(["dlrepro", "pull"], reader)
    assert (
        "slash_fit_sklearn-generated-random_forest" in proc.stderr
        and "must be rebuilt" in proc.stderr
    )
    # the same minimal rebuild as after a params change in a built tree
    assert planned_jobs(reader, *PARITY_STUDIES) == {
        "slash_fit_sklearn": 4,
        "slash_forest_sizes": 2,
        "slash_compare": 1,
    }


@pytest.fixture
def http_remote(pushed):
    """A read-only HTTP server over the pushed remote directory, on a free local port."""
    with serve_http(pushed[1]) as url:
        yield url


def test_pull_over_read_only_http_remote(pushed, http_remote, tmp_path):
    builder, _ = pushed
    reader = fresh_clone(builder, tmp_path / "http_reader")
    run(["dvc", "remote", "add", "--local", "web", http_remote], reader)
    # an HTTP server proves nothing about content: have DVC re-hash what it downloads
    run(["dvc", "remote", "modify", "--local", "web", "verify", "true"], reader)

    run(["dlrepro", "pull", "--remote", "web"], reader)
    assert_nothing_to_do(reader, artifact_hashes(builder))

    # a reader without write access: pushing to the HTTP remote fails, the artifacts stay
    (reader / "extra.txt").write_text("new artifact\n")
    run(["dvc", "add", "extra.txt"], reader)
    proc = run(["dvc", "push", "--remote", "web", "extra.txt.dvc"], reader, check=False)
    assert proc.returncode != 0


def test_pull_from_a_missing_remote_says_so_in_one_line(pushed, tmp_path):
    builder, _ = pushed
    reader = fresh_clone(builder, tmp_path / "no_remote")
    gone = tmp_path / "no-such-remote"
    run(["dvc", "remote", "modify", "--local", "local", "url", str(gone)], reader)
    proc = run(["dlrepro", "pull"], reader, check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"dlrepro: error: DVC remote 'local' ({gone}): no such directory"


def test_pull_from_an_unreachable_http_remote_says_so_in_one_line(pushed, tmp_path):
    builder, _ = pushed
    reader = fresh_clone(builder, tmp_path / "no_server")
    run(["dvc", "remote", "add", "--local", "web", "http://127.0.0.1:9/cache"], reader)
    proc = run(["dlrepro", "pull", "--remote", "web"], reader, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("dlrepro: error: DVC remote 'web' (http://127.0.0.1:9/cache): ")
    assert "unreachable" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_a_corrupt_object_in_the_remote_is_called_corrupt(pushed, tmp_path):
    builder, remote = pushed
    damaged = tmp_path / "damaged"
    shutil.copytree(remote, damaged)
    path = "results/slash/metrics.json"
    md5 = next(
        out["md5"]
        for stage in yaml.safe_load((builder / "dvc.lock").read_text())["stages"].values()
        for out in stage["outs"]
        if out["path"] == path
    )
    obj = damaged / "files" / "md5" / md5[:2] / md5[2:]
    obj.chmod(0o644)
    obj.write_text(obj.read_text().replace("0.", "1.", 1))
    reader = fresh_clone(builder, tmp_path / "corrupt_reader")
    run(["dvc", "remote", "modify", "--local", "local", "url", str(damaged)], reader)
    proc = run(["dlrepro", "pull"], reader, check=False)
    assert proc.returncode == 2
    assert "1 corrupt object(s), content not matching its hash" in proc.stderr
    assert f"{path} (object {obj})" in proc.stderr
    assert "not in the remote" not in proc.stderr  # everything else is there


def test_a_snakemake_build_publishes_what_matches_the_lock(dvc_smoke_build, tmp_path):
    """The builder recipe `make reproduce && dvc push`: Snakemake fills DVC's cache with every
    output that matches dvc.lock, so the push uploads it and a reader's pull has nothing left."""
    builder = clone_built(dvc_smoke_build, tmp_path / "builder")
    lock = (builder / "dvc.lock").read_bytes()
    expected = artifact_hashes(builder)
    slash = yaml.safe_load(lock)["stages"]
    # the lock also keeps entries of stages the smoke DAG lacks (paper-scale runs 2-4)
    ours = yaml.safe_load((builder / "dvc.yaml").read_text())["stages"]
    slash_md5 = [
        o["md5"] for n, s in slash.items() if n.startswith("slash_") and n in ours
        for o in s["outs"]
    ]  # fmt: skip
    for md5 in slash_md5:  # slash as if never committed to DVC: rebuilt by Snakemake only
        (builder / ".dvc/cache/files/md5" / md5[:2] / md5[2:]).unlink(missing_ok=True)
    shutil.rmtree(builder / "results/slash")
    shutil.rmtree(builder / "data/processed/slash")
    proc = run(["snakemake", "--cores", "2", "slash"], builder)  # every output of the study
    assert "match dvc.lock and are now in DVC's cache" in proc.stderr
    assert (builder / "dvc.lock").read_bytes() == lock, "publishing must not rewrite the lock"
    assert all((builder / ".dvc/cache/files/md5" / m[:2] / m[2:]).is_file() for m in slash_md5)
    # DVC's commit rewrites the files it caches; their mtimes are kept, so Snakemake has
    # nothing to rerun (with new mtimes it replanned the whole chain)
    assert planned_jobs(builder, "slash") == {}

    remote = tmp_path / "empty-remote"
    run(["dvc", "remote", "modify", "--local", "local", "url", str(remote)], builder)
    run(["git", "add", "-A"], builder)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "built"], builder)
    run(["dvc", "push"], builder)
    reader = fresh_clone(builder, tmp_path / "reader")
    run(["dvc", "remote", "modify", "--local", "local", "url", str(remote)], reader)
    run(["dlrepro", "pull"], reader)
    assert_nothing_to_do(reader, expected)


def test_a_build_that_does_not_match_the_lock_publishes_none_of_it(smoke_build):
    """Smoke params against the paper-scale dvc.lock: only outputs byte-identical to the lock
    (raw files, say) may be cached; the lock is not touched."""
    files = smoke_build / ".dvc/cache/files/md5"
    cached = {p.parent.name + p.name for p in files.rglob("*") if p.is_file()}
    lock = yaml.safe_load((smoke_build / "dvc.lock").read_text())["stages"]
    matching = {
        o["md5"]
        for stage in lock.values()
        for o in stage["outs"]
        if (smoke_build / o["path"]).is_file()
        and hashlib.md5((smoke_build / o["path"]).read_bytes()).hexdigest() == o["md5"]
    }
    assert cached <= matching
    assert run(["git", "diff", "--quiet", "dvc.lock"], smoke_build, check=False).returncode == 0


def _reproduce(repo: Path, published: str, *args: str) -> subprocess.CompletedProcess:
    env = {**tool_env(repo), "DLREPRO_PUBLISHED": published}
    proc = subprocess.run(
        ["dlrepro", "reproduce", "--cores", "2", *args],
        cwd=repo, env=env, text=True, capture_output=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_reproduce_takes_what_the_published_cache_holds_and_computes_the_rest(pushed, tmp_path):
    builder, remote = pushed
    reader = fresh_clone(builder, tmp_path / "reproducer")
    edit_study_params(reader, "slash", _one_more_tree)

    proc = _reproduce(reader, str(remote), *PARITY_STUDIES)
    stages = yaml.safe_load((reader / "dvc.yaml").read_text())["stages"]
    computed = {
        *(
            f"slash_fit_sklearn-{s}-random_forest-{r}"
            for s in ("published", "generated")
            for r in (0, 1)
        ),
        "slash_forest_sizes-published",
        "slash_forest_sizes-generated",
        "slash_compare",
    }
    n = len(stages) - len(computed)
    assert f"{n} of {len(stages)} stages taken from the published cache {remote}" in proc.stderr
    origin = json.loads((reader / "logs/origin.json").read_text())
    assert {s for s, o in origin.items() if o == "computed here"} == computed
    assert planned_jobs(reader, *PARITY_STUDIES) == {}
    # the taken artifacts are the builder's bytes; the computed ones follow the new param
    built = artifact_hashes(builder)
    ours = artifact_hashes(reader)
    changed = {p for p in built if ours.get(p) != built[p]}
    assert "results/slash/generated/models/random_forest/0/metrics.json" in changed
    assert all(p.startswith("results/slash/") for p in changed), changed


def test_reproduce_without_a_published_cache_computes(pushed, tmp_path):
    builder, _ = pushed
    repo = clone_built(builder, tmp_path / "built")
    proc = _reproduce(repo, "", *PARITY_STUDIES)
    assert "computing everything (no published cache: params `published`" in proc.stderr
    assert "0 stages from the published cache" in proc.stderr
