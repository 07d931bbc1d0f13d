"""`quora.data.source: full` end to end on a fixture: a synthetic file in the full release's
layout (csv quoting, a question spanning two lines, a pair too short to keep), registered in
place of the real release and served from a temporary mirror. fetch -> prepare -> features
(ours and the linked code's) -> train -> evaluate run unchanged, in-process (seconds)."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from dlrepro.cli import main
from dlrepro.core import io
from dlrepro.data.fetch import REGISTRY, RawFile
from dlrepro.paths import ROOT, study_dir

N = 120
WORDS = ("python learn capital france sky blue cat dog purr best way fast money job "
         "city travel book read write code java phone buy car love music film").split()  # fmt: skip
KEEP = ("siamese_spacy_tfidf", "code_spacy_tfidf")  # one of ours, one set up as the code
TINY = "quora: {runs: 1, training: {epochs: 1, hidden: 16}}\n"


def release(n: int = N, seed: int = 0) -> str:
    """The release's header and quoting; 37% duplicates, as the real file."""
    rng = np.random.default_rng(seed)
    lines = ["id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate"]
    for i in range(n):
        q1 = "What is the " + " ".join(rng.choice(WORDS, 5)) + "?"
        dup = int(rng.random() < 0.37)
        q2 = (
            q1.replace("What is", "Which is")
            if dup
            else "How do I " + " ".join(rng.choice(WORDS, 5)) + "?"
        )
        if i == 3:
            q1 = '"Quoted ""word"" and a\nsecond line in one question?"'
        if i == 7:
            q2 = "Why?"  # shorter than min_chars: dropped
        lines.append(f"{i}\t{2 * i + 1}\t{2 * i + 2}\t{q1}\t{q2}\t{dup}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def full_project(tmp_path, monkeypatch):
    """A scratch project whose params read the full release and train only KEEP, and a mirror
    holding the fixture, registered (size, sha256) as the release."""
    shutil.copy(ROOT / "params.yaml", tmp_path)
    shutil.copytree(ROOT / "params", tmp_path / "params")
    params = yaml.safe_load((tmp_path / "params/quora.yaml").read_text())
    params["quora"]["data"]["source"] = "full"
    params["quora"]["variants"] = {k: params["quora"]["variants"][k] for k in KEEP}
    (tmp_path / "params/quora.yaml").write_text(yaml.safe_dump(params))
    (tmp_path / "tiny.yaml").write_text(TINY)
    data = release().encode("utf-8")
    raw = REGISTRY["quora_full"]
    (tmp_path / "mirror" / raw.relpath).parent.mkdir(parents=True)
    (tmp_path / "mirror" / raw.relpath).write_bytes(data)
    fixture = RawFile(raw.name, raw.relpath, len(data), hashlib.sha256(data).hexdigest(), None)
    monkeypatch.setitem(REGISTRY, raw.name, fixture)
    monkeypatch.setenv("DLREPRO_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv: str) -> None:
    assert main(["--params", "tiny.yaml", *argv]) == 0, argv


def test_full_release_runs_through_data_features_train_and_evaluate(full_project):
    raw = f"data/raw/{REGISTRY['quora_full'].relpath}"
    pairs = "data/processed/quora/pairs.tsv"
    run("quora", "fetch", "--name", "quora_full", "--out", raw)
    run("quora", "prepare", "--raw", raw, "--claims", str(study_dir("quora") / "claims.yaml"),
        "--pairs", pairs, "--quirks", "results/quora/quirks.csv")  # fmt: skip
    table = pd.read_csv(pairs, sep="\t", keep_default_na=False, dtype={"question1": str})
    assert len(table) == N - 1  # the short pair is dropped
    assert 'Quoted "word" and a\nsecond line' in table.loc[3, "question1"]
    quirks = pd.read_csv("results/quora/quirks.csv").set_index("quantity")
    assert int(quirks.loc["pairs", "raw"]) == N and int(quirks.loc["pairs", "post"]) == 404351
    features = "data/processed/quora/features_{}.npz"
    for kind in ("spacy_tfidf", "spacy_tfidf_code"):
        run("quora", "features", "--kind", kind, "--pairs", pairs, "--out", features.format(kind))
    with np.load(features.format("spacy_tfidf_code")) as f:
        assert f["q1"].shape == (N - 1, 300) and f["is_train"].sum() == int((N - 1) * 0.88)
    weights = []
    for variant in KEEP:
        kind = "spacy_tfidf_code" if variant.startswith("code_") else "spacy_tfidf"
        out = f"results/quora/models/{variant}/0"
        run("quora", "train", "--variant", variant, "--run", "0",
            "--features", features.format(kind), "--weights", f"{out}/weights.pt",
            "--metrics", f"{out}/metrics.json", "--history", f"{out}/history.csv")  # fmt: skip
        weights.append(f"{out}/weights.pt")
    run("quora", "evaluate", "--weights", *weights,
        "--features", features.format("spacy_tfidf"), features.format("spacy_tfidf_code"),
        "--evaluation", "results/quora/evaluation.json",
        "--predictions", "results/quora/predictions.npz")  # fmt: skip
    records = {r["variant"]: r for r in io.read_json("results/quora/evaluation.json")["runs"]}
    assert records["code_spacy_tfidf"]["split"] == "random"
    assert records["siamese_spacy_tfidf"]["split"] == "prepared"
    for variant in KEEP:
        trained = json.loads(
            (full_project / f"results/quora/models/{variant}/0/metrics.json").read_text()
        )
        own = records[variant]["bn_test"]
        assert records[variant][own]["test_acc"] == trained["test_acc"]
