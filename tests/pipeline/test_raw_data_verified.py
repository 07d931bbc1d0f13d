"""Raw files are checked at every read, not only at fetch: a local copy changed since (a valid
.gz with one label flipped) is fetched again from the mirror before anything is built from it,
and when it cannot be, the error names the file to delete and nothing downstream is built."""

from __future__ import annotations

import gzip
import hashlib
import subprocess

import pytest
from conftest import SMOKE, copy_repo, snakemake, tool_env

from dlrepro.data.fetch import REGISTRY

MNIST_NPZ = "data/processed/mnist/mnist.npz"
LABELS = "data/raw/mnist/train-labels-idx1-ubyte.gz"
QUORA_PAIRS = "data/processed/quora/pairs.tsv"
QUORA_RAW = "data/raw/quora/quora_question_pairs_subset.tsv.gz"


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _flip_one_label(path):
    data = bytearray(gzip.decompress(path.read_bytes()))
    data[8] = (data[8] + 1) % 10  # the first label (after the 8-byte IDX header)
    path.write_bytes(gzip.compress(bytes(data)))


def _flip_duplicates(path, n=500):
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    column = lines[0].split("\t").index("is_duplicate")
    for i in range(1, n + 1):
        fields = lines[i].split("\t")
        fields[column] = str(1 - int(fields[column]))
        lines[i] = "\t".join(fields)
    path.write_bytes(gzip.compress("\n".join(lines).encode()))


@pytest.mark.parametrize(
    "target, raw, name, tamper",
    [
        (MNIST_NPZ, LABELS, "mnist_train_labels", _flip_one_label),
        (QUORA_PAIRS, QUORA_RAW, "quora_subset", _flip_duplicates),
    ],
)
def test_a_tampered_raw_copy_is_replaced_before_it_is_read(tmp_path, target, raw, name, tamper):
    repo = copy_repo(tmp_path / "repo")
    snakemake(repo, target, *SMOKE)
    built = _sha256(repo / target)
    tamper(repo / raw)
    assert _sha256(repo / raw) != REGISTRY[name].sha256

    proc = snakemake(repo, target, *SMOKE)
    assert f"{raw}: local copy of {name} is corrupt" in proc.stdout + proc.stderr
    assert _sha256(repo / raw) == REGISTRY[name].sha256
    assert _sha256(repo / target) == built


def test_without_a_source_the_error_says_which_file_to_delete(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    snakemake(repo, MNIST_NPZ, *SMOKE)
    _flip_one_label(repo / LABELS)
    empty = tmp_path / "no-mirror"
    empty.mkdir()
    env = {**tool_env(repo), "DLREPRO_MIRROR": str(empty)}
    proc = subprocess.run(
        ["snakemake", "--cores", "1", MNIST_NPZ, *SMOKE],
        cwd=repo, env=env, text=True, capture_output=True,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"Delete it (rm {LABELS}) and rerun" in out and "Traceback" not in out
    assert not (repo / MNIST_NPZ).exists()  # Snakemake removed the failed job's output
