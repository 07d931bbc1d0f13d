"""Atomic, byte-stable writers. Every artifact goes through here.

Atomic: write to a temporary file in the same directory, fsync, then rename, so a killed job
never leaves a file that looks complete. Byte-stable: sorted JSON keys, no timestamps in zip
(npz) members or PNG metadata.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from dlrepro.errors import DlreproError

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_UMASK = os.umask(0o022)  # read the process umask (no other way) and put it back at once
os.umask(_UMASK)  # earliest date a zip entry can hold: a constant, not "now"


# a write that failed for lack of room or a read-only file system: the path is what users need
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # read-only directory, no permission, disk full
        raise DlreproError(f"{path}: cannot write ({exc.strerror})") from None
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; artifacts should be readable
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except OSError as exc:
        if exc.errno not in _NO_ROOM:
            raise
        raise DlreproError(f"{path}: cannot write ({exc.strerror}); nothing written") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(path: Path | str, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


def write_json(path: Path | str, obj: Any) -> None:
    write_text(path, to_json(obj))


def read_json(path: Path | str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DlreproError(f"{path}: cannot read JSON ({exc})") from exc


def read_keyed_records(paths, key: str, order) -> dict[str, dict]:
    """{record[key]: record without key} for JSON files, in the given order of keys."""
    records = {}
    for path in paths:
        record = read_json(path)
        records[record.pop(key)] = record
    return {name: records[name] for name in order if name in records}


def write_csv(path: Path | str, frame) -> None:
    """pandas DataFrame -> CSV with a fixed float format (repr, round-trips exactly)."""
    write_text(path, frame.to_csv(index=False, lineterminator="\n"))


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """Like np.savez_compressed, but with fixed entry timestamps so the bytes repeat."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            member = io.BytesIO()
            np.lib.format.write_array(
                member, np.require(arrays[name], requirements="C"), allow_pickle=False
            )
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def write_npz(path: Path | str, **arrays: np.ndarray) -> None:
    write_bytes(path, npz_bytes(arrays))


# what numpy/zipfile raise on a damaged or hostile archive (RuntimeError: an encrypted member,
# NotImplementedError: an unknown compression method, MemoryError: a header claiming a huge shape)
_NPZ_ERRORS = (
    OSError,
    ValueError,
    zipfile.BadZipFile,
    EOFError,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    MemoryError,
)


def read_npz(path: Path | str, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Load an npz without pickle, checking that the expected keys are present and are arrays."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy loads as one array
            raise DlreproError(f"{path}: not an .npz archive (a single {type(data).__name__})")
        with data:
            missing = [k for k in keys if k not in data.files]
            if missing:
                raise DlreproError(f"{path}: missing arrays {missing} (has {sorted(data.files)})")
            arrays = {k: data[k] for k in keys}
    except _NPZ_ERRORS as exc:
        raise DlreproError(
            f"{path}: not a readable .npz file ({type(exc).__name__}: {exc})"
        ) from exc
    # a member that is not in .npy format comes back as its raw bytes
    wrong = sorted(k for k, v in arrays.items() if not isinstance(v, np.ndarray))
    if wrong:
        raise DlreproError(f"{path}: member(s) {wrong} are not .npy arrays")
    return arrays


def sha256_file(path: Path | str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
