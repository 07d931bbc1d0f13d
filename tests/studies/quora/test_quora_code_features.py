"""The linked code's feature kinds (code_features.py) against literal re-runs of its scripts'
lines (2_tf_idf_vec.py, 3_word2vec_train.py, utils.py), and its split."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from dlrepro.core.determinism import stream_seed
from dlrepro.errors import DlreproError
from dlrepro.studies.quora import code_features as C
from dlrepro.studies.quora import features as F

TOL = 1e-5
TEXTS = [
    "How do I learn Python quickly?",
    "What is the best way to learn python?",
    "Why is the sky blue? Why not green?",
    "What's the capital of France?",
    "Is Paris the capital of France?",
    "How can I learn Python in 10 days?",
    "qzxqzx vbnvbn café",
    "Why do cats purr?",
]
OURS = {"fit_on": "train", "tokens": "spacy", "lowercase": True, "pool": "mean"}
CODE_TFIDF = {"fit_on": "all", "tokens": "sklearn", "lowercase": False, "pool": "sum"}
CODE_W2V = {
    "fit_on": "all",
    "min_count": 1,
    "epochs": 2,
    "window": 5,
    "negative": 20,
    "unit_vectors": True,
    "units": "characters",
}


def params(**over) -> dict:
    code = {"split": {"kind": "prepared", "test_fraction": 0.12}, "tfidf": CODE_TFIDF,
            "word2vec": CODE_W2V, **over}  # fmt: skip
    return {"code": code}


@pytest.fixture(scope="module")
def nlp():
    return F.load_nlp()


@pytest.fixture(scope="module")
def tokens(nlp):
    return F.tokenize(nlp, TEXTS)


def pairs() -> pd.DataFrame:
    n = len(TEXTS) // 2
    return pd.DataFrame(
        {
            "question1": TEXTS[:n],
            "question2": TEXTS[n:],
            "is_duplicate": [1, 0, 0, 1],
        }
    )


# ----------------------------------------------------------------------------- spacy + tf-idf


def test_our_options_give_our_spacy_tfidf_to_the_bit(nlp, tokens):
    fit = np.arange(len(TEXTS)) % 3 != 0
    ours = C.tfidf_code_vectors(nlp, tokens, TEXTS, fit, OURS)
    reference = F.tfidf_vectors(nlp, tokens, F.fit_idf(tokens.word_lists(fit)))
    assert ours.tobytes() == reference.tobytes()


def script_tfidf(nlp, texts: list[str]) -> np.ndarray:
    """2_tf_idf_vec.py's lines (python 3 spelling): idf of every question, summed vectors."""
    tfidf = TfidfVectorizer(lowercase=False)
    tfidf.fit_transform(texts)
    word2tfidf = dict(zip(tfidf.get_feature_names_out(), tfidf.idf_))
    vecs = []
    for qu in texts:
        doc = nlp(qu)
        mean_vec = np.zeros([len(doc), 300])
        for word in doc:
            vec = word.vector
            try:
                idf = word2tfidf[str(word)]
            except KeyError:
                idf = 0
            mean_vec += vec * idf
        vecs.append(mean_vec.mean(axis=0))
    return np.stack(vecs)


def test_code_options_give_the_scripts_vectors(nlp, tokens):
    fit = np.zeros(len(TEXTS), dtype=bool)  # fit_on all: the split does not matter
    ours = C.tfidf_code_vectors(nlp, tokens, TEXTS, fit, CODE_TFIDF)
    assert np.abs(ours - script_tfidf(nlp, TEXTS)).max() < TOL
    # case-sensitive: "Python" and "python" weigh differently; summed: not a mean
    mean = C.tfidf_code_vectors(nlp, tokens, TEXTS, fit, {**CODE_TFIDF, "pool": "mean"})
    assert np.abs(ours - mean).max() > 0.1


def test_each_tfidf_option_changes_the_vectors(nlp, tokens):
    fit = np.arange(len(TEXTS)) < 5
    base = C.tfidf_code_vectors(nlp, tokens, TEXTS, fit, CODE_TFIDF)
    for key, other in (("fit_on", "train"), ("tokens", "spacy"), ("lowercase", True)):
        changed = C.tfidf_code_vectors(nlp, tokens, TEXTS, fit, {**CODE_TFIDF, key: other})
        assert not np.allclose(changed, base), key


# ----------------------------------------------------------------------------- gensim + tf-idf


def test_mean_weighted_vectors_hand_example():
    table = np.array([[1.0, 0.0], [0.0, 1.0]])
    out = C.mean_weighted_vectors(
        [["a", "b", "c"], ["c"], [], ["a", "a"]], {"a": 0, "b": 1}, table, {"a": 2.0}, 5.0
    )
    # units without a vector (c) are left out of the mean; an unknown unit weighs the max idf
    assert out.tolist() == [[1.0, 2.5], [0.0, 0.0], [0.0, 0.0], [2.0, 0.0]]


def script_word2vec(texts: list[str], seed: int, opts: dict) -> np.ndarray:
    """3_word2vec_train.py + utils.TfidfEmbeddingVectorizer, literally (gensim 4 names)."""
    from gensim.models import Word2Vec
    from gensim.utils import tokenize

    questions = [list(tokenize(q, deacc=True, lower=True)) for q in texts]
    model = Word2Vec(questions, vector_size=300, workers=1, epochs=opts["epochs"],
                     negative=20, min_count=opts["min_count"], window=opts["window"],
                     seed=stream_seed(seed, "quora", "word2vec_code"))  # fmt: skip
    normed = model.wv.vectors / np.linalg.norm(model.wv.vectors, axis=1, keepdims=True)
    w2v = dict(zip(model.wv.index_to_key, normed))
    tfidf = TfidfVectorizer(analyzer=lambda x: x)
    tfidf.fit([list(tokenize(q, deacc=True)) for q in texts])
    max_idf = max(tfidf.idf_)
    word2weight = defaultdict(
        lambda: max_idf, [(w, tfidf.idf_[i]) for w, i in tfidf.vocabulary_.items()]
    )
    return np.array(
        [
            np.mean([w2v[w] * word2weight[w] for w in words if w in w2v] or [np.zeros(300)], axis=0)
            for words in texts  # transform(df['question1']): raw strings, so characters
        ]
    )


def test_word2vec_code_equals_the_script_and_iterates_characters():
    fit = np.ones(len(TEXTS), dtype=bool)
    ours = C.word2vec_code_vectors(TEXTS, fit, CODE_W2V, seed=3)
    assert np.abs(ours - script_word2vec(TEXTS, 3, CODE_W2V)).max() < TOL
    # characters: a question is the bag of its letters (order and spaces do not matter)
    swapped = C.word2vec_code_vectors(["abc de", "ed cba"] + TEXTS, np.ones(10, bool), CODE_W2V, 3)
    assert np.abs(swapped[0] - swapped[1]).max() < TOL
    tokens = C.word2vec_code_vectors(TEXTS, fit, {**CODE_W2V, "units": "tokens"}, seed=3)
    assert not np.allclose(tokens, ours)


def test_word2vec_code_is_bit_identical_for_a_seed():
    fit = np.ones(len(TEXTS), dtype=bool)
    a = C.word2vec_code_vectors(TEXTS, fit, CODE_W2V, seed=3)
    assert a.tobytes() == C.word2vec_code_vectors(TEXTS, fit, CODE_W2V, seed=3).tobytes()
    assert a.tobytes() != C.word2vec_code_vectors(TEXTS, fit, CODE_W2V, seed=4).tobytes()


# ----------------------------------------------------------------------------- split, pairs


def test_random_split_is_the_codes_88_12():
    mask = C.random_split(1000, 0.12, seed=5)
    assert mask.sum() == 880 and mask.dtype == bool
    assert np.array_equal(mask, C.random_split(1000, 0.12, seed=5))
    assert not np.array_equal(mask, C.random_split(1000, 0.12, seed=6))
    assert C.random_split(9, 0.12, seed=0).sum() == 7  # int(9 * 0.88)
    with pytest.raises(DlreproError, match="test_fraction"):
        C.random_split(10, 1.0, seed=0)


@pytest.mark.parametrize("kind", C.KINDS)
def test_pair_features_of_a_code_kind(nlp, kind):
    prepared = np.array([True, True, True, False])
    split = {"kind": "random", "test_fraction": 0.25}
    out = C.pair_features(kind, pairs(), prepared, params(split=split), seed=1, nlp=nlp)
    assert out["q1"].shape == out["q2"].shape == (4, 300) and out["q1"].dtype == np.float32
    assert out["y"].tolist() == [1, 0, 0, 1] and out["is_train"].sum() == 3
    expected = C.random_split(4, 0.25, stream_seed(1, "quora", "code_split"))
    assert np.array_equal(out["is_train"], expected)
    # fit_on all: the vectors do not depend on the split
    same = C.pair_features(kind, pairs(), prepared, params(), seed=1, nlp=nlp)
    assert np.array_equal(same["is_train"], prepared)
    assert out["q1"].tobytes() == same["q1"].tobytes()


@pytest.mark.parametrize(
    "over, match",
    [
        ({"split": {"kind": "stratified"}}, "split.kind"),
        ({"tfidf": {**CODE_TFIDF, "pool": "max"}}, "tfidf.pool"),
        ({"word2vec": {**CODE_W2V, "units": "bytes"}}, "units"),
        ({"word2vec": {"fit_on": "all"}}, "missing"),
    ],
)
def test_bad_code_options_raise(nlp, over, match):
    kind = "word2vec_code" if "word2vec" in over else "spacy_tfidf_code"
    with pytest.raises(DlreproError, match=match):
        C.pair_features(kind, pairs(), np.ones(4, bool), params(**over), seed=0, nlp=nlp)
    with pytest.raises(DlreproError, match="not a code kind"):
        C.pair_features("spacy", pairs(), np.ones(4, bool), params(), seed=0, nlp=nlp)
