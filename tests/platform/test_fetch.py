"""Unit tests for the raw-data registry and fetcher (dlrepro.data.fetch)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dlrepro.data import fetch
from dlrepro.data.fetch import REGISTRY, RawFile, resolve_mirror, verify
from dlrepro.errors import DlreproError

SHARED_RAW = Path(__file__).resolve().parents[3] / "shared" / "data" / "raw"
PAYLOAD = b"id\tquestion1\n1\thello?\n" * 50


def _register(
    monkeypatch,
    data: bytes = PAYLOAD,
    *,
    sha256: str | None = None,
    size: int | None = None,
    url: str | None = None,
) -> RawFile:
    raw = RawFile(
        "tiny",
        "tiny/tiny.tsv",
        len(data) if size is None else size,
        sha256 or hashlib.sha256(data).hexdigest(),
        url,
    )
    monkeypatch.setitem(REGISTRY, raw.name, raw)
    return raw


def _mirror(tmp_path: Path, data: bytes = PAYLOAD) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "tiny").mkdir(parents=True)
    (mirror / "tiny" / "tiny.tsv").write_bytes(data)
    return mirror


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# ----------------------------------------------------------------------------- registry


def test_registry_has_the_datasets_with_sha256_and_urls():
    assert {
        "quora_subset",
        "quora_full",
        "mnist_train_images",
        "mnist_train_labels",
        "mnist_test_images",
        "mnist_test_labels",
    } <= set(REGISTRY)
    full = REGISTRY["quora_full"]
    assert (full.relpath, full.size) == ("quora/quora_duplicate_questions.tsv", 58176133)
    assert full.url == "http://qim.fs.quoracdn.net/quora_duplicate_questions.tsv"
    assert REGISTRY["quora_subset"].url is None
    for raw in REGISTRY.values():
        assert len(raw.sha256) == 64 and int(raw.sha256, 16) >= 0
        assert raw.name.startswith("mnist") == raw.relpath.startswith("mnist/")


@pytest.mark.parametrize("name", [n for n in REGISTRY if n != "quora_full"])
def test_registry_matches_the_shared_mirror_files(name):
    """Sizes and hashes were copied from SOURCES.md: a typo would reject the real files."""
    raw = REGISTRY[name]
    if not (SHARED_RAW / raw.relpath).is_file():
        pytest.skip(f"{SHARED_RAW / raw.relpath} not present")
    assert verify(SHARED_RAW / raw.relpath, raw) == SHARED_RAW / raw.relpath


# ----------------------------------------------------------------------------- fetch


def test_fetch_copies_from_mirror_and_verifies(tmp_path, monkeypatch):
    _register(monkeypatch)
    dest = tmp_path / "data" / "raw" / "tiny.tsv"
    assert fetch.fetch("tiny", dest, _mirror(tmp_path)) == dest
    assert dest.read_bytes() == PAYLOAD
    assert _listing(dest.parent) == ["tiny.tsv"]  # no temp file left beside it


def test_wrong_sha256_names_file_and_hashes_and_leaves_nothing(tmp_path, monkeypatch):
    raw = _register(monkeypatch, sha256="0" * 64)
    dest = tmp_path / "out" / "tiny.tsv"
    with pytest.raises(DlreproError) as err:
        fetch.fetch("tiny", dest, _mirror(tmp_path))
    msg = str(err.value)
    assert str(dest) in msg and "tiny" in msg
    assert raw.sha256 in msg and hashlib.sha256(PAYLOAD).hexdigest() in msg
    assert not dest.exists() and _listing(dest.parent) == []


def test_wrong_size_is_reported_and_an_existing_dest_is_kept(tmp_path, monkeypatch):
    _register(monkeypatch, size=len(PAYLOAD) + 1)
    dest = tmp_path / "tiny.tsv"
    dest.write_bytes(b"previous good copy")
    with pytest.raises(
        DlreproError, match=rf"size {len(PAYLOAD)} bytes, expected {len(PAYLOAD) + 1}"
    ):
        fetch.fetch("tiny", dest, _mirror(tmp_path))
    assert dest.read_bytes() == b"previous good copy"
    assert _listing(tmp_path) == ["mirror", "tiny.tsv"]


def test_missing_in_mirror_without_url_says_where_it_looked(tmp_path, monkeypatch):
    _register(monkeypatch)
    mirror = tmp_path / "empty_mirror"
    mirror.mkdir()
    with pytest.raises(DlreproError) as err:
        fetch.fetch("tiny", tmp_path / "d" / "tiny.tsv", mirror)
    assert str(mirror / "tiny" / "tiny.tsv") in str(err.value)
    assert "no download URL" in str(err.value)
    assert not (tmp_path / "d" / "tiny.tsv").exists()


def test_no_mirror_and_failing_download_is_a_clear_error(tmp_path, monkeypatch):
    _register(monkeypatch, url=(tmp_path / "nowhere.tsv").as_uri())
    with pytest.raises(DlreproError, match=r"no mirror configured.*downloading file:.*failed"):
        fetch.fetch("tiny", tmp_path / "tiny.tsv", None)
    assert _listing(tmp_path) == []


def test_download_used_when_mirror_lacks_the_file_and_is_verified(tmp_path, monkeypatch):
    source = tmp_path / "server" / "tiny.tsv"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    _register(monkeypatch, url=source.as_uri())
    dest = tmp_path / "dest" / "tiny.tsv"
    fetch.fetch("tiny", dest, tmp_path / "no_such_mirror")
    assert dest.read_bytes() == PAYLOAD
    source.write_bytes(PAYLOAD[:-1] + b"!")  # same size, different bytes
    with pytest.raises(DlreproError, match="sha256"):
        fetch.fetch("tiny", tmp_path / "dest2" / "tiny.tsv", None)
    assert not (tmp_path / "dest2" / "tiny.tsv").exists()


def test_unknown_name_lists_known_ones(tmp_path):
    with pytest.raises(DlreproError, match="quora_subset"):
        fetch.fetch("quora_ful", tmp_path / "x", None)


def test_verify_alone_rejects_changed_and_missing_files(tmp_path, monkeypatch):
    raw = _register(monkeypatch)
    path = tmp_path / "tiny.tsv"
    path.write_bytes(PAYLOAD)
    assert verify(path, raw) == path
    path.write_bytes(PAYLOAD.replace(b"hello", b"HELLO"))
    with pytest.raises(DlreproError, match=rf"{path}.*sha256"):
        verify(path, raw)
    with pytest.raises(DlreproError, match="missing"):
        verify(tmp_path / "absent.tsv", raw)


# ----------------------------------------------------------------------------- mirror setting


def test_env_var_overrides_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREPRO_MIRROR", str(tmp_path / "from_env"))
    assert resolve_mirror("../shared/data/raw") == tmp_path / "from_env"


def test_relative_setting_resolves_against_cwd_and_none_without_either(tmp_path, monkeypatch):
    monkeypatch.delenv("DLREPRO_MIRROR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_mirror("sub/raw") == tmp_path.resolve() / "sub" / "raw"
    assert resolve_mirror(None) is None
    monkeypatch.setenv("DLREPRO_MIRROR", "rel_env")
    assert resolve_mirror(None) == tmp_path.resolve() / "rel_env"


def test_fetch_through_env_mirror(tmp_path, monkeypatch):
    _register(monkeypatch)
    monkeypatch.setenv("DLREPRO_MIRROR", str(_mirror(tmp_path)))
    dest = tmp_path / "dest.tsv"
    fetch.fetch("tiny", dest, resolve_mirror(str(tmp_path / "not_this_one")))
    assert dest.read_bytes() == PAYLOAD
