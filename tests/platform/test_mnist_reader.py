"""Unit tests for the MNIST IDX reader: valid tiny files, every corruption a DlreproError that
names the file, the real mirror files, and a property test (bytes in -> array or DlreproError)."""

from __future__ import annotations

import gzip
import os
import struct
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlrepro.data.mnist import read_idx, read_mnist
from dlrepro.errors import DlreproError

ROOT = Path(__file__).resolve().parents[2]
MIRROR = Path(os.environ.get("DLREPRO_MIRROR") or ROOT.parent / "shared" / "data" / "raw") / "mnist"


def idx_bytes(
    arr: np.ndarray, code: int = 0x08, ndim: int | None = None, dims: tuple[int, ...] | None = None
) -> bytes:
    dims = arr.shape if dims is None else dims
    ndim = len(dims) if ndim is None else ndim
    header = bytes([0, 0, code, ndim]) + struct.pack(f">{len(dims)}I", *dims)
    return header + arr.astype(np.uint8).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    path.write_bytes(gzip.compress(payload, mtime=0))
    return path


def images(n: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


@contextmanager
def raises_naming(path: Path, match: str | None = None):
    """A DlreproError (matching `match`) whose message names `path`."""
    with pytest.raises(DlreproError, match=match) as info:
        yield info
    assert str(path) in str(info.value), str(info.value)


# ----------------------------------------------------------------------------- valid files


def test_reads_images_and_labels(tmp_path):
    x = images(4)
    y = np.array([0, 9, 3, 3], dtype=np.uint8)
    got_x = read_idx(write_gz(tmp_path / "img.gz", idx_bytes(x)))
    got_y = read_idx(write_gz(tmp_path / "lab.gz", idx_bytes(y)))
    assert got_x.dtype == np.uint8 and got_x.shape == (4, 28, 28)
    assert np.array_equal(got_x, x)
    assert np.array_equal(got_y, y) and got_y.shape == (4,)
    got_x[0, 0, 0] = 1  # writable: torch.from_numpy gets an ordinary array


def test_accepts_str_paths_and_zero_length_dims(tmp_path):
    empty = read_idx(str(write_gz(tmp_path / "e.gz", idx_bytes(np.zeros((0, 28, 28))))))
    assert empty.shape == (0, 28, 28)


def mnist_files(tmp_path: Path, x_train=None, y_train=None, x_test=None, y_test=None) -> list[Path]:
    arrays = {
        "train_images": images(5) if x_train is None else x_train,
        "train_labels": np.arange(5, dtype=np.uint8) if y_train is None else y_train,
        "test_images": images(2, 1) if x_test is None else x_test,
        "test_labels": np.array([7, 1], dtype=np.uint8) if y_test is None else y_test,
    }
    return [write_gz(tmp_path / f"{k}.gz", idx_bytes(v)) for k, v in arrays.items()]


def test_read_mnist_valid(tmp_path):
    d = read_mnist(*mnist_files(tmp_path))
    assert list(d) == ["x_train", "y_train", "x_test", "y_test"]
    assert d["x_train"].shape == (5, 28, 28) and d["y_train"].shape == (5,)
    assert d["x_test"].shape == (2, 28, 28) and list(d["y_test"]) == [7, 1]
    assert all(v.dtype == np.uint8 for v in d.values())


# ----------------------------------------------------------------------------- corrupt files


def test_missing_file(tmp_path):
    with raises_naming(tmp_path / "nope.gz", "missing"):
        read_idx(tmp_path / "nope.gz")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.gz"
    path.write_bytes(b"")
    with raises_naming(path, "empty"):
        read_idx(path)


def test_empty_gzip_payload(tmp_path):
    path = write_gz(tmp_path / "e.gz", b"")
    with raises_naming(path, "empty"):
        read_idx(path)


def test_not_gzip(tmp_path):
    path = tmp_path / "raw.gz"
    path.write_bytes(idx_bytes(images(1)))  # an uncompressed IDX file
    with raises_naming(path, "gzip"):
        read_idx(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.99])
def test_truncated_gzip(tmp_path, keep):
    whole = gzip.compress(idx_bytes(images(3)), mtime=0)
    path = tmp_path / "cut.gz"
    path.write_bytes(whole[: int(len(whole) * keep)])
    with raises_naming(path, "gzip"):
        read_idx(path)


def test_corrupt_gzip_stream(tmp_path):
    whole = bytearray(gzip.compress(idx_bytes(images(3)), mtime=0))
    whole[len(whole) // 2] ^= 0xFF  # flip bits inside the deflate stream
    path = tmp_path / "flip.gz"
    path.write_bytes(bytes(whole))
    with raises_naming(path):
        read_idx(path)


@pytest.mark.parametrize("head", [b"\x01\x00\x08\x03", b"\x00\x01\x08\x01", b"\xff\xff\xff\xff"])
def test_wrong_magic(tmp_path, head):
    path = write_gz(tmp_path / "m.gz", head + idx_bytes(images(1))[4:])
    with raises_naming(path, "magic"):
        read_idx(path)


@pytest.mark.parametrize("code", [0x09, 0x0B, 0x0D, 0x0E, 0x00, 0x42])
def test_wrong_dtype(tmp_path, code):
    path = write_gz(tmp_path / "d.gz", idx_bytes(images(1), code=code))
    with raises_naming(path, f"dtype code 0x{code:02x}"):
        read_idx(path)


def test_zero_dimensions(tmp_path):
    path = write_gz(tmp_path / "z.gz", b"\x00\x00\x08\x00")
    with raises_naming(path, "0 dimensions"):
        read_idx(path)


def test_too_many_dimensions(tmp_path):
    path = write_gz(
        tmp_path / "many.gz", b"\x00\x00\x08\x46" + struct.pack(">70I", *[1] * 70) + b"\x07"
    )
    with raises_naming(path, "70 dimensions"):
        read_idx(path)


@pytest.mark.parametrize("payload", [b"\x00\x00", b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00"])
def test_truncated_header(tmp_path, payload):
    path = write_gz(tmp_path / "h.gz", payload)
    with raises_naming(path, "truncated IDX header"):
        read_idx(path)


def test_short_payload(tmp_path):
    path = write_gz(tmp_path / "s.gz", idx_bytes(images(3))[:-1000])
    with raises_naming(path, r"expected 2352 bytes of data for shape 3 x 28 x 28, found 1352"):
        read_idx(path)


def test_long_payload(tmp_path):
    path = write_gz(tmp_path / "l.gz", idx_bytes(images(3)) + b"\x00")
    with raises_naming(path, r"expected 2352 bytes .* found 2353 \(trailing bytes\)"):
        read_idx(path)


def test_header_dims_disagree_with_payload(tmp_path):
    path = write_gz(tmp_path / "dims.gz", idx_bytes(images(3), dims=(4, 28, 28)))
    with raises_naming(path, "expected 3136 bytes"):
        read_idx(path)


@pytest.mark.parametrize(
    "which,array,match",
    [
        (0, np.zeros((2, 28, 27), np.uint8), "N x 28 x 28"),
        (0, np.zeros((2, 784), np.uint8), "N x 28 x 28"),
        (0, np.zeros((0, 28, 28), np.uint8), "no images"),
        (1, np.zeros((5, 1), np.uint8), "1-D label"),
        (1, np.array([0, 1, 2, 10, 3], np.uint8), "label 10 at index 3"),
        (3, np.array([1, 255], np.uint8), "label 255 at index 1"),
        (2, images(3), "3 images but .* 2 labels"),
    ],
)
def test_read_mnist_rejects(tmp_path, which, array, match):
    kwargs = dict(zip(["x_train", "y_train", "x_test", "y_test"], [None] * 4))
    kwargs[list(kwargs)[which]] = array
    files = mnist_files(tmp_path, **kwargs)
    with raises_naming(files[which], match):
        read_mnist(*files)


# ----------------------------------------------------------------------------- the mirror


@pytest.fixture(scope="module")
def mirror() -> dict[str, np.ndarray]:
    names = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    missing = [n for n in names if not (MIRROR / n).is_file()]
    assert not missing, (
        f"MNIST mirror incomplete at {MIRROR} (../shared beside the checkout?): {missing}"
    )
    return read_mnist(*(MIRROR / n for n in names))


def test_mirror_shapes_and_labels(mirror):
    assert mirror["x_train"].shape == (60000, 28, 28)
    assert mirror["y_train"].shape == (60000,)
    assert mirror["x_test"].shape == (10000, 28, 28)
    assert mirror["y_test"].shape == (10000,)
    assert all(v.dtype == np.uint8 for v in mirror.values())
    assert set(np.unique(mirror["y_train"])) == set(range(10))
    # SOURCES.md: per-class test counts and pixel statistics of the canonical files
    assert list(np.bincount(mirror["y_test"])) == [
        980,
        1135,
        1032,
        1010,
        982,
        892,
        958,
        1028,
        974,
        1009,
    ]
    assert mirror["x_test"].mean() == pytest.approx(33.7912, abs=1e-4)
    assert mirror["x_train"].max() == 255 and mirror["x_train"].min() == 0


# ----------------------------------------------------------------------------- property


def _read_or_error(path: Path):
    try:
        arr = read_idx(path)
    except DlreproError as exc:
        assert str(path) in str(exc)
        return None
    assert arr.dtype == np.uint8
    return arr


VALID = idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))
VALID_GZ = gzip.compress(VALID, mtime=0)

payloads = st.one_of(
    st.binary(max_size=200).map(lambda b: ("raw", b)),  # random bytes as the file itself
    st.binary(max_size=200).map(lambda b: ("gz", b)),  # random bytes, validly compressed
    st.integers(0, len(VALID_GZ)).map(lambda n: ("raw", VALID_GZ[:n])),  # truncated gzip
    st.integers(0, len(VALID)).map(lambda n: ("gz", VALID[:n])),  # truncated IDX
    st.tuples(
        st.integers(0, 255),
        st.integers(0, 255),
        st.integers(0, 255),
        st.integers(0, 255),
        st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 5), max_size=6),
        st.binary(max_size=64),
    ).map(lambda t: ("gz", bytes(t[:4]) + struct.pack(f">{len(t[4])}I", *t[4]) + t[5])),
    # valid magic, many dims of size 0/1 (the header count matches): numpy's dims limit
    st.integers(1, 255)
    .flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.integers(0, 1), min_size=n, max_size=n), st.binary(max_size=2)
        )
    )
    .map(lambda t: ("gz", bytes([0, 0, 8, t[0]]) + struct.pack(f">{t[0]}I", *t[1]) + t[2])),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads)
def test_any_bytes_give_an_array_or_dlrepro_error(tmp_path, payload):
    kind, data = payload
    path = tmp_path / "prop.gz"
    path.write_bytes(gzip.compress(data, mtime=0) if kind == "gz" else data)
    arr = _read_or_error(path)
    if arr is not None:
        raw = data if kind == "gz" else gzip.decompress(data)
        assert arr.size == len(raw) - 4 - 4 * arr.ndim


def test_property_sample_is_valid(tmp_path):
    path = tmp_path / "valid.gz"
    path.write_bytes(VALID_GZ)
    assert np.array_equal(read_idx(path), np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
