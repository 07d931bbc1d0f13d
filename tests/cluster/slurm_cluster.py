"""A throwaway single-node SLURM cluster (munge + slurmctld + slurmd) for the profile test.

Debian's `slurm-wlm` and `munge` (`.ci/run` installs them). There is no systemd here, so the
daemons run in the foreground as our own children: all state, sockets, logs and pid files live
in one temporary directory, and teardown stops exactly the PIDs started here.

The node declares a fake GPU GRES (`gpu:2`, empty files standing in for the devices): SLURM
then schedules `--gpus=1` jobs on this GPU-less machine, so the profile's real GPU request path
is exercised. torch is a CPU build, so the jobs still compute on the CPU.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
BINARIES = (
    "munged",
    "mungekey",
    "munge",
    "unmunge",
    "slurmctld",
    "slurmd",
    "sinfo",
    "sbatch",
    "srun",
    "squeue",
    "scontrol",
    "scancel",
)
GPUS = 2  # fake GPUs on the node: GPU jobs then wait for CPUs (2 here), not for GPUs
START_DEADLINE_S = 60


def _free_port() -> int:
    """A free TCP port, so this cluster never collides with another one on the machine."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _slurm_conf(s: Path, munge_socket: Path) -> str:
    return f"""\
ClusterName=dlrepro-test
SlurmctldHost=localhost
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket={munge_socket}
CredType=cred/munge
StateSaveLocation={s}/state
SlurmdSpoolDir={s}/spool
SlurmctldPidFile={s}/slurmctld.pid
SlurmdPidFile={s}/slurmd.pid
SlurmctldLogFile={s}/slurmctld.log
SlurmdLogFile={s}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
# keep finished jobs visible (squeue, scontrol) for the whole test: the plugin polls squeue,
# the test reads every job's record at the end
MinJobAge=3600
GresTypes=gpu
# The profile asks for paper-scale memory (up to 8 GB a job). Memory is not enforced here
# (CR_Core, no cgroups), so declare plenty and tell slurmd not to drain the node for having less.
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory=64000 Gres=gpu:{GPUS}
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


def _tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return f"--- {path.name}: (missing)"
    return f"--- {path.name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class SlurmCluster:
    def __init__(self, root: Path):
        self.root = root
        self.procs: list[subprocess.Popen] = []
        self.env: dict[str, str] = {}

    def logs(self) -> str:
        """The daemons' log tails, for assertion messages."""
        names = (
            "munged.log",
            "slurmctld.log",
            "slurmd.log",
            "munged.out",
            "slurmctld.out",
            "slurmd.out",
        )
        return "\n".join(_tail(self.root / n) for n in names if (self.root / n).exists())

    def check(self, cmd: list[str]) -> str:
        proc = subprocess.run(cmd, env={**os.environ, **self.env}, text=True, capture_output=True)
        if proc.returncode != 0:
            raise AssertionError(
                f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr}\n{self.logs()}"
            )
        return proc.stdout

    def _daemon(self, name: str, cmd: list[str], **kw) -> None:
        out = open(self.root / f"{name}.out", "w")
        self.procs.append(
            subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **self.env}, **kw
            )
        )
        out.close()

    def _wait_until(self, what: str, ready) -> None:
        """Poll `ready()` until true; fail with the logs at the deadline or if a daemon died."""
        deadline = time.monotonic() + START_DEADLINE_S
        while not ready():
            dead = [p.args[0] for p in self.procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                why = f"{dead} exited" if dead else f"not within {START_DEADLINE_S} s"
                raise AssertionError(f"SLURM test cluster: {what}: {why}\n{self.logs()}")
            time.sleep(0.2)

    def start(self) -> None:
        s = self.root
        # munged runs as `munge` and must reach its files; it insists that the socket
        # directory is not writable by others and the key is private to it
        munge_dir = s / "munge"
        munge_dir.mkdir(mode=0o711)
        shutil.chown(munge_dir, "munge", "munge")
        key, sock = munge_dir / "munge.key", munge_dir / "munge.socket"
        subprocess.run(
            ["mungekey", "--create", f"--keyfile={key}"], check=True, env={"PATH": SBIN_PATH}
        )
        shutil.chown(key, "munge", "munge")
        for d in ("state", "spool", "bin"):
            (s / d).mkdir()
        conf = s / "slurm.conf"
        conf.write_text(_slurm_conf(s, sock))
        # slurmd drops GPUs without device files; empty regular files stand in for /dev/nvidiaN
        for i in range(GPUS):
            (s / "state" / f"fakegpu{i}").touch()
        (s / "gres.conf").write_text(
            f"NodeName=localhost Name=gpu File={s}/state/fakegpu[0-{GPUS - 1}]\n"
        )
        # The jobstep plugin drops every SLURM_* variable (SLURM_CONF too) before its inner
        # `srun`; a real cluster has /etc/slurm/slurm.conf, this one needs it re-exported.
        srun = s / "bin" / "srun"
        srun.write_text(f'#!/bin/sh\nexport SLURM_CONF={conf}\nexec {shutil.which("srun")} "$@"\n')
        srun.chmod(0o755)
        self.env = {"SLURM_CONF": str(conf), "PATH": f"{s / 'bin'}{os.pathsep}{SBIN_PATH}"}

        self._daemon(
            "munged",
            [
                "munged",
                "--foreground",
                f"--socket={sock}",
                f"--key-file={key}",
                f"--pid-file={munge_dir / 'munged.pid'}",
                f"--log-file={s / 'munged.log'}",
                f"--seed-file={munge_dir / 'munged.seed'}",
            ],
            user="munge",
            group="munge",
        )
        self._wait_until(
            "munged answering",
            lambda: subprocess.run(
                f"munge -n -S {sock} | unmunge -S {sock}",
                shell=True,
                capture_output=True,
                env=self.env,
            ).returncode
            == 0,
        )
        self._daemon("slurmctld", ["slurmctld", "-D", "-i", "-f", str(conf)])
        self._daemon("slurmd", ["slurmd", "-D", "-N", "localhost", "-f", str(conf)])
        self._wait_until(
            "node idle",
            lambda: subprocess.run(
                ["sinfo", "--noheader", "--nodes=localhost", "--format=%T"],
                capture_output=True,
                text=True,
                env=self.env,
            ).stdout.strip()
            == "idle",
        )

    def _jobs_left(self) -> bool:
        return bool(
            subprocess.run(
                ["squeue", "--noheader", "--states=PD,R,CG,S"],
                timeout=10,
                capture_output=True,
                text=True,
                env=self.env,
            ).stdout.strip()
        )

    def stop(self) -> None:
        """Cancel jobs still queued or running (a failed test), then SIGTERM each daemon we
        started (slurmd, slurmctld, munged), wait, and make sure they are gone."""
        running = len(self.procs) == 3 and all(p.poll() is None for p in self.procs)
        if running and self._jobs_left():
            # job processes live under slurmstepd, which outlives slurmd: end them through SLURM
            subprocess.run(
                ["scancel", "--full", "--user=root"], env=self.env, timeout=10, capture_output=True
            )
            deadline = time.monotonic() + 30
            while self._jobs_left() and time.monotonic() < deadline:
                time.sleep(0.5)
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
        alive = [p.pid for p in self.procs if Path(f"/proc/{p.pid}").exists()]
        assert not alive, f"SLURM test cluster: daemons still running after stop: {alive}"


@contextmanager
def slurm_cluster():
    """Start the cluster; yield it (its `.env`: SLURM_CONF and PATH for clients); stop it."""
    missing = [b for b in BINARIES if shutil.which(b, path=SBIN_PATH) is None]
    if missing:
        pytest.fail(
            f"SLURM test cluster: {', '.join(missing)} not installed; `.ci/run` installs "
            "them (apt-get install slurm-wlm munge)",
            pytrace=False,
        )
    if os.geteuid() != 0:
        pytest.fail(
            "SLURM test cluster: needs root (munged runs as user munge, slurmd as "
            "root); CI runs as root",
            pytrace=False,
        )
    # not pytest's tmp_path: its parents are mode 0700, which the munge user cannot traverse
    root = Path(tempfile.mkdtemp(prefix="dlrepro-slurm-"))
    root.chmod(0o755)
    cluster = SlurmCluster(root)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def slurm():
    """The cluster, with its SLURM_CONF and PATH set in os.environ (the tests' tool_env)."""
    with slurm_cluster() as cluster, pytest.MonkeyPatch.context() as mp:
        for k, v in cluster.env.items():
            mp.setenv(k, v)
        yield cluster
