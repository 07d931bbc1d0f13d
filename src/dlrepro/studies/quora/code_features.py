"""The linked code's features (github.com/erogol/QuoraDQBaseline), as two more feature kinds.

The post links its repository; its scripts differ from what the post's text describes and
from our default kinds (features.py) in ways the study offers as params (`quora.features.code`,
read only by these kinds, so the default kinds never change):

  spacy_tfidf_code  2_tf_idf_vec.py: scikit-learn's TfidfVectorizer(lowercase=False) fitted on
                    ALL questions (train and test) with its own word pattern; each spaCy token
                    weighs the idf of its exact text (0 when absent); the weighted vectors are
                    SUMMED (the script adds w * vec to every row of a [tokens, 300] array and
                    then averages the identical rows). Options: fit_on (all | train), tokens
                    (sklearn | spacy: whose words the idf table holds), lowercase, pool (sum |
                    mean). {train, spacy, true, mean} is our spacy_tfidf, to the bit.
  word2vec_code     3_word2vec_train.py + utils.py: gensim word2vec (CBOW, negative=20,
                    min_count 5) trained on ALL questions tokenised by gensim (deaccented,
                    lowercased), vectors made unit length (init_sims(replace=True)), then
                    TfidfEmbeddingVectorizer: idf from the case-kept gensim tokens of all
                    questions (an unseen unit weighs the largest idf), and per question the
                    mean of idf * vector over the units that have a vector. The script hands
                    `transform` the raw question strings, so its units are the CHARACTERS of
                    each question (units: characters); units: tokens is the evident intent.

Both kinds can also draw the code's split: a random, unstratified permutation whose first
88% are the training pairs (`code.split`: kind random, test_fraction 0.12), instead of the
prepared stratified split (kind prepared). Each is one draw from the shared seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlrepro.core.determinism import stream_seed
from dlrepro.errors import DlreproError
from dlrepro.studies.quora import features as F

KINDS = ("spacy_tfidf_code", "word2vec_code")
SPLITS = ("prepared", "random")
TFIDF_KEYS = {
    "fit_on": ("all", "train"),
    "tokens": ("sklearn", "spacy"),
    "lowercase": (True, False),
    "pool": ("sum", "mean"),
}
UNITS = ("characters", "tokens")
WORD2VEC_KEYS = ("fit_on", "min_count", "epochs", "window", "negative", "unit_vectors", "units")


# ----------------------------------------------------------------------------- options


def _section(params: dict, key: str) -> dict:
    try:
        value = params["code"][key]
    except (KeyError, TypeError):
        raise DlreproError(f"quora.features.code: missing {key!r}") from None
    if not isinstance(value, dict):
        raise DlreproError(f"quora.features.code.{key}: expected a mapping, got {value!r}")
    return value


def _tfidf_options(params: dict) -> dict:
    opts = _section(params, "tfidf")
    for key, allowed in TFIDF_KEYS.items():
        if opts.get(key, object()) not in allowed:
            raise DlreproError(
                f"quora.features.code.tfidf.{key}: must be one of {list(allowed)}, "
                f"got {opts.get(key)!r}"
            )
    return opts


def _word2vec_options(params: dict) -> dict:
    opts = _section(params, "word2vec")
    missing = [k for k in WORD2VEC_KEYS if k not in opts]
    if missing:
        raise DlreproError(f"quora.features.code.word2vec: missing {missing}")
    if opts["fit_on"] not in ("all", "train") or opts["units"] not in UNITS:
        raise DlreproError(
            "quora.features.code.word2vec: fit_on must be all or train and units one of "
            f"{list(UNITS)}, got {opts['fit_on']!r}, {opts['units']!r}"
        )
    return opts


# ----------------------------------------------------------------------------- the split


def random_split(n: int, test_fraction: float, seed: int) -> np.ndarray:
    """is_train of the code's split: a random permutation, its first int(n * (1 - test_fraction))
    pairs train (the script: num_train = int(n * 0.88)); not stratified."""
    if not 0 < test_fraction < 1:
        raise DlreproError(
            f"quora.features.code.split.test_fraction: {test_fraction} not in (0, 1)"
        )
    order = np.random.default_rng(seed).permutation(n)
    mask = np.zeros(n, dtype=bool)
    mask[order[: int(n * (1 - test_fraction))]] = True
    if mask.all() or not mask.any():
        raise DlreproError(f"quora.features.code.split: cannot split {n} pairs")
    return mask


def code_split(prepared: np.ndarray, params: dict, seed: int) -> np.ndarray:
    """The split a code kind uses: the prepared one, or the code's random one."""
    split = _section(params, "split")
    if split.get("kind") == "prepared":
        return np.asarray(prepared, dtype=bool)
    if split.get("kind") == "random":
        return random_split(len(prepared), split.get("test_fraction", 0), seed)
    raise DlreproError(
        f"quora.features.code.split.kind: must be one of {list(SPLITS)}, got {split.get('kind')!r}"
    )


# ----------------------------------------------------------------------------- spacy + tf-idf


def _sklearn_idf(texts: list[str], lowercase: bool) -> dict[str, float]:
    """idf of scikit-learn's own words (token pattern \\b\\w\\w+\\b) in `texts`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(lowercase=lowercase)
    try:
        vectorizer.fit(texts)
    except ValueError as exc:
        raise DlreproError(f"quora features: cannot fit TF-IDF ({exc})") from exc
    return dict(zip(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_.tolist()))


def tfidf_code_vectors(
    nlp, tokens: F.Tokens, texts: list[str], fit: np.ndarray, opts: dict
) -> np.ndarray:
    """float32 [n, 300]: spaCy vectors weighted by idf, the options' way (module docstring).

    `texts` are the n questions `tokens` holds; `fit` (bool [n]) marks the training ones."""
    select = np.ones(len(texts), dtype=bool) if opts["fit_on"] == "all" else np.asarray(fit)
    if opts["lowercase"]:
        index, words = tokens.lower, tokens.words
    else:  # the token's exact text, as the script's str(word)
        index, words = F.key_strings(nlp, tokens.orth)
    if opts["tokens"] == "sklearn":
        idf = _sklearn_idf([t for t, s in zip(texts, select) if s], opts["lowercase"])
    else:
        flat = words[index].tolist()
        picked = np.flatnonzero(select)
        idf = F.fit_idf([flat[tokens.offsets[i] : tokens.offsets[i + 1]] for i in picked])
    weight = np.array([idf.get(w, 0.0) for w in words], dtype=np.float64)[index]
    return F.weighted_mean(tokens, tokens.rows, weight, nlp.vocab.vectors.data, opts["pool"])


# ----------------------------------------------------------------------------- gensim + tf-idf


def gensim_tokens(text: str, lower: bool) -> list[str]:
    """gensim.utils.tokenize(text, deacc=True, lower=lower), as the script tokenised."""
    from gensim.utils import tokenize

    return list(tokenize(text, deacc=True, lower=lower))


def _identity(units):
    return units


def tfidf_weights(token_lists: list[list[str]]):
    """TfidfEmbeddingVectorizer.fit (utils.py): idf per token, the largest idf for any other."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity)
    try:
        vectorizer.fit(token_lists)
    except ValueError as exc:
        raise DlreproError(f"quora features: cannot fit TF-IDF ({exc})") from exc
    idf = dict(zip(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_.tolist()))
    return idf, float(vectorizer.idf_.max())


def mean_weighted_vectors(
    unit_lists: list[list[str]], index: dict, table: np.ndarray, idf: dict, default_idf: float
) -> np.ndarray:
    """TfidfEmbeddingVectorizer.transform: per list, the mean of idf[u] * table[index[u]] over
    the units u that have a vector (zeros when none has); float32 [len(unit_lists), dim]."""
    q, cols, scale = [], [], []
    for i, units in enumerate(unit_lists):
        rows = [(index[u], idf.get(u, default_idf)) for u in units if u in index]
        q.extend([i] * len(rows))
        cols.extend(r for r, _ in rows)
        scale.extend(w / len(rows) for _, w in rows)
    return F.sparse_times_table(
        np.asarray(q, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(scale, dtype=np.float64),
        len(unit_lists),
        table,
    )


def word2vec_code_vectors(texts: list[str], fit: np.ndarray, opts: dict, seed: int) -> np.ndarray:
    """float32 [n, 300]: the script's gensim features (module docstring)."""
    from gensim.models import Word2Vec

    select = np.ones(len(texts), dtype=bool) if opts["fit_on"] == "all" else np.asarray(fit)
    fit_texts = [t for t, s in zip(texts, select) if s]
    try:
        model = Word2Vec(
            sentences=[gensim_tokens(t, lower=True) for t in fit_texts],
            vector_size=F.DIM,
            window=opts["window"],
            min_count=opts["min_count"],
            negative=opts["negative"],
            epochs=opts["epochs"],
            sg=0,
            workers=1,  # bit-identical runs (features.py's note on determinism)
            seed=stream_seed(seed, "quora", "word2vec_code"),
        )
    except RuntimeError as exc:
        raise DlreproError(f"quora features: word2vec_code has no vocabulary ({exc})") from exc
    table = np.asarray(model.wv.vectors, dtype=np.float64)
    if opts["unit_vectors"]:  # init_sims(replace=True)
        table = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    index = {w: i for i, w in enumerate(model.wv.index_to_key)}
    idf, default_idf = tfidf_weights([gensim_tokens(t, lower=False) for t in fit_texts])
    if opts["units"] == "characters":  # transform(df['question1']): iterating a str
        units = [list(t) for t in texts]
    else:
        units = [gensim_tokens(t, lower=True) for t in texts]
    return mean_weighted_vectors(units, index, table, idf, default_idf)


# ----------------------------------------------------------------------------- pairs


def pair_features(
    kind: str, df: pd.DataFrame, is_train: np.ndarray, params: dict, seed: int, nlp=None
) -> dict[str, np.ndarray]:
    """q1, q2 float32 [n, 300], y int64 [n] and is_train bool [n] (the kind's split) of a code
    kind; `params` is params.yaml's `quora.features`, `seed` the shared seed."""
    if kind not in KINDS:
        raise DlreproError(f"quora features: {kind!r} is not a code kind ({', '.join(KINDS)})")
    if len(is_train) != len(df):
        raise DlreproError(f"quora features: is_train has {len(is_train)} rows, pairs {len(df)}")
    n = len(df)
    train = code_split(is_train, params, stream_seed(seed, "quora", "code_split"))
    texts = pd.concat([df["question1"], df["question2"]]).tolist()
    both = np.concatenate([train, train])
    if kind == "spacy_tfidf_code":
        nlp = nlp if nlp is not None else F.load_nlp()
        tokens = F.tokenize(nlp, texts)
        vectors = tfidf_code_vectors(nlp, tokens, texts, both, _tfidf_options(params))
    else:
        vectors = word2vec_code_vectors(texts, both, _word2vec_options(params), seed)
    return {
        "y": df["is_duplicate"].to_numpy(dtype=np.int64),
        "is_train": train,
        "q1": vectors[:n],
        "q2": vectors[n:],
    }
