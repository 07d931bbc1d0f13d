"""Shared fixtures. Pipeline tests run the real `snakemake` and `dvc` on the smoke config in
scratch copies of the repository (tracked + untracked-not-ignored files, like a clone)."""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dlrepro.core.determinism import CPU_ISA_CAPS
from dlrepro.paths import MEASUREMENTS
from dlrepro.studies import STUDIES

# in-process steps (unit tests) get the kernels the pipeline's jobs get (params cpu_isa: avx2)
os.environ.update(CPU_ISA_CAPS["avx2"])

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: snakemake, dvc, dlrepro
# The DVC and SLURM parity builds cover a representative part of the smoke DAG (one full
# Snakemake smoke build holds the byte-for-byte reference): MNIST from the mirror, scikit-learn
# and PyTorch training, wildcard jobs (ensemble members), GPU-tagged rules. Snakemake targets.
PARITY_STUDIES = ("slash", "adversarial")


def tool_env(cwd: Path | None = None) -> dict:
    """The tools' environment; in a scratch copy, the copy's own `dlrepro` package is the one
    imported (the venv's editable install points at this checkout), as in a clone."""
    env = dict(os.environ)
    if cwd is not None and (Path(cwd) / "src" / "dlrepro").is_dir():
        env["PYTHONPATH"] = str(Path(cwd).resolve() / "src")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["DVC_NO_ANALYTICS"] = "1"
    env["PYTHONHASHSEED"] = "0"
    # scratch copies live outside the checkout, so ../shared is not beside them
    env["DLREPRO_MIRROR"] = str(ROOT.parent / "shared" / "data" / "raw")
    return env


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=tool_env(cwd), text=True, capture_output=True)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}) in {cwd}:\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


@contextlib.contextmanager
def serve_http(folder: Path):
    """A read-only HTTP server over `folder` on a free local port; yields its URL."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=tool_env(),
    )  # fmt: skip
    try:
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..." once listening
        port = re.search(r"port (\d+)", line)
        assert port, f"http.server did not start: {line!r}"
        # keep draining its request log: once the pipe's buffer is full, every handler thread
        # blocks writing its log line and a pull hangs (it did at ~190 stages)
        threading.Thread(target=server.stdout.read, daemon=True).start()
        yield f"http://127.0.0.1:{port.group(1)}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def copy_repo(dest: Path) -> Path:
    """Copy the working tree as a clone would have it, and commit it (DVC wants git)."""
    files = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for cmd in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "scratch"],
    ):
        subprocess.run(cmd, cwd=dest, check=True, capture_output=True)
    return dest


# provenance records (and the report pages that show them) hold the command line, which differs
# between `snakemake --configfile ...` and `dvc repro`; every other artifact must not
RECORDS_OF_THE_COMMAND = ("results/*/provenance/*", "results/report/*")


def artifact_hashes(repo: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under data/ and results/ (the pipeline's artifacts), except paths
    matching the `exclude` glob patterns and the wall-clock measurements (paths.MEASUREMENTS)."""
    exclude = (*exclude, *MEASUREMENTS)
    hashes = {}
    for top in ("data", "results"):
        for path in sorted((repo / top).rglob("*")):
            rel = path.relative_to(repo).as_posix()
            if path.name == "README.md":  # committed docs, not artifacts
                continue
            if path.is_file() and not any(fnmatch.fnmatch(rel, e) for e in exclude):
                hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def assert_same_artifacts(
    built: dict[str, str], reference: dict[str, str], studies: tuple[str, ...] = PARITY_STUDIES
) -> None:
    """A partial build (of `studies`) has the reference build's bytes for every file it has,
    and has each such study's comparison table."""
    for study in studies:
        assert f"results/{study}/comparison.csv" in built, sorted(built)[:20]
    differing = sorted(p for p in built if reference.get(p) != built[p])
    assert not differing, f"differs from the reference build: {differing}"


SMOKE = ["--configfile", "config/smoke.yaml"]


def edit_study_params(repo: Path, study: str, edit) -> None:
    """Change a study's params in a copy: edit(section) mutates its params/<study>.yaml."""
    path = repo / "params" / f"{study}.yaml"
    params = yaml.safe_load(path.read_text())
    edit(params[study])
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def smoke_config(repo: Path, study: str) -> dict:
    """The study's section of the repo's config/smoke.yaml."""
    return yaml.safe_load((repo / "config/smoke.yaml").read_text())[study]


def read_comparison(repo: Path, study: str) -> pd.DataFrame:
    """The study's built comparison as its page shows it: results/<study>/comparison.csv with
    side comparisons' rows in place (report.build.comparison_of; empty cells kept as "")."""
    from dlrepro.report.build import comparison_of

    return comparison_of(repo / "results" / study)


def snakemake(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run(["snakemake", "--cores", "2", *args], repo, check=check)


def planned_jobs(repo: Path, *args: str) -> dict[str, int]:
    """Rule -> job count of a Snakemake dry run ("Job stats" table); {} when nothing to do."""
    # args first: targets after `--quiet rules` would be read as more --quiet choices
    out = snakemake(repo, *args, "--dry-run", "--quiet", "rules").stdout
    jobs = {}
    for line in out.splitlines():
        m = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if m and m.group(1) not in ("total", "job", "all", *STUDIES):
            jobs[m.group(1)] = int(m.group(2))
    return jobs


@pytest.fixture(scope="session")
def smoke_build(tmp_path_factory) -> Path:
    """A clean copy built by Snakemake at smoke scale (the reference bytes; do not modify:
    tests that change it work on `clone_built` copies)."""
    repo = copy_repo(tmp_path_factory.mktemp("smoke"))
    snakemake(repo, *SMOKE)
    return repo


def clone_built(src: Path, dest: Path) -> Path:
    """A copy of a built tree that keeps mtimes, .snakemake metadata and the DVC cache."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def use_smoke_params(repo: Path, *targets: str) -> None:
    """Write the merged smoke params over the project's params files (DVC reads files) and regenerate
    dvc.yaml (for `targets` only, when given): the smoke params change the DAG's shape (fewer
    ensemble members)."""
    run(["dlrepro", "--params", "config/smoke.yaml", "params", "--write", "."], repo)
    run(["dlrepro", "dvc-yaml", *targets], repo)


@pytest.fixture(scope="session", autouse=True)
def _dvc_build_started(request, tmp_path_factory):
    """Start the `dvc repro` smoke build before the first test when any selected test needs it.
    DVC runs stages one at a time (and rewrites dvc.lock after each; ~6 s of its own per stage),
    so it builds PARITY_STUDIES only; started first, it overlaps the Snakemake and SLURM builds
    instead of following them. Synchronised by waiting on the process."""
    if not any("dvc_smoke_build" in item.fixturenames for item in request.session.items):
        yield None
        return
    repo = copy_repo(tmp_path_factory.mktemp("dvc_build"))
    use_smoke_params(repo, *PARITY_STUDIES)
    log = repo.parent / "dvc_repro.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["dvc", "repro", "--quiet"],
            cwd=repo,
            env=tool_env(repo),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield repo, proc, log
    if proc.poll() is None:  # the session ended early (e.g. -x): stop DVC and its running job
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def dvc_smoke_build(_dvc_build_started) -> Path:
    """A clean copy with smoke params as params.yaml and dvc.yaml for PARITY_STUDIES, built by
    `dvc repro` (dvc.lock written). Shared: tests that change it work on `clone_built` copies."""
    repo, proc, log = _dvc_build_started
    if proc.wait() != 0:
        raise AssertionError(
            f"dvc repro failed ({proc.returncode}) in {repo}:\n{log.read_text()[-8000:]}"
        )
    return repo
