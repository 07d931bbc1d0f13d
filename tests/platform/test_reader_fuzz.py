"""Malformed raw input never escapes as a traceback: the Quora reader (dlrepro.data.quora)
either returns a well-formed table or raises DlreproError naming the file.

Extends test_quora_data.py (fixed malformed cases, random bytes, mutated valid files) with
structured fuzzing: random tables with random field counts, quotes and line ends, gzip of
random content, every truncation and every single-byte flip of a valid .gz, and the full
release's quoted layout. Plus the "TSV missing a column" case, which at pipeline level cannot
get past the sha256 check of the registered raw file (tests/pipeline/test_bad_input.py).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dlrepro.data import quora
from dlrepro.errors import DlreproError

SUBSET_HEADER = [
    "source",
    "id",
    "qid1",
    "qid2",
    "question1",
    "question2",
    "is_duplicate",
    "text_format",
]
ROWS = [
    [
        "bimpm_dev",
        "7",
        "",
        "",
        "How do I learn Python quickly ?",
        "What is the best way to learn Python ?",
        "1",
        "corenlp_tokenized",
    ],
    [
        "bimpm_test",
        "8",
        "",
        "",
        '"Quoted" start of a question ?',
        "Is 2 + 2 = 4 ?",
        "0",
        "corenlp_tokenized",
    ],
    ["semantic_sae_eval", "9", "17", "18", "Why is the sky blue?", "", "1", "raw"],
]
VALID = "".join("\t".join(r) + "\n" for r in [SUBSET_HEADER, *ROWS]).encode()
VALID_GZ = gzip.compress(VALID, mtime=0)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _read(path: Path) -> pd.DataFrame | None:
    """The reader's contract: a well-formed table, or DlreproError naming the file."""
    try:
        df = quora.read_pairs(path)
    except DlreproError as exc:
        assert str(path) in str(exc), str(exc)
        return None
    assert list(df.columns) == list(quora.COLUMNS)
    assert len(df) > 0 and df["is_duplicate"].dtype == np.int64
    assert set(df["is_duplicate"]) <= {0, 1}
    for col in ("pair_id", "question1", "question2", "source"):
        assert all(isinstance(v, str) for v in df[col]), col
    return df


def _write(tmp_path: Path, data: bytes, gz: bool) -> Path:
    path = tmp_path / ("fuzz.tsv.gz" if gz else "fuzz.tsv")
    path.write_bytes(data)
    return path


def _error(path: Path) -> str:
    with pytest.raises(DlreproError) as err:
        quora.read_pairs(path)
    assert str(path) in str(err.value)
    return str(err.value)


# ----------------------------------------------------------------------------- a missing column


def _drop_column(name: str, header=SUBSET_HEADER, rows=ROWS) -> bytes:
    i = header.index(name)
    return "".join("\t".join(r[:i] + r[i + 1 :]) + "\n" for r in [header, *rows]).encode()


@pytest.mark.parametrize("column", ["id", "question1", "question2", "is_duplicate"])
def test_gz_without_a_required_column_names_it_at_line_1(tmp_path, column):
    msg = _error(_write(tmp_path, gzip.compress(_drop_column(column), mtime=0), gz=True))
    assert "line 1: missing required column(s)" in msg and column in msg


def test_gz_row_missing_one_field_names_its_line_and_the_expected_columns(tmp_path):
    short = ROWS[1][:5] + ROWS[1][6:]  # question2 left out: one tab fewer
    data = "".join("\t".join(r) + "\n" for r in [SUBSET_HEADER, ROWS[0], short, ROWS[2]]).encode()
    msg = _error(_write(tmp_path, gzip.compress(data, mtime=0), gz=True))
    assert "line 3: 7 fields, expected 8 (source, id, qid1" in msg


def test_full_release_layout_without_a_column(tmp_path):
    header = list(quora.FULL_HEADER)
    rows = [["0", "1", "2", '"What is ""AI""?"', "What does AI mean?", "1"]]
    msg = _error(_write(tmp_path, _drop_column("question2", header, rows), gz=False))
    assert "line 1: missing required column(s) question2" in msg


# ----------------------------------------------------------------------------- structured fuzzing

# field text: printable, plus the characters that matter to a TSV reader
FIELD = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
        st.sampled_from(["\t", '"', "\r", "\n", "\x00", "\ufeff"]),
    ),
    max_size=12,
)
LABEL = st.sampled_from(["0", "1", " 1", "1 ", "2", "", "yes", "-1", "0.0"])
COLUMN_POOL = SUBSET_HEADER + ["extra", "id"]  # a duplicate name too


@st.composite
def tables(draw) -> bytes:
    header = draw(st.lists(st.sampled_from(COLUMN_POOL), min_size=0, max_size=9))
    lines = ["\t".join(header)]
    for _ in range(draw(st.integers(0, 6))):
        n = draw(st.one_of(st.just(len(header)), st.integers(0, 10)))
        fields = [
            draw(LABEL) if i < len(header) and header[i] == "is_duplicate" else draw(FIELD)
            for i in range(n)
        ]
        lines.append("\t".join(fields))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return (end.join(lines) + draw(st.sampled_from(["", end]))).encode("utf-8")


@FUZZ
@given(data=tables(), gz=st.booleans())
@example(data=VALID, gz=True)
def test_random_tables_give_a_table_or_dlrepro_error(tmp_path, data, gz):
    _read(_write(tmp_path, gzip.compress(data, mtime=0) if gz else data, gz))


PLAIN = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\t\r\n"),
    max_size=15,
)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(PLAIN, PLAIN, PLAIN, st.sampled_from(["0", "1"]), PLAIN), min_size=1, max_size=8
    ),
    gz=st.booleans(),
)
def test_well_formed_subset_tables_read_back_exactly(tmp_path, rows, gz):
    """No quoting in the subset layout: whatever the text (quotes, NUL, a BOM), it reads back."""
    lines = ["\t".join(SUBSET_HEADER)] + [
        "\t".join([source, pid, "", "", q1, q2, label, "raw"])
        for pid, q1, q2, label, source in rows
    ]
    data = ("\n".join(lines) + "\n").encode()
    df = _read(_write(tmp_path, gzip.compress(data, mtime=0) if gz else data, gz))
    assert df is not None
    assert df["pair_id"].tolist() == [r[0] for r in rows]
    assert df["question1"].tolist() == [r[1] for r in rows]
    assert df["question2"].tolist() == [r[2] for r in rows]
    assert df["is_duplicate"].tolist() == [int(r[3]) for r in rows]
    assert df["source"].tolist() == [r[4] for r in rows]


@FUZZ
@given(content=st.binary(max_size=600))
def test_gzip_of_random_content(tmp_path, content):
    """A valid gzip stream around random bytes: decoding and parsing errors only."""
    _read(_write(tmp_path, gzip.compress(content, mtime=0), gz=True))


@FUZZ
@given(prefix=st.binary(max_size=300))
def test_random_bytes_after_a_valid_header(tmp_path, prefix):
    """Past the header check, so the row parser sees the garbage."""
    _read(_write(tmp_path, VALID.split(b"\n")[0] + b"\n" + prefix, gz=False))


@FUZZ
@given(cut=st.integers(0, len(VALID_GZ) - 1))
def test_every_truncation_of_a_valid_gz_is_an_error(tmp_path, cut):
    """Never a shorter table: the gzip trailer (CRC32, length) is missing."""
    msg = _error(_write(tmp_path, VALID_GZ[:cut], gz=True))
    assert "truncated or corrupt gzip" in msg or "empty file" in msg, msg


@FUZZ
@given(pos=st.integers(0, len(VALID_GZ) - 1), mask=st.integers(1, 255))
def test_a_flipped_byte_in_a_valid_gz_is_an_error_or_changes_nothing(tmp_path, pos, mask):
    """Header bytes gzip ignores (mtime, OS) may change; any other flip must be detected,
    never read as different pairs."""
    data = bytearray(VALID_GZ)
    data[pos] ^= mask
    df = _read(_write(tmp_path, bytes(data), gz=True))
    if df is not None:
        original = tmp_path / "original.tsv.gz"
        original.write_bytes(VALID_GZ)
        assert df.equals(quora.read_pairs(original))


QUOTED = st.text(st.sampled_from(['"', "a", " ", "\t", "\n", "1", "0", "?"]), max_size=25)


@FUZZ
@given(fields=st.lists(QUOTED, min_size=1, max_size=12), gz=st.booleans())
def test_full_release_layout_with_random_quoting(tmp_path, fields, gz):
    """The full release is csv-quoted: unbalanced quotes and quoted newlines go to csv."""
    data = ("\t".join(quora.FULL_HEADER) + "\n" + "\t".join(fields) + "\n").encode()
    _read(_write(tmp_path, gzip.compress(data, mtime=0) if gz else data, gz))
