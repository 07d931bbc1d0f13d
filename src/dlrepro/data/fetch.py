"""Raw-data registry and fetcher: local mirror first, original URL second, sha256 always.

Why a registry: the size and sha256 of each raw file are facts about the data, not settings,
so they live in code (copied from ../shared/data/raw/SOURCES.md) and a changed or truncated
file fails loudly instead of silently shifting every downstream number. The mirror layout is
the one of ../shared/data/raw (`<dataset>/<file>`), so `relpath` is the path under a mirror.
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dlrepro.core.io import atomic_path, sha256_file
from dlrepro.errors import DlreproError

MIRROR_ENV = "DLREPRO_MIRROR"
DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawFile:
    """One raw file as published: where it sits in a mirror, its exact bytes, where it came from."""

    name: str
    relpath: str
    size: int
    sha256: str
    url: str | None


def _mnist(name: str, file: str, size: int, sha256: str) -> RawFile:
    return RawFile(name, f"mnist/{file}", size, sha256,
                   f"https://ossci-datasets.s3.amazonaws.com/mnist/{file}")


REGISTRY: dict[str, RawFile] = {
    raw.name: raw
    for raw in (
        # Real subset built from two public copies (SOURCES.md); exists only in the mirror.
        RawFile("quora_subset", "quora/quora_question_pairs_subset.tsv.gz", 1_643_749,
                "de33f68266996394404e69ba7c647526da76b0d700a0d9ffb7fe416837011603", None),
        # Size and sha256 from a Git LFS pointer (SOURCES.md, "Not obtained"): not in the mirror.
        RawFile("quora_full", "quora/quora_duplicate_questions.tsv", 58_176_133,
                "b3350dbb1d98db1f5abca85d736ba514bf4da253fae53939303d79fe921ec7c8",
                "http://qim.fs.quoracdn.net/quora_duplicate_questions.tsv"),
        # The Slash post's own file (SOURCES.md, "Slash dataset (published)"), CC BY 4.0.
        RawFile("slash_published", "slash/slash_data.npz", 3_638_260,
                "456f500c869d5358f886d8574b130ed64ef4f89da7b26d873c30890961bfa99b",
                "https://soph.info/data/slash_data.npz"),
        # The training images' .gz is a rebuilt wrapper around byte-identical content (SOURCES.md),
        # so its sha256 is that of the mirror copy; a download of LeCun's own .gz would not match.
        _mnist("mnist_train_images", "train-images-idx3-ubyte.gz", 9_719_438,
               "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971"),
        _mnist("mnist_train_labels", "train-labels-idx1-ubyte.gz", 28_881,
               "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        _mnist("mnist_test_images", "t10k-images-idx3-ubyte.gz", 1_648_877,
               "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        _mnist("mnist_test_labels", "t10k-labels-idx1-ubyte.gz", 4_542,
               "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    )
}


def raw_file(name: str) -> RawFile:
    """Registry lookup whose error lists the known names (a typo in a rule is the usual cause)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise DlreproError(f"unknown raw file {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def resolve_mirror(setting: str | None) -> Path | None:
    """The mirror directory: $DLREPRO_MIRROR wins over params, so one checkout can point anywhere.

    Relative paths resolve against the current directory (the repository root for every rule).
    """
    value = os.environ.get(MIRROR_ENV) or setting
    if not value:
        return None
    return (Path.cwd() / Path(value).expanduser()).resolve()


def mismatch(path: Path, raw: RawFile) -> str | None:
    """What is wrong with `path` as a copy of `raw` (size first: it is free), or None."""
    size = path.stat().st_size
    if size != raw.size:
        return f"size {size} bytes, expected {raw.size}"
    digest = sha256_file(path)
    if digest != raw.sha256:
        return f"sha256 {digest}, expected {raw.sha256}"
    return None


def verify(path: Path | str, raw: RawFile) -> Path:
    """Raise unless `path` holds exactly the registered bytes of `raw`."""
    path = Path(path)
    if not path.is_file():
        raise DlreproError(f"{path}: missing (expected {raw.name}, {raw.relpath})")
    problem = mismatch(path, raw)
    if problem:
        raise DlreproError(f"{path}: not the registered {raw.name} ({raw.relpath}): {problem}")
    return path


def _download(url: str, tmp: Path) -> None:
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp, open(tmp, "wb") as out:
        shutil.copyfileobj(resp, out, _CHUNK)


def _fill(raw: RawFile, tmp: Path, mirror: Path | None) -> str:
    """Put the raw bytes into `tmp`; return where they came from (for error messages)."""
    looked = mirror / raw.relpath if mirror is not None else None
    if looked is not None and looked.is_file():
        try:
            shutil.copyfile(looked, tmp)
        except OSError as exc:
            raise DlreproError(f"{looked}: cannot copy from the mirror: {exc}") from exc
        return str(looked)
    where = f"not in the mirror (looked for {looked})" if looked else \
        f"no mirror configured (params `mirror` or ${MIRROR_ENV})"
    if raw.url is None:
        raise DlreproError(f"{raw.name}: {where}, and it has no download URL")
    try:
        _download(raw.url, tmp)
    except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are all OSError
        raise DlreproError(f"{raw.name}: {where}, and downloading {raw.url} failed "
                           f"(no network?): {exc}") from exc
    return raw.url


def fetch(name: str, dest: Path | str, mirror: Path | None) -> Path:
    """Copy or download raw file `name` to `dest`, verified before it gets its final name.

    The bytes land in a temporary file beside `dest`; on a size or sha256 mismatch that file
    is removed and `dest` is left as it was, so a corrupt copy never looks like a good one.
    """
    raw = raw_file(name)
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        source = _fill(raw, tmp, mirror)
        problem = mismatch(tmp, raw)
        if problem:
            raise DlreproError(f"{dest}: {raw.name} from {source} is corrupt: {problem}; "
                               f"nothing written")
    return dest


def _registered(path: Path) -> RawFile:
    """The registry entry a local raw copy stands for (data/raw/<relpath>)."""
    for raw in REGISTRY.values():
        if path.as_posix().endswith(f"data/raw/{raw.relpath}"):
            return raw
    raise DlreproError(f"{path}: not a registered raw file (data/raw/<dataset>/<file>)")


def verified_raw(path: Path | str, mirror: Path | None) -> Path:
    """A raw file checked at the read, not only at the fetch: a local copy edited or damaged
    since (a flipped label in a valid .gz reads fine) would silently change every number built
    from it. A bad copy is fetched again from the mirror/URL; if that fails, the error says
    which file to delete."""
    path = Path(path)
    raw = _registered(path)
    problem = mismatch(path, raw) if path.is_file() else "missing"
    if problem is None:
        return path
    print(f"{path}: local copy of {raw.name} is corrupt ({problem}); fetching it again",
          file=sys.stderr)
    try:
        fetch(raw.name, path, mirror)
    except DlreproError as exc:
        raise DlreproError(f"{path}: local copy of {raw.name} is corrupt ({problem}) and could "
                           f"not be fetched again ({exc}). Delete it (rm {path}) and rerun when "
                           f"the mirror or network is back") from None
    return path
