"""MNIST reader: the four gzip-compressed IDX files of the original distribution.

IDX layout (yann.lecun.com/exdb/mnist/): two zero bytes, a dtype code (0x08 = unsigned byte,
the only one MNIST uses), the number of dimensions, then one big-endian uint32 per dimension,
then the values in C order. The payload must hold exactly the product of the dimensions: a
short file means a truncated download, a long one a wrong or concatenated file; both are errors
rather than a silent reshape. Every problem is a DlreproError naming the file.
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from dlrepro.errors import DlreproError

UBYTE = 0x08
DTYPE_NAMES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
               0x0D: "float", 0x0E: "double"}
IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
MAX_DIMS = 32  # numpy's limit is 64; MNIST uses 1 and 3
KEYS = ("x_train", "y_train", "x_test", "y_test")


def _fail(path: Path, what: str) -> DlreproError:
    return DlreproError(f"{path}: {what}")


def _gunzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise _fail(path, "missing") from None
    except gzip.BadGzipFile as exc:
        raise _fail(path, f"not a valid gzip file ({exc})") from exc
    except (EOFError, zlib.error) as exc:
        raise _fail(path, f"truncated or corrupt gzip ({exc})") from exc
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror or exc})") from exc


def read_idx(path: Path | str) -> np.ndarray:
    """A gzip-compressed IDX file of unsigned bytes as a writable uint8 array of its dims."""
    path = Path(path)
    raw = _gunzip(path)
    if not raw:
        raise _fail(path, "empty (no IDX header)")
    if len(raw) < 4:
        raise _fail(path, f"truncated IDX header: {len(raw)} bytes, the magic number alone is 4")
    if raw[0] != 0 or raw[1] != 0:
        raise _fail(path, f"bad IDX magic number 0x{raw[:4].hex()} "
                          "(must start with two zero bytes)")
    code, ndim = raw[2], raw[3]
    if code != UBYTE:
        name = DTYPE_NAMES.get(code, "unknown")
        raise _fail(path, f"IDX dtype code 0x{code:02x} ({name}), expected 0x08 (unsigned byte)")
    if ndim == 0:
        raise _fail(path, "IDX header declares 0 dimensions")
    if ndim > MAX_DIMS:
        raise _fail(path, f"IDX header declares {ndim} dimensions (at most {MAX_DIMS} supported)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise _fail(path, f"truncated IDX header: {ndim} dimensions need {header} bytes, "
                          f"file has {len(raw)}")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(dims)
    found = len(raw) - header
    if found != expected:
        shape = " x ".join(map(str, dims))
        kind = "short" if found < expected else "trailing bytes"
        raise _fail(path, f"expected {expected} bytes of data for shape {shape}, "
                          f"found {found} ({kind})")
    # bytearray: a writable buffer, so torch.from_numpy etc. get a normal array (one copy)
    return np.frombuffer(bytearray(raw), dtype=np.uint8, offset=header).reshape(dims)


def _images(path: Path) -> np.ndarray:
    x = read_idx(path)
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        shape = " x ".join(map(str, x.shape))
        raise _fail(path, f"expected images of shape N x 28 x 28, found {shape}")
    if len(x) == 0:
        raise _fail(path, "no images")
    return x


def _labels(path: Path) -> np.ndarray:
    y = read_idx(path)
    if y.ndim != 1:
        raise _fail(path, f"expected a 1-D label vector, found {y.ndim} dimensions {y.shape}")
    if len(y) and int(y.max()) >= N_CLASSES:
        bad = int(np.flatnonzero(y >= N_CLASSES)[0])
        raise _fail(path, f"label {int(y[bad])} at index {bad} is outside 0..{N_CLASSES - 1}")
    return y


def _split(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    x, y = _images(images), _labels(labels)
    if len(x) != len(y):
        raise DlreproError(f"{images} has {len(x)} images but {labels} has {len(y)} labels")
    return x, y


def read_mnist(train_images: Path | str, train_labels: Path | str,
               test_images: Path | str, test_labels: Path | str) -> dict[str, np.ndarray]:
    """The four MNIST files as x_train, y_train, x_test, y_test (uint8; images N x 28 x 28)."""
    x_train, y_train = _split(Path(train_images), Path(train_labels))
    x_test, y_test = _split(Path(test_images), Path(test_labels))
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
