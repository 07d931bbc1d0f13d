"""Quora Question Pairs: reader, source selection, cleaning, the post's "data quirks", split.

Two layouts are read (../shared/data/raw/SOURCES.md):
- the mirror subset `quora_question_pairs_subset.tsv.gz`: columns source, id, qid1, qid2,
  question1, question2, is_duplicate, text_format; UTF-8, tab-separated, NO quoting (a question
  may start with a double quote that is part of the text);
- the full release `quora_duplicate_questions.tsv`: id, qid1, qid2, question1, question2,
  is_duplicate; it uses csv double-quote quoting (some questions span lines), so it is
  recognised by its exact header and read with the csv module's default quoting.

Parsing goes line by line through the csv module (not pandas.read_csv) so that every problem
is reported as a DlreproError with the file and the 1-based line number (header = line 1),
never as a raw traceback of whichever layer (gzip, UTF-8, csv) happened to notice it.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np
import pandas as pd

from dlrepro.errors import DlreproError

FULL_HEADER = ("id", "qid1", "qid2", "question1", "question2", "is_duplicate")
REQUIRED = ("id", "question1", "question2", "is_duplicate")
COLUMNS = ("pair_id", "question1", "question2", "is_duplicate", "source")
FULL_SOURCE = "full"  # `source` of every row of the full release (it has no such column)
SOURCES = ("bimpm", "subset_all", "full")


def _fail(path: Path, line: int, what: str) -> DlreproError:
    return DlreproError(f"{path}: line {line}: {what}")


def _open(path: Path) -> BinaryIO:
    """Binary handle, gunzipping by suffix; decoding happens per line so errors know the line."""
    try:
        return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    except OSError as exc:
        raise DlreproError(f"{path}: cannot open ({exc.strerror or exc})") from exc


def _lines(path: Path, fh: BinaryIO) -> Iterator[str]:
    """Decoded lines (newline kept, as csv wants). gzip only fails once it is read, so here."""
    lineno = 0
    try:
        for lineno, raw in enumerate(fh, start=1):
            try:  # utf-8-sig on line 1: a BOM must not become part of the first column name
                yield raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise _fail(path, lineno, f"invalid UTF-8 (byte {exc.start}: {exc.reason})") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _fail(path, lineno + 1, f"truncated or corrupt gzip ({exc})") from exc
    except OSError as exc:
        raise _fail(path, lineno + 1, f"read error ({exc})") from exc


def _split(line: str, quoting: int) -> list[str]:
    return next(csv.reader([line], delimiter="\t", quoting=quoting), [])


def _header(path: Path, line: str) -> tuple[list[str], int]:
    """Column names and the quoting rule: csv quoting only for the full release's exact header."""
    try:
        names = _split(line, csv.QUOTE_MINIMAL)
        if tuple(names) == FULL_HEADER:
            return names, csv.QUOTE_MINIMAL
        names = _split(line, csv.QUOTE_NONE)
    except csv.Error as exc:
        raise _fail(path, 1, f"unreadable header ({exc})") from exc
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        shown = repr(names)[:200]
        raise _fail(path, 1, f"missing required column(s) {', '.join(missing)} (header: {shown})")
    return names, csv.QUOTE_NONE


def _label(path: Path, line: int, value: str) -> int:
    if value.strip() not in ("0", "1"):
        raise _fail(path, line, f"is_duplicate must be 0 or 1, got {value[:50]!r}")
    return int(value)


def _records(path: Path, lines: Iterator[str], names: list[str], quoting: int) -> dict[str, list]:
    """Column lists of the data rows, checking each row's field count and label."""
    pos = {c: names.index(c) for c in (*REQUIRED, "source") if c in names}
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    reader = csv.reader(lines, delimiter="\t", quoting=quoting)
    try:
        for row in reader:
            line = reader.line_num + 1  # the header was read before the reader started
            if not row:
                continue  # a blank line carries no pair
            if len(row) != len(names):
                raise _fail(path, line, f"{len(row)} fields, expected {len(names)} ({', '.join(names)})")
            cols["pair_id"].append(row[pos["id"]])
            cols["question1"].append(row[pos["question1"]])
            cols["question2"].append(row[pos["question2"]])
            cols["is_duplicate"].append(_label(path, line, row[pos["is_duplicate"]]))
            cols["source"].append(row[pos["source"]] if "source" in pos else FULL_SOURCE)
    except csv.Error as exc:
        raise _fail(path, reader.line_num + 1, f"malformed TSV ({exc})") from exc
    return cols


def read_pairs(path: Path | str) -> pd.DataFrame:
    """Question pairs: pair_id, question1, question2 (str, missing -> ""), is_duplicate (int 0/1),
    source (str; "full" for the full release). Plain or .gz by suffix; either layout."""
    path = Path(path)
    with _open(path) as fh:
        lines = _lines(path, fh)
        first = next(lines, None)
        if first is None:
            raise DlreproError(f"{path}: empty file (no header line)")
        names, quoting = _header(path, first)
        cols = _records(path, lines, names, quoting)
    if not cols["pair_id"]:
        raise DlreproError(f"{path}: no data rows after the header")
    frame = pd.DataFrame({c: cols[c] for c in COLUMNS})
    frame["is_duplicate"] = frame["is_duplicate"].astype(np.int64)
    return frame


def select_source(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rows of one params `quora.data.source`: bimpm = the 20,000 balanced BiMPM dev+test rows
    (offline default), subset_all = every subset row, full = everything (the full release)."""
    if source == "bimpm":
        keep = df["source"].str.startswith("bimpm_")
    elif source == "subset_all":
        keep = df["source"] != FULL_SOURCE
    elif source == "full":
        keep = pd.Series(True, index=df.index)
    else:
        raise DlreproError(f"quora.data.source: {source!r} is not one of {', '.join(SOURCES)}")
    out = df[keep].reset_index(drop=True)
    if out.empty:
        raise DlreproError(f"quora.data.source: no rows for {source!r} in this file "
                           f"(its sources: {', '.join(sorted(df['source'].unique()))})")
    return out


def _lengths(df: pd.DataFrame) -> pd.Series:
    """Stripped character length of every question, question1 and question2 together."""
    return pd.concat([df["question1"], df["question2"]], ignore_index=True).str.strip().str.len()


def clean(df: pd.DataFrame, min_chars: int) -> pd.DataFrame:
    """Drop pairs where either stripped question is shorter than `min_chars` (the post used 10:
    "if any of the pairs is shorter than 10 characters, they do not make sense")."""
    short1 = df["question1"].str.strip().str.len() < min_chars
    short2 = df["question2"].str.strip().str.len() < min_chars
    return df[~(short1 | short2)].reset_index(drop=True)


def _summary(df: pd.DataFrame) -> dict[str, float]:
    n = len(df)
    pos = int(df["is_duplicate"].sum())
    lengths = _lengths(df)
    return {
        "pairs": n,
        "negative": n - pos,
        "positive": pos,
        "duplicate_rate": pos / n if n else float("nan"),
        "question_length_mean": float(lengths.mean()),
        "question_length_std": float(lengths.std()),  # pandas' ddof=1, as the post's pandas
        "question_length_min": int(lengths.min()) if n else float("nan"),
        "question_length_max": int(lengths.max()) if n else float("nan"),
    }


def quirks(raw: pd.DataFrame, cleaned: pd.DataFrame) -> pd.DataFrame:
    """The post's "Data Quirks" numbers before and after cleaning: quantity, raw, cleaned.

    Lengths are in characters over question1 and question2 together, stripped. The last row,
    pairs_dropped_short, counts the pairs `clean` removed (raw column; cleaned is 0 by definition).
    """
    before, after = _summary(raw), _summary(cleaned)
    rows = [(q, before[q], after[q]) for q in before]
    rows.append(("pairs_dropped_short", len(raw) - len(cleaned), 0))
    return pd.DataFrame(rows, columns=["quantity", "raw", "cleaned"], dtype=object)


def split_mask(y: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """is_train mask, stratified on y (scikit-learn's splitter), the same for the same seed.

    The post gives no split; a stratified seeded split keeps the class balance in both parts.
    `seed` is used as given: callers pass their named stream, stream_seed(seed, "quora", "split").
    """
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    if not 0 < test_fraction < 1:
        raise DlreproError(f"quora.data.test_fraction: {test_fraction} is not between 0 and 1")
    try:
        train, _ = train_test_split(np.arange(len(y)), test_size=test_fraction, stratify=y,
                                    random_state=seed)
    except ValueError as exc:  # too few rows of a class for the requested fraction
        raise DlreproError(f"quora.data.test_fraction: cannot split {len(y)} pairs ({exc})") from exc
    mask = np.zeros(len(y), dtype=bool)
    mask[train] = True
    return mask
