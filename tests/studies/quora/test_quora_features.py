"""Unit tests for the Quora question vectors: the vectorised ways equal the per-question ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlrepro.data import quora
from dlrepro.errors import DlreproError
from dlrepro.studies.quora import features as F

REAL = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "raw"
    / "quora"
    / "quora_question_pairs_subset.tsv.gz"
)
TOL = 1e-5
W2V = {"word2vec": {"min_count": 1, "epochs": 2, "window": 5}, "max_len": 12}


@pytest.fixture(scope="module")
def nlp():
    return F.load_nlp()


@pytest.fixture(scope="module")
def pairs() -> pd.DataFrame:
    """150 real pairs: CoreNLP-tokenised BiMPM rows and raw-text rows, plus edge cases."""
    if REAL.is_file():
        df = quora.read_pairs(REAL)
        df = pd.concat([df.iloc[:100], df.iloc[-50:]], ignore_index=True)
    else:  # still meaningful without the mirror, just less varied
        df = pd.DataFrame(
            {
                "pair_id": [str(i) for i in range(150)],
                "question1": [f"What is the capital of country number {i}?" for i in range(150)],
                "question2": [f"How do I learn Python in {i} days?" for i in range(150)],
                "is_duplicate": [i % 2 for i in range(150)],
                "source": "bimpm_dev",
            }
        )
    extra = pd.DataFrame(
        {
            "pair_id": ["e1", "e2"],
            "question1": ["", "qzxqzx vbnvbn ?"],
            "question2": ["Why? Why? Why not", "  "],
            "is_duplicate": [0, 1],
            "source": "bimpm_dev",
        }
    )
    return pd.concat([df, extra], ignore_index=True)


@pytest.fixture(scope="module")
def texts(pairs) -> list[str]:
    return pairs["question1"].tolist() + pairs["question2"].tolist()


@pytest.fixture(scope="module")
def tokens(nlp, texts):
    return F.tokenize(nlp, texts)


def _is_train(n: int) -> np.ndarray:
    return np.arange(n) % 4 != 0


# ----------------------------------------------------------------------------- tokens


def test_load_nlp_is_tokenizer_and_vectors_only(nlp):
    assert nlp.pipe_names == []
    assert nlp.vocab.vectors.shape == (20_000, 300)


def test_tokens_match_spacy_tokens(nlp, texts, tokens):
    assert tokens.n == len(texts) and tokens.offsets[0] == 0
    for i in (0, 5, 101, len(texts) - 1):
        doc = nlp(texts[i])
        a, b = tokens.offsets[i], tokens.offsets[i + 1]
        assert tokens.orth[a:b].tolist() == [t.orth for t in doc]
        assert tokens.words[tokens.lower[a:b]].tolist() == [t.lower_ for t in doc]
        assert tokens.rows[a:b].tolist() == [nlp.vocab.vectors.find(key=t.orth) for t in doc]
    assert tokens.orth.dtype == np.uint64 and tokens.rows.dtype == np.int32
    assert (tokens.rows == -1).any()  # the fixture has out-of-vocabulary tokens


# ----------------------------------------------------------------------------- (b) spacy


def test_spacy_vectors_equal_doc_vector(nlp, texts, tokens):
    ours = F.spacy_vectors(nlp, tokens)
    ref = np.stack([nlp(t).vector for t in texts])
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 300)
    assert np.abs(ours - ref).max() < TOL
    assert not np.any(ours[len(texts) // 2 - 2])  # the empty question: zero vector, not NaN


def test_row_blocks_do_not_change_the_result(nlp, tokens, monkeypatch):
    whole = F.spacy_vectors(nlp, tokens)
    monkeypatch.setattr(F, "ROW_BLOCK", 7)  # many blocks, the last one partial
    assert np.array_equal(F.spacy_vectors(nlp, tokens), whole)


# ----------------------------------------------------------------------------- (c) spacy_tfidf


def test_fit_idf_is_sklearn_smoothed_idf():
    idf = F.fit_idf([["a", "b", "a"], ["a"], ["c"]])
    assert idf["a"] == pytest.approx(np.log(4 / 3) + 1)
    assert idf["b"] == pytest.approx(np.log(4 / 2) + 1)
    assert set(idf) == {"a", "b", "c"}


def test_tfidf_vectors_equal_the_naive_loop(nlp, texts, tokens):
    idf = F.fit_idf(tokens.word_lists(np.arange(tokens.n) % 3 != 0))  # some words get no idf
    ours = F.tfidf_vectors(nlp, tokens, idf)
    ref = F.naive_tfidf_vectors(nlp, texts, idf)
    assert np.abs(ours - ref).max() < TOL
    assert np.abs(ours - F.spacy_vectors(nlp, tokens)).max() > 0.01  # weighting does something


def test_tfidf_pair_features_fit_idf_on_training_questions_only(nlp, pairs, texts):
    is_train = _is_train(len(pairs))
    out = F.pair_features("spacy_tfidf", pairs, is_train, W2V, seed=0, nlp=nlp)
    train_q = [t for t, k in zip(texts, np.concatenate([is_train, is_train])) if k]
    idf = F.fit_idf(F.tokenize(nlp, train_q).word_lists())
    ref = F.naive_tfidf_vectors(nlp, texts, idf)
    n = len(pairs)
    assert np.abs(out["q1"] - ref[:n]).max() < TOL and np.abs(out["q2"] - ref[n:]).max() < TOL


# ----------------------------------------------------------------------------- (a) word2vec


def test_word2vec_is_bit_identical_for_a_seed_and_a_mean_over_all_tokens(nlp, pairs):
    is_train = _is_train(len(pairs))
    a = F.pair_features("word2vec", pairs, is_train, W2V, seed=7, nlp=nlp)
    b = F.pair_features("word2vec", pairs, is_train, W2V, seed=7, nlp=nlp)
    c = F.pair_features("word2vec", pairs, is_train, W2V, seed=8, nlp=nlp)
    assert a["q1"].tobytes() == b["q1"].tobytes() and a["q2"].tobytes() == b["q2"].tobytes()
    assert not np.array_equal(a["q1"], c["q1"])
    assert a["q1"].shape == (len(pairs), 300) and a["q1"].dtype == np.float32


def test_word2vec_vectors_reference(nlp):
    tokens = F.tokenize(nlp, ["the cat sat", "the dog sat on the mat", "zebra the"])
    model = F.train_word2vec(
        tokens.word_lists(np.array([True, True, False])), W2V["word2vec"], seed=1
    )
    out = F.word2vec_vectors(model, tokens)
    wv = model.wv
    assert np.allclose(out[0], (wv["the"] + wv["cat"] + wv["sat"]) / 3, atol=TOL)
    assert np.allclose(out[2], wv["the"] / 2, atol=TOL)  # "zebra" is not in training: zero vector
    with pytest.raises(DlreproError, match="min_count"):
        F.train_word2vec([["a"]], {**W2V["word2vec"], "min_count": 5}, seed=1)


# ----------------------------------------------------------------------------- shapes, sequences


@pytest.mark.parametrize("kind", ["spacy", "spacy_tfidf"])
def test_pair_features_shapes(nlp, pairs, kind):
    is_train = _is_train(len(pairs))
    out = F.pair_features(kind, pairs, is_train, W2V, seed=0, nlp=nlp)
    n = len(pairs)
    assert out["q1"].shape == out["q2"].shape == (n, 300) and out["q1"].dtype == np.float32
    assert out["y"].dtype == np.int64 and out["y"].tolist() == pairs["is_duplicate"].tolist()
    assert out["is_train"].dtype == bool and np.array_equal(out["is_train"], is_train)
    assert np.isfinite(out["q1"]).all() and np.isfinite(out["q2"]).all()
    if kind == "spacy":
        ref = np.stack([nlp(t).vector for t in pairs["question2"]])
        assert np.abs(out["q2"] - ref).max() < TOL  # q2 is the second half, in pair order


def test_sequences_padding_truncation_and_table(nlp):
    tokens = F.tokenize(nlp, ["How do I qzxqzx ?", "", " ".join(["word"] * 20)])
    ids, lengths = F.sequences(tokens, max_len=8)
    table = F.embedding_table(nlp)
    assert ids.dtype == np.int32 and ids.shape == (3, 8) and lengths.tolist() == [5, 0, 8]
    assert table.shape == (20_001, 300) and table.dtype == np.float32 and not table[0].any()
    doc = nlp("How do I qzxqzx ?")
    assert ids[0, 3] == 0 and (ids[0, [0, 1, 2, 4]] > 0).all()  # OOV -> 0, known -> row + 1
    assert np.array_equal(table[ids[0, :5]], np.stack([t.vector for t in doc]))
    assert (ids[0, 5:] == 0).all() and (ids[1] == 0).all()  # padding
    assert (ids[2] == ids[2, 0]).all() and ids[2, 0] > 0  # truncated to max_len


def test_pair_features_sequences(nlp, pairs):
    out = F.pair_features("sequences", pairs, _is_train(len(pairs)), W2V, seed=0, nlp=nlp)
    n = len(pairs)
    assert out["q1_ids"].shape == out["q2_ids"].shape == (n, 12) and out["q1_ids"].dtype == np.int32
    assert out["q1_len"].max() <= 12 and out["embeddings"].shape == (20_001, 300)


def test_bad_arguments(nlp, pairs):
    with pytest.raises(DlreproError, match="kind"):
        F.pair_features("glove", pairs, _is_train(len(pairs)), W2V, seed=0, nlp=nlp)
    with pytest.raises(DlreproError, match="is_train"):
        F.pair_features("spacy", pairs, _is_train(3), W2V, seed=0, nlp=nlp)
    with pytest.raises(DlreproError, match="word2vec"):
        F.pair_features("word2vec", pairs, _is_train(len(pairs)), {"max_len": 3}, seed=0, nlp=nlp)
