"""Unit tests for the atomic, byte-stable writers (dlrepro.core.io) and the PNG writer."""

from __future__ import annotations

import hashlib
import io as _io
import struct
import time
import zipfile

import numpy as np
import pytest

from dlrepro.core import io
from dlrepro.errors import DlreproError


def _listing(directory):
    return sorted(p.name for p in directory.iterdir())


# ----------------------------------------------------------------------------- atomic writes


def test_write_text_exact_content(tmp_path):
    path = tmp_path / "a.txt"
    io.write_text(path, "héllo\nworld\n")
    assert path.read_bytes() == "héllo\nworld\n".encode()
    assert _listing(tmp_path) == ["a.txt"]


def test_write_text_replaces_existing_content(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old content that is longer than the new one")
    io.write_text(path, "new")
    assert path.read_text() == "new"
    assert _listing(tmp_path) == ["a.txt"]


def test_write_creates_parent_directories(tmp_path):
    path = tmp_path / "x" / "y" / "z.bin"
    io.write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


def test_write_json_exact_content_and_sorted_keys(tmp_path):
    path = tmp_path / "m.json"
    io.write_json(path, {"b": 1, "a": {"z": [1, 2.5], "c": None}})
    expected = (
        '{\n  "a": {\n    "c": null,\n    "z": [\n      1,\n      2.5\n    ]\n  },\n  "b": 1\n}\n'
    )
    assert path.read_text() == expected
    assert io.read_json(path) == {"a": {"c": None, "z": [1, 2.5]}, "b": 1}


def test_write_json_key_order_of_input_does_not_matter(tmp_path):
    io.write_json(tmp_path / "1.json", {"x": 1, "y": 2, "a": 3})
    io.write_json(tmp_path / "2.json", {"a": 3, "y": 2, "x": 1})
    assert (tmp_path / "1.json").read_bytes() == (tmp_path / "2.json").read_bytes()


def test_write_json_floats_round_trip_exactly(tmp_path):
    values = [0.1 + 0.2, 1 / 3, 0.994667, 1e-300]
    io.write_json(tmp_path / "f.json", values)
    assert io.read_json(tmp_path / "f.json") == values


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_write_json_rejects_nan_and_inf(tmp_path, bad):
    path = tmp_path / "m.json"
    with pytest.raises(ValueError):
        io.write_json(path, {"acc": bad})
    assert _listing(tmp_path) == []


def test_write_json_rejects_nan_keeps_previous_file(tmp_path):
    path = tmp_path / "m.json"
    io.write_json(path, {"acc": 1.0})
    before = path.read_bytes()
    with pytest.raises(ValueError):
        io.write_json(path, {"acc": float("nan")})
    assert path.read_bytes() == before
    assert _listing(tmp_path) == ["m.json"]


def test_atomic_path_failure_leaves_existing_file_untouched(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("precious")
    with pytest.raises(RuntimeError, match="boom"):
        with io.atomic_path(path) as tmp:
            tmp.write_text("half-written")
            assert tmp.parent == path.parent  # beside the destination (same filesystem)
            assert tmp != path
            raise RuntimeError("boom")
    assert path.read_text() == "precious"
    assert _listing(tmp_path) == ["out.txt"]


def test_atomic_path_failure_leaves_no_file(tmp_path):
    path = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt):
        with io.atomic_path(path) as tmp:
            tmp.write_text("half-written")
            raise KeyboardInterrupt  # a killed job: also a BaseException
    assert not path.exists()
    assert _listing(tmp_path) == []


def test_atomic_path_destination_appears_only_after_the_block(tmp_path):
    path = tmp_path / "out.txt"
    with io.atomic_path(path) as tmp:
        tmp.write_text("done")
        assert not path.exists()
    assert path.read_text() == "done"
    assert _listing(tmp_path) == ["out.txt"]


def test_read_json_errors_name_the_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DlreproError, match="bad.json"):
        io.read_json(bad)
    with pytest.raises(DlreproError, match="missing.json"):
        io.read_json(tmp_path / "missing.json")


def test_write_csv_is_lf_and_exact(tmp_path):
    import pandas as pd

    io.write_csv(tmp_path / "t.csv", pd.DataFrame({"a": [1, 2], "b": [0.1 + 0.2, 0.5]}))
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\n1,0.30000000000000004\n2,0.5\n"


# ----------------------------------------------------------------------------- npz


def _arrays():
    rng = np.random.default_rng(0)
    return {
        "x": rng.random((5, 3, 3)).astype(np.float32),
        "y": np.arange(5, dtype=np.int64),
        "a_first": np.array([[1, 2], [3, 4]], dtype=np.uint8).T,  # non-contiguous view
        "b_slice": np.arange(20, dtype=np.int32)[::3],  # strided view
    }


def _fake_clock(monkeypatch, when):
    real_localtime, real_gmtime = time.localtime, time.gmtime
    monkeypatch.setattr(time, "time", lambda: when)
    monkeypatch.setattr(time, "time_ns", lambda: int(when * 1e9))
    monkeypatch.setattr(
        time, "localtime", lambda secs=None: real_localtime(when if secs is None else secs)
    )
    monkeypatch.setattr(
        time, "gmtime", lambda secs=None: real_gmtime(when if secs is None else secs)
    )


def test_npz_bytes_repeat_across_calls_and_clock(monkeypatch):
    arrays = _arrays()
    first = io.npz_bytes(arrays)
    _fake_clock(monkeypatch, 1_000_000_000.0)  # 2001-09-09
    second = io.npz_bytes(arrays)
    _fake_clock(monkeypatch, 1_900_000_000.0)  # 2030-03-17: every date field differs
    third = io.npz_bytes(dict(reversed(list(arrays.items()))))  # insertion order irrelevant
    assert first == second == third


def test_npz_members_have_a_fixed_timestamp_and_sorted_names():
    with zipfile.ZipFile(_io.BytesIO(io.npz_bytes(_arrays()))) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["a_first.npy", "b_slice.npy", "x.npy", "y.npy"]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos)


def test_npz_bytes_loads_back_without_pickle():
    arrays = _arrays()
    with np.load(_io.BytesIO(io.npz_bytes(arrays)), allow_pickle=False) as data:
        assert sorted(data.files) == sorted(arrays)
        for key, value in arrays.items():
            assert data[key].dtype == value.dtype
            assert data[key].shape == value.shape
            assert np.array_equal(data[key], value)


def test_npz_bytes_keeps_the_shape_of_0d_arrays():
    """npz_bytes claims to be "like np.savez_compressed", but np.ascontiguousarray turns a 0-d
    array into shape (1,), so a scalar written with write_npz reads back with another shape."""
    scalar = np.array(2.5)
    with np.load(_io.BytesIO(io.npz_bytes({"s": scalar})), allow_pickle=False) as data:
        assert data["s"].shape == ()
        assert data["s"] == 2.5


def test_npz_bytes_rejects_object_arrays():
    with pytest.raises(ValueError):
        io.npz_bytes({"o": np.array([{"a": 1}], dtype=object)})


def test_write_read_npz_round_trip(tmp_path):
    arrays = _arrays()
    path = tmp_path / "d.npz"
    io.write_npz(path, **arrays)
    assert path.read_bytes() == io.npz_bytes(arrays)
    got = io.read_npz(path, ("x", "y"))
    assert set(got) == {"x", "y"}
    assert np.array_equal(got["x"], arrays["x"]) and np.array_equal(got["y"], arrays["y"])
    assert _listing(tmp_path) == ["d.npz"]


def test_read_npz_truncated_raises_naming_the_path(tmp_path):
    data = io.npz_bytes(_arrays())
    path = tmp_path / "trunc.npz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DlreproError, match="trunc.npz"):
        io.read_npz(path, ("x",))


def test_read_npz_missing_keys_raises_naming_path_and_key(tmp_path):
    path = tmp_path / "partial.npz"
    io.write_npz(path, x=np.zeros(3))
    with pytest.raises(DlreproError) as exc:
        io.read_npz(path, ("x", "y_train"))
    assert "partial.npz" in str(exc.value)
    assert "y_train" in str(exc.value)


def test_read_npz_garbage_and_missing_file_raise(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not an npz file at all")
    with pytest.raises(DlreproError, match="garbage.npz"):
        io.read_npz(path, ("x",))
    with pytest.raises(DlreproError, match="absent.npz"):
        io.read_npz(tmp_path / "absent.npz", ("x",))


def test_read_npz_refuses_pickled_member(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, o=np.array([{"a": 1}], dtype=object))
    with pytest.raises(DlreproError, match="pickled.npz"):
        io.read_npz(path, ("o",))


def test_read_npz_corrupt_member_data_raises_dlrepro_error(tmp_path):
    """A bit-flipped member (zip directory intact, deflate stream broken) is corrupt input and
    should raise DlreproError like a truncated file does; read_npz lets zlib.error escape."""
    data = bytearray(io.npz_bytes({"x": np.arange(4000, dtype=np.float64)}))
    with zipfile.ZipFile(_io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("x.npy")
    # local header: 30 fixed bytes + name + extra, then the compressed data
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 20, start + 60):
        data[i] ^= 0xFF
    path = tmp_path / "corrupt.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(DlreproError, match="corrupt.npz"):
        io.read_npz(path, ("x",))


# ----------------------------------------------------------------------------- hashing


def test_sha256_file_matches_hashlib(tmp_path):
    payload = np.random.default_rng(1).bytes(300_001)
    path = tmp_path / "blob"
    path.write_bytes(payload)
    expected = hashlib.sha256(payload).hexdigest()
    assert io.sha256_file(path) == expected
    assert io.sha256_file(path, chunk=7) == expected  # many chunks, uneven last one
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert io.sha256_file(empty) == hashlib.sha256(b"").hexdigest()


# ----------------------------------------------------------------------------- PNG


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    assert pos == len(data)
    return kinds


def _figure():
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(3, 2))
    a.plot([0, 1, 2], [1, 0, 2], label="line")
    a.set_title("title")
    a.legend()
    b.imshow(np.arange(16).reshape(4, 4), cmap="gray")
    return fig


def test_save_png_bytes_repeat_and_carry_no_metadata(tmp_path, monkeypatch):
    from dlrepro.core.plotting import save_png

    save_png(_figure(), tmp_path / "a.png")
    _fake_clock(monkeypatch, 1_900_000_000.0)
    save_png(_figure(), tmp_path / "b.png")
    a, b = (tmp_path / "a.png").read_bytes(), (tmp_path / "b.png").read_bytes()
    assert a == b
    assert b"Software" not in a
    assert b"Matplotlib" not in a and b"matplotlib" not in a
    kinds = _png_chunks(a)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME"} & set(kinds)
    assert _listing(tmp_path) == ["a.png", "b.png"]


def test_save_png_closes_the_figure(tmp_path):
    import matplotlib.pyplot as plt

    from dlrepro.core.plotting import save_png

    fig = _figure()
    save_png(fig, tmp_path / "c.png")
    assert fig.number not in plt.get_fignums()


def test_save_png_different_figures_differ(tmp_path):
    import matplotlib.pyplot as plt

    from dlrepro.core.plotting import save_png

    save_png(_figure(), tmp_path / "a.png")
    fig = _figure()
    fig.axes[0].set_title("another title")
    save_png(fig, tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "b.png").read_bytes()
    plt.close("all")


def test_symmetric_limits():
    from dlrepro.core.plotting import symmetric_limits

    assert symmetric_limits(np.array([-0.5, 2.0, 1.0])) == (-2.0, 2.0)
    assert symmetric_limits(np.array([[-3.0], [1.0]])) == (-3.0, 3.0)
    assert symmetric_limits(np.zeros(4)) == (-1.0, 1.0)  # never a zero-width range
