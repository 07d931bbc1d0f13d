"""A write that cannot happen (disk full, read-only file system) is a one-line error naming the
path, and leaves nothing behind. Tests run as root in CI, where permissions do not stop a write,
so the OS errors are raised where the OS would raise them."""

from __future__ import annotations

import errno
import os
import tempfile

from conftest import ROOT

from dlrepro.cli import main

SMOKE = ["--params", str(ROOT / "params.yaml"), "--params", str(ROOT / "config/smoke.yaml")]


def _generate(out):
    return main([*SMOKE, "slash", "generate", "--out", str(out)])


def test_disk_full_names_the_path_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "slash_data.npz"
    assert _generate(out) == 2
    err = capsys.readouterr().err
    assert (
        err == f"dlrepro: error: {out}: cannot write (No space left on device); nothing written\n"
    )
    assert list(tmp_path.iterdir()) == []  # no temporary file left either


def test_a_read_only_directory_names_the_path(tmp_path, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    out = tmp_path / "slash_data.npz"
    assert _generate(out) == 2
    assert capsys.readouterr().err == (
        f"dlrepro: error: {out}: cannot write (Read-only file system)\n"
    )


def test_an_unwritable_log_names_the_path(tmp_path, capsys):
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log directory should be")
    log = blocker / "slash" / "generate.log"
    assert main([*SMOKE, "--log", str(log), "slash", "generate", "--out", "x.npz"]) == 2
    assert f"{log}: cannot write the job's log" in capsys.readouterr().err
