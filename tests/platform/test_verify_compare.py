"""verify's comparison of a rebuild with dvc.lock: wall-clock measurements are not failures."""

from __future__ import annotations

import hashlib

from dlrepro.verify import compare


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_measurements_are_set_apart_and_real_differences_are_not(tmp_path):
    files = {
        "results/selu/timing.json": b'{"s": 12.1}',
        "results/selu/models/relu/timing.json": b"1",
        "results/selu/metrics.json": b"{}",
        "results/selu/table.csv": b"a\n",
    }
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    lock = {p: ("stage", _md5(b"locked bytes")) for p in files}
    lock["results/selu/table.csv"] = ("stage", _md5(b"a\n"))
    lock["results/selu/figures/x.png"] = ("stage", _md5(b"png"))
    result = compare(lock, tmp_path, full=True)
    assert result["measured"] == [
        "results/selu/models/relu/timing.json",
        "results/selu/timing.json",
    ]
    assert result["differ"] == ["results/selu/metrics.json"]
    assert result["match"] == ["results/selu/table.csv"]
    assert result["missing"] == ["results/selu/figures/x.png"]
