"""Artifacts pulled from a remote are untrusted: loading them must never run code, and damage
must surface as DlreproError naming the file.

What the project reads back, and whether the format could run code on load:
- weights .pt (torch.save zip: a pickle + raw tensor bytes): pickle CAN run code, so they are
  loaded with torch.load(weights_only=True), an allowlist unpickler (tensors, plain
  containers); anything else in the pickle is refused before it runs. It does NOT check the
  zip's CRCs: a changed tensor byte loads silently; integrity is DVC's md5 (see below).
- .npz / .npy (numpy): data only with allow_pickle=False (object arrays are pickles: refused).
- .tsv(.gz), .csv (csv module / pandas), .json (json), .yaml (yaml.safe_load): data only.
- PNG, HTML, Markdown: written, never parsed back.
- scikit-learn models are never saved (only their metrics): no pickle/joblib anywhere in src
  (test_no_code_path_can_unpickle checks that).

Pulling: with the project's default remote (a local directory) DVC rehashes every object it
is asked for and refuses (and deletes) one whose bytes do not match its md5. An HTTP/cloud
remote is only checked with `verify = true`; without it a tampered object is checked out and
`dvc status` reports nothing (shown below).
"""

from __future__ import annotations

import gzip
import io
import pickle
import re
import struct
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from conftest import ROOT, run, serve_http
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from dlrepro.core.io import read_npz, write_npz
from dlrepro.core.params import SafeLoader, StrictLoader
from dlrepro.core.torch_utils import load_weights, save_weights
from dlrepro.errors import DlreproError

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# torch warns about the pickle protocol of random bytes before refusing them
pytestmark = pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 1))


@pytest.fixture
def weights(tmp_path) -> Path:
    path = tmp_path / "weights.pt"
    save_weights(path, _model())
    return path


def _refused(path: Path, model: nn.Module | None = None) -> str:
    with pytest.raises(DlreproError) as err:
        load_weights(path, model or _model())
    assert str(path) in str(err.value)
    return str(err.value)


class Payload:
    """Unpickling this calls open(marker, "w"): the file appears only if the pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


# ----------------------------------------------------------------------------- weights that would run code


def test_torch_file_with_a_code_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "payload_ran"
    evil = tmp_path / "weights.pt"
    state = {k: v for k, v in _model().state_dict().items()}
    torch.save({**state, "0.weight": Payload(marker)}, evil)  # a real torch zip, tampered pickle

    msg = _refused(evil)
    assert "refused without running any of it" in msg and "Unsupported global" in msg, msg
    assert "weights_only=False" not in msg  # no advice to load it unsafely
    assert not marker.exists()

    # the payload is live: an unsafe load does run it (so the refusal above is what saved us)
    torch.load(evil, weights_only=False)
    assert marker.exists()


def test_plain_pickle_with_a_code_payload_is_refused_and_never_runs(tmp_path):
    """torch.load also accepts the legacy format, a bare pickle stream: same allowlist."""
    marker = tmp_path / "payload_ran"
    evil = tmp_path / "weights.pt"
    evil.write_bytes(pickle.dumps(Payload(marker), protocol=2))
    _refused(evil)
    assert not marker.exists()
    pickle.loads(evil.read_bytes())  # live payload
    assert marker.exists()


def test_object_array_in_an_npz_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "payload_ran"
    member = io.BytesIO()
    np.lib.format.write_array(member, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    path = tmp_path / "split.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x_train.npy", member.getvalue())
    assert not marker.exists()  # writing it did not run it

    with pytest.raises(DlreproError, match=re.escape(str(path))):
        read_npz(path, ("x_train",))
    assert not marker.exists()
    with np.load(path, allow_pickle=True) as data:  # live payload
        data["x_train"]
    assert marker.exists()


def test_no_code_path_can_unpickle():
    """Every loader in src/ keeps pickle off: a new joblib.dump or torch.load(...) without
    weights_only=True would make pulled artifacts able to run code."""
    forbidden = [
        r"^\s*(import|from)\s+(pickle|_pickle|cPickle|joblib|dill|cloudpickle|shelve|marshal)\b",
        r"allow_pickle\s*=\s*True",
        r"weights_only\s*=\s*False",
        # yaml.load only with core.params' StrictLoader (a safe loader, checked below)
        r"\byaml\.(unsafe_|full_)?load\((?![^)]*Loader=StrictLoader\))",
        r"\byaml\.(Unsafe|Full)?Loader\b",
        r"torch\.load\((?![^)]*weights_only=True)",
        r"torch\.(jit\.load|package)\b",
        r"(np|numpy)\.load\((?![^)]*allow_pickle=False)",
        r"read_pickle|to_pickle",
    ]
    hits = [
        f"{py.relative_to(ROOT)}: {pattern}"
        for py in sorted((ROOT / "src" / "dlrepro").rglob("*.py"))
        for pattern in forbidden
        if re.search(pattern, py.read_text(), re.M)
    ]
    assert hits == []
    assert SafeLoader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", None))
    assert issubclass(StrictLoader, SafeLoader)


# ----------------------------------------------------------------------------- damaged or wrong weights


def test_damaged_weights_are_dlrepro_errors(tmp_path, weights):
    """Beyond test_slash_models' garbage / truncated / missing files."""
    data = weights.read_bytes()
    cases = {
        "empty.pt": b"",
        "header_only.pt": data[:64],
        "other_zip.pt": _zip({"hello.txt": b"hi"}),
        "gzip.pt": gzip.compress(data),
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert "not a loadable weights-only state_dict" in _refused(path), name


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        [torch.zeros(2)],
        {1: torch.zeros(2)},  # was an AttributeError traceback from load_state_dict
        {"0.weight": "a string"},
    ],
    ids=["list", "int-keys", "str-value"],
)
def test_weights_only_loadable_but_not_a_state_dict_is_refused(tmp_path, content):
    """Lists, ints and strings pass the weights-only allowlist; a state_dict they are not.
    (Wrong shapes and missing keys: test_slash_models.)"""
    path = tmp_path / "weights.pt"
    torch.save(content, path)
    assert "not a state_dict (a dict of named tensors)" in _refused(path)


def test_a_changed_tensor_byte_is_not_detected_by_torch(weights):
    """Why integrity has to come from the artifact's hash (DVC md5), not from the loader:
    the tensor bytes are stored uncompressed and torch does not check the zip CRC."""
    data = bytearray(weights.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(next(n for n in zf.namelist() if n.endswith("/data/0")))
    # the member's bytes follow its local header: 30 bytes + name + extra (torch pads the extra)
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    data[info.header_offset + 30 + name_len + extra_len] ^= 0x40
    weights.write_bytes(bytes(data))
    loaded = load_weights(weights, _model()).state_dict()
    original = _model().state_dict()
    assert [k for k in original if not torch.equal(loaded[k], original[k])] != []


CUT = st.none() | st.integers(0, 10_000)  # None: keep the whole file
FLIPS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=4)


def _damaged(data: bytes, cut: int | None, flips) -> bytes:
    out = bytearray(data)
    for pos, mask in flips:
        out[pos % len(out)] ^= mask
    return bytes(out if cut is None else out[: cut % len(out)])


@FUZZ
@given(cut=CUT, flips=FLIPS)
def test_truncated_or_flipped_weights_load_or_raise_dlrepro_error(tmp_path, cut, flips):
    buf = io.BytesIO()
    torch.save(dict(_model().state_dict()), buf)
    path = tmp_path / "w.pt"
    path.write_bytes(_damaged(buf.getvalue(), cut, flips))
    try:
        model = load_weights(path, _model())
    except DlreproError as exc:
        assert str(path) in str(exc)
    else:  # only tensor values can have changed: the structure is the model's
        assert {k: v.shape for k, v in model.state_dict().items()} == {
            k: v.shape for k, v in _model().state_dict().items()
        }


# ----------------------------------------------------------------------------- npz


def test_read_npz_refuses_what_is_not_an_npz_of_arrays(tmp_path):
    npy = tmp_path / "single.npz"
    with open(npy, "wb") as fh:
        np.save(fh, np.arange(3))
    cases = {
        npy: "not an .npz archive",
        _write(tmp_path / "raw_member.npz", _zip({"x.npy": b"not npy"})): "not .npy arrays",
        _write(tmp_path / "encrypted.npz", _flag_encrypted(_zip({"x.npy": b"x"}))): "encrypted",
        _write(
            tmp_path / "method.npz", _set_method(_zip({"x.npy": b"x"}), 77)
        ): "compression method",
        _write(
            tmp_path / "huge.npz", _zip({"x.npy": _npy_header(shape=(10**12,))})
        ): "Unable to allocate",
    }
    for path, problem in cases.items():
        with pytest.raises(DlreproError) as err:
            read_npz(path, ("x",))
        assert str(path) in str(err.value) and problem in str(err.value), str(err.value)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _npy_header(shape) -> bytes:
    """A .npy header claiming `shape` (float64), with no data after it."""
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    return out.getvalue()


def _flag_encrypted(data: bytes) -> bytes:
    out = bytearray(data)  # general purpose flag bit 0, local header and central directory
    out[6] |= 1
    out[data.find(b"PK\x01\x02") + 8] |= 1
    return bytes(out)


def _set_method(data: bytes, method: int) -> bytes:
    out = bytearray(data)
    out[8] = method
    out[data.find(b"PK\x01\x02") + 10] = method
    return bytes(out)


@FUZZ
@given(cut=CUT, flips=FLIPS)
def test_damaged_npz_gives_arrays_or_dlrepro_error(tmp_path, cut, flips):
    path = tmp_path / "d.npz"
    write_npz(path, x=np.arange(60, dtype=np.float32).reshape(3, 4, 5), y=np.array([0, 1, 1]))
    path.write_bytes(_damaged(path.read_bytes(), cut, flips))
    try:
        arrays = read_npz(path, ("x", "y"))
    except DlreproError as exc:
        assert str(path) in str(exc)
    else:
        assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_npz_or_weights(tmp_path, data):
    path = tmp_path / "random.bin"
    path.write_bytes(data)
    with pytest.raises(DlreproError):
        read_npz(path, ("x",))
    with pytest.raises(DlreproError):
        load_weights(path, _model())


# ----------------------------------------------------------------------------- tampered object in a remote


@pytest.fixture
def tampered_remote(tmp_path, weights):
    """A tiny DVC project whose weights were pushed to a directory remote, after which the
    remote object was replaced by the same file with one tensor byte changed (same size)."""
    repo, remote = tmp_path / "builder", tmp_path / "remote"
    repo.mkdir()
    good = weights.read_bytes()
    (repo / "weights.pt").write_bytes(good)
    for cmd in (
        ["git", "init", "-q"],
        ["dvc", "init", "-q"],
        ["dvc", "remote", "add", "-d", "r", str(remote)],
        ["dvc", "add", "-q", "weights.pt"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "w"],
        ["dvc", "push", "-q"],
    ):
        run(cmd, repo)
    (obj,) = [p for p in (remote / "files" / "md5").rglob("*") if p.is_file()]
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0x01  # torch would load this without complaint
    obj.chmod(0o644)
    obj.write_bytes(bytes(bad))
    return repo, remote, good, bytes(bad)


def _clone(repo: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(repo), str(dest)], check=True, capture_output=True)
    return dest


@pytest.fixture
def http_server(tmp_path):
    """Serve a folder read-only over HTTP on a free local port; yields (folder, url)."""
    folder = tmp_path / "served"
    with serve_http(folder) as url:
        yield folder, url


def test_pull_from_the_default_directory_remote_refuses_a_tampered_object(
    tampered_remote, tmp_path
):
    repo, _, _, _ = tampered_remote
    reader = _clone(repo, tmp_path / "reader")
    proc = run(["dvc", "pull"], reader, check=False)
    assert proc.returncode != 0 and "weights.pt" in proc.stderr, proc.stderr[-2000:]
    assert not (reader / "weights.pt").exists()


def test_pull_over_http_detects_a_tampered_object_only_with_verify(
    tampered_remote, http_server, tmp_path
):
    repo, remote, _, bad = tampered_remote
    folder, url = http_server
    remote.rename(folder)

    trusting = _clone(repo, tmp_path / "trusting")
    run(["dvc", "remote", "add", "--local", "-d", "web", url], trusting)
    run(["dvc", "pull"], trusting)  # succeeds ...
    assert (trusting / "weights.pt").read_bytes() == bad  # ... with the tampered bytes
    assert "up to date" in run(["dvc", "status"], trusting).stdout  # and DVC sees nothing

    verifying = _clone(repo, tmp_path / "verifying")
    run(["dvc", "remote", "add", "--local", "-d", "web", url], verifying)
    run(["dvc", "remote", "modify", "--local", "web", "verify", "true"], verifying)
    proc = run(["dvc", "pull"], verifying, check=False)
    assert proc.returncode != 0 and "weights.pt" in proc.stderr
    assert not (verifying / "weights.pt").exists()
