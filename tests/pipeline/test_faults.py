"""Faults while the pipeline runs (smoke scale): a training job killed with SIGKILL, then a
rerun; and two runs started on the same tree at once. Snakemake and DVC both.

No sleeps as synchronisation: the tests watch /proc (Linux) for the state they need (a
training process that has opened its input, a lock held by a given pid) and act on it. To
make "run 2 starts while run 1 holds the lock" certain rather than likely, run 1 is frozen
(SIGSTOP of its process group) while run 2 tries, and resumed (SIGCONT) afterwards.

The killed job is always `slash train --model vanilla_cnn` (rule slash_train_cnn, DVC stage
slash_train_cnn-generated-vanilla_cnn-0). Its declared outputs and dependants are read from dvc.yaml,
which is generated from the Snakemake rules (test_smoke_pipeline checks it is current).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import (
    RECORDS_OF_THE_COMMAND,
    SMOKE,
    artifact_hashes,
    assert_same_artifacts,
    clone_built,
    planned_jobs,
    run,
    tool_env,
)

MODEL = "vanilla_cnn"
RULE = "slash_train_cnn"
STAGE = (
    f"{RULE}-generated-{MODEL}-0"  # dvc.yaml names one stage per wildcard value: <rule>-<values>
)
OTHER_STAGE = f"{RULE}-generated-custom_cnn-0"  # independent of the killed job
SPLIT = "data/processed/slash/generated/runs/0/split.npz"  # the training job's input
POLL_S = 0.001  # polling interval of the /proc watchers (a poll, not a wait for something)


# ----------------------------------------------------------------------------- /proc helpers


def _argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _cwd(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def _training_pids(repo: Path) -> list[int]:
    """The `dlrepro ... slash train --model vanilla_cnn` processes running in `repo` (other
    sessions on this machine run the same command in their own copies). A shell running the
    command holds it as one string, so requiring separate argv words skips the shell."""
    where = os.path.realpath(repo)
    return [
        int(p)
        for p in os.listdir("/proc")
        if p.isdigit()
        and {"slash", "train", "--model", MODEL} <= set(_argv(int(p)))
        and _cwd(int(p)) == where
    ]


def _has_open(pid: int, path: Path) -> bool:
    target = os.path.realpath(path)
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
    return False


def _has_loaded_torch(pid: int) -> bool:
    """torch's library is mapped: the step's imports are done and its work is under way."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            return any("libtorch_cpu" in line for line in maps)
    except OSError:
        return False


def _flock_holders(path: Path) -> set[int]:
    """Pids holding a lock on `path` (/proc/locks: `1: FLOCK ADVISORY WRITE <pid> <maj:min:inode> ...`)."""
    try:
        inode = os.stat(path).st_ino
    except FileNotFoundError:
        return set()
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] != "->" and int(fields[5].rsplit(":", 1)[1]) == inode:
            holders.add(int(fields[4]))
    return holders


# ----------------------------------------------------------------------------- runs in the background


@dataclass
class Background:
    """A pipeline command started in its own session (so its process group can be frozen)."""

    proc: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def finish(self, timeout: float = 300) -> tuple[int, str]:
        return self.proc.wait(timeout=timeout), self.output()


@contextlib.contextmanager
def started(cmd: list[str], repo: Path, log: Path):
    with open(log, "w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=repo,
            env=tool_env(repo),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    bg = Background(proc, log)
    try:
        yield bg
    finally:  # a failed assertion must not leave a (frozen) pipeline behind
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGCONT)
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until(condition, what: str, runner: Background, timeout: float = 240):
    """Poll `condition` until it returns something truthy; fail if `runner` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if runner.proc.poll() is not None:
            pytest.fail(
                f"{what}: never happened, the run ended ({runner.proc.returncode}):\n"
                f"{runner.output()[-3000:]}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s:\n{runner.output()[-3000:]}")
        time.sleep(POLL_S)


def _stopped(pid: int) -> bool:
    """Every thread of `pid` stopped (/proc/<pid>/task/<tid>/stat: "tid (comm) T ...")."""
    try:
        states = [
            (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
            for task in Path(f"/proc/{pid}/task").iterdir()
        ]
    except (OSError, IndexError):
        return False
    return bool(states) and all(state in "tT" for state in states)


@contextlib.contextmanager
def frozen_when(runner: Background, condition, what: str):
    """Freeze the run's process group (the tool and the job it runs) at a moment `condition`
    holds, checked again once the group is stopped, so the state cannot slip away between
    the check and the freeze; resume it on exit."""

    def check_and_freeze():
        if not condition():
            return False
        os.killpg(runner.pid, signal.SIGSTOP)
        wait_until(lambda: _stopped(runner.pid), "SIGSTOP taking effect", runner)
        if condition():
            return True
        os.killpg(runner.pid, signal.SIGCONT)
        return False

    wait_until(check_and_freeze, what, runner)
    try:
        yield
    finally:
        os.killpg(runner.pid, signal.SIGCONT)


def kill_training_at_work(runner: Background, repo: Path) -> int:
    """SIGKILL the vanilla_cnn training once its real work (load, train, save) has begun: it
    has opened its input split, or torch is loaded (the step imports torch just before reading
    the split, and training then lasts seconds). Returns the killed pid.

    The split alone is open for a few milliseconds, which a poll on a busy machine can miss
    (it did, in CI); torch stays mapped until the process ends. The process is found first (a
    scan of /proc, slow), then only its own files are polled (fast)."""
    pid = wait_until(
        lambda: next(iter(_training_pids(repo)), None), f"{MODEL} training started", runner
    )

    def working_or_gone():
        if _has_open(pid, repo / SPLIT) or _has_loaded_torch(pid):
            return "working"
        return None if any(_argv(pid)) else "gone"  # a zombie's cmdline is empty

    if wait_until(working_or_gone, f"{MODEL} training at work", runner) == "gone":
        pytest.fail(f"{MODEL} training (pid {pid}) ended before it was seen at work")
    os.kill(pid, signal.SIGKILL)
    return pid


# ----------------------------------------------------------------------------- what the pipeline declares


def _stages(repo: Path) -> dict:
    return yaml.safe_load((repo / "dvc.yaml").read_text())["stages"]


def _paths(entries) -> set[str]:
    return {e if isinstance(e, str) else next(iter(e)) for e in entries or []}


def declared_outputs(repo: Path, stage: str) -> set[str]:
    s = _stages(repo)[stage]
    return _paths(s.get("outs")) | _paths(s.get("metrics")) | _paths(s.get("plots"))


def _reads(deps: set[str], outputs: set[str]) -> bool:
    return any(o == d or o.startswith(d.rstrip("/") + "/") for d in deps for o in outputs)


def dependants(repo: Path, stage: str) -> set[str]:
    """Every stage downstream of `stage` (reads one of its outputs, directly or not)."""
    stages = _stages(repo)
    produced, found = declared_outputs(repo, stage), set()
    grew = True
    while grew:
        grew = False
        for name, spec in stages.items():
            if name not in found and name != stage and _reads(_paths(spec.get("deps")), produced):
                found.add(name)
                produced |= declared_outputs(repo, name)
                grew = True
    return found


def leftovers(repo: Path, outputs: set[str]) -> list[str]:
    """Whatever exists beside the declared outputs: the outputs themselves or temp files."""
    dirs = {(repo / o).parent for o in outputs}
    names = {Path(o).name for o in outputs}
    return sorted(
        str(p.relative_to(repo))
        for d in dirs
        if d.is_dir()
        for p in d.iterdir()
        if p.name in names or any(p.name.startswith(f".{n}.") for n in names)
    )


def dvc_cache_problems(repo: Path) -> list[str]:
    """Objects in .dvc/cache/files/md5 whose content does not hash to their name. A file
    object is named md5(bytes); a directory object `<md5>.dir` holds its listing as JSON,
    named by the md5 of that listing without metadata (dvc_data Tree.as_bytes)."""
    problems, root = [], repo / ".dvc" / "cache" / "files" / "md5"
    for obj in sorted(p for p in root.rglob("*") if p.is_file()):
        name = obj.parent.name + obj.name
        data = obj.read_bytes()
        if name.endswith(".dir"):
            listing = [{"md5": e["md5"], "relpath": e["relpath"]} for e in json.loads(data)]
            data, name = json.dumps(listing, sort_keys=True).encode(), name[: -len(".dir")]
        if hashlib.md5(data).hexdigest() != name:
            problems.append(str(obj.relative_to(repo)))
    return problems


def dvc_changed_stages(repo: Path) -> set[str]:
    return set(json.loads(run(["dvc", "status", "--json"], repo).stdout or "{}"))


def differing(repo: Path, reference: Path, paths: set[str]) -> list[str]:
    return sorted(p for p in paths if (repo / p).read_bytes() != (reference / p).read_bytes())


# ----------------------------------------------------------------------------- Snakemake


@dataclass
class Killed:
    repo: Path
    returncode: int
    log: str
    killed_pid: int
    leftovers: list[str]
    plan_after: dict[str, int] | None = None
    changed_after: set[str] | None = None


@pytest.fixture(scope="module")
def snakemake_killed(smoke_build, tmp_path_factory) -> Killed:
    """A build that has got as far as the two CNN trainings (a built tree with their outputs
    and everything downstream deleted), resumed with --keep-going; the vanilla_cnn training
    is killed with SIGKILL mid-job. --keep-going lets every independent job (the other CNN)
    finish, so what remains to do is exactly the killed job and its dependants.

    (Not `--forcerun` on the built tree: after the kill, Snakemake would find the old
    downstream outputs up to date and not recreate the killed job's missing ones at all.)"""
    repo = clone_built(smoke_build, tmp_path_factory.mktemp("sm_kill") / "repo")
    for stage in {STAGE, OTHER_STAGE} | dependants(repo, STAGE):
        for out in declared_outputs(repo, stage):
            (repo / out).unlink()
    cmd = ["snakemake", "--cores", "2", "--keep-going", *SMOKE]
    with started(cmd, repo, repo.parent / "run.log") as runner:
        pid = kill_training_at_work(runner, repo)
        code, log = runner.finish()
    return Killed(
        repo,
        code,
        log,
        pid,
        leftovers(repo, declared_outputs(repo, STAGE)),
        plan_after=planned_jobs(repo, *SMOKE),
    )


def test_snakemake_kill9_fails_only_the_killed_job_and_leaves_none_of_its_outputs(
    snakemake_killed, smoke_build
):
    k = snakemake_killed
    assert k.returncode != 0 and f"Error in rule {RULE}" in k.log and f"model={MODEL}" in k.log, (
        k.log[-3000:]
    )
    # Snakemake removes the outputs of a failed job; the job died before writing any, so not
    # even an atomic_path temp (.weights.pt.XXXX.tmp) is left beside them
    assert k.leftovers == [], k.leftovers
    # the independent job that ran alongside finished, with the reference bytes
    assert differing(k.repo, smoke_build, declared_outputs(k.repo, OTHER_STAGE)) == []
    # the failed run released its lock: nothing stale blocks the rerun
    assert list((k.repo / ".snakemake" / "locks").iterdir()) == []


def test_snakemake_rerun_after_kill9_redoes_only_that_job_and_refuses_a_second_run(
    snakemake_killed, smoke_build
):
    k = snakemake_killed
    expected = {RULE: 1, **{d: 1 for d in dependants(k.repo, STAGE)}}
    # the kernels study draws the vanilla_cnn's kernels: its figures are a dependant too
    assert expected == {
        RULE: 1,
        "slash_figures": 1,
        "slash_compare": 1,
        "kernels_figures": 1,
        "report": 1,
    }
    assert k.plan_after == expected

    locks = k.repo / ".snakemake" / "locks"

    def holding():
        """Run 1's lock files are written: the input lock, then the output lock, each with
        open/print/close. Only once the output lock is complete is the lock really held (a
        run 2 reading an empty lock file finds nothing locked and runs the jobs too)."""
        try:
            return any(f.read_text().endswith("\n") for f in locks.glob("*.output.lock"))
        except FileNotFoundError:  # removed by a run that just ended
            return False

    with started(
        ["snakemake", "--cores", "2", *SMOKE], k.repo, k.repo.parent / "rerun.log"
    ) as first:
        # frozen while holding its lock, for as long as run 2 takes
        with frozen_when(first, holding, "run 1 holding .snakemake/locks"):
            held = sorted(p.read_bytes() for p in locks.iterdir())
            second = run(["snakemake", "--cores", "2", *SMOKE], k.repo, check=False)
            assert sorted(p.read_bytes() for p in locks.iterdir()) == held  # run 2 kept off them
        assert second.returncode != 0
        assert "Directory cannot be locked" in second.stdout + second.stderr, second.stderr[-2000:]
        code, log = first.finish()
    assert code == 0, log[-3000:]
    assert f"--model {MODEL}" in log and "--model custom_cnn" not in log
    assert artifact_hashes(k.repo) == artifact_hashes(smoke_build)
    assert planned_jobs(k.repo, *SMOKE) == {}


# ----------------------------------------------------------------------------- DVC


@pytest.fixture(scope="module")
def dvc_killed(dvc_smoke_build, tmp_path_factory) -> Killed:
    """A `dvc repro`-built tree (smoke params as params.yaml) where the vanilla_cnn stage is
    forced to rerun and its training is killed with SIGKILL mid-stage."""
    repo = clone_built(dvc_smoke_build, tmp_path_factory.mktemp("dvc_kill") / "repo")
    cmd = ["dvc", "repro", "--force", "--single-item", STAGE]
    with started(cmd, repo, repo.parent / "run.log") as runner:
        pid = kill_training_at_work(runner, repo)
        code, log = runner.finish()
    return Killed(
        repo,
        code,
        log,
        pid,
        leftovers(repo, declared_outputs(repo, STAGE)),
        changed_after=dvc_changed_stages(repo),
    )


def test_dvc_kill9_leaves_no_output_a_sound_cache_and_the_stage_to_redo(
    dvc_killed, dvc_smoke_build
):
    k = dvc_killed
    assert k.returncode != 0 and f"failed to reproduce '{STAGE}'" in k.log, k.log[-3000:]
    # DVC deletes a stage's outputs before running it and the killed job wrote none
    assert k.leftovers == [], k.leftovers
    # nothing of the killed run was recorded or cached: dvc.lock is the build's, and every
    # cache object still hashes to its name
    assert (k.repo / "dvc.lock").read_bytes() == (dvc_smoke_build / "dvc.lock").read_bytes()
    assert dvc_cache_problems(k.repo) == []
    assert k.changed_after == {STAGE} | dependants(k.repo, STAGE)


def test_second_dvc_repro_is_refused_and_the_first_completes(dvc_killed, smoke_build):
    """`dvc repro` holds the repository lock (.dvc/tmp/lock) except while a stage's command
    runs; then the stage's outputs are write-locked in .dvc/tmp/rwlock instead. A second
    `dvc repro` is refused in both phases, each with its own message.

    Run 1 reruns the killed stage with --force: a plain `dvc repro` would run no command at
    all, only check the stage's outputs out of the cache (dvc.lock still names the outputs of
    the build before the kill, and the cache holds them)."""
    repo = dvc_killed.repo
    rerun = ["dvc", "repro", "--force", "--single-item", STAGE]
    with started(rerun, repo, repo.parent / "rerun.log") as first:
        # phase 1: run 1 holds the repository lock, before it starts the stage's command
        def holding():
            return first.pid in _flock_holders(repo / ".dvc/tmp/lock") and not _training_pids(repo)

        with frozen_when(first, holding, "run 1 holding .dvc/tmp/lock"):
            second = run(["dvc", "repro"], repo, check=False)
        assert second.returncode != 0
        assert "Unable to acquire lock" in second.stderr + second.stdout, second.stderr[-2000:]

        # phase 2: run 1 is inside the training command (repository lock released)
        with frozen_when(first, lambda: _training_pids(repo), "run 1 running the training"):
            writers = json.loads((repo / ".dvc/tmp/rwlock").read_text())["write"]
            assert {info["pid"] for info in writers.values()} == {first.pid}
            second = run(["dvc", "repro"], repo, check=False)
        assert second.returncode != 0
        message = second.stderr + second.stdout
        assert "is busy, it is being blocked by" in message and f"PID {first.pid}" in message, (
            message[-2000:]
        )

        code, log = first.finish()
    assert code == 0, log[-3000:]
    assert dvc_changed_stages(repo) == set()
    assert dvc_cache_problems(repo) == []
    ours = artifact_hashes(repo, exclude=RECORDS_OF_THE_COMMAND)
    assert_same_artifacts(ours, artifact_hashes(smoke_build, exclude=RECORDS_OF_THE_COMMAND))


@pytest.mark.parametrize("wait_for_lock", [False, True], ids=["default", "wait-for-lock"])
def test_second_dvc_repro_holding_the_lock_when_the_first_needs_it_back(
    dvc_smoke_build, smoke_build, tmp_path, wait_for_lock
):
    """The other order: run 2 starts while run 1 is inside a stage's command (repository lock
    released), takes the repository lock, and still holds it when run 1's command ends and
    run 1 needs the lock back to record the stage. By default DVC retries for 3 s and then
    fails run 1 ("Unable to acquire lock"): the *first* run is the one refused, and run 2
    carries on. With `dvc --wait-for-lock` run 1 waits instead; run 2, resumed, finds run 1's
    outputs write-locked and is refused; run 1 completes. Either way nothing unfinished is
    recorded, the cache stays sound and the tree ends at the reference bytes."""
    repo = clone_built(dvc_smoke_build, tmp_path / "repo")
    lock = repo / ".dvc/tmp/lock"
    flag = ["--wait-for-lock"] if wait_for_lock else []
    cmd = ["dvc", *flag, "repro", "--force", "--single-item", STAGE]
    with started(cmd, repo, tmp_path / "run1.log") as first:
        wait_until(lambda: _training_pids(repo), "run 1 running the training", first)
        with started(["dvc", "repro"], repo, tmp_path / "run2.log") as second:
            # run 2 keeps the lock until run 1 has failed or is waiting for it
            holding = lambda: second.pid in _flock_holders(lock)  # noqa: E731
            with frozen_when(second, holding, "run 2 holding .dvc/tmp/lock"):
                if wait_for_lock:
                    wait_until(lambda: not _training_pids(repo), "run 1's command ended", first)
                    assert first.proc.poll() is None  # waiting for the lock, not failed
                else:
                    code, log = first.finish()
            code2, log2 = second.finish()
        if wait_for_lock:
            code, log = first.finish()
    if wait_for_lock:
        assert code == 0, log[-3000:]
        assert (
            code2 != 0 and "is busy, it is being blocked by" in log2 and f"PID {first.pid}" in log2
        ), log2
    else:
        assert (
            code != 0
            and f"failed to reproduce '{STAGE}'" in log
            and "Unable to acquire lock" in log
        ), log
        assert code2 == 0, log2[-3000:]
    assert (repo / "dvc.lock").read_bytes() == (dvc_smoke_build / "dvc.lock").read_bytes()
    assert dvc_changed_stages(repo) == set()
    assert dvc_cache_problems(repo) == []
    ours = artifact_hashes(repo, exclude=RECORDS_OF_THE_COMMAND)
    assert_same_artifacts(ours, artifact_hashes(smoke_build, exclude=RECORDS_OF_THE_COMMAND))
