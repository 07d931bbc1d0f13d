"""Unit tests for the Quora reader, source selection, cleaning, quirks and split."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlrepro.data import quora
from dlrepro.errors import DlreproError

REAL = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "raw"
    / "quora"
    / "quora_question_pairs_subset.tsv.gz"
)
needs_real = pytest.mark.skipif(not REAL.is_file(), reason=f"{REAL} not present")

HEADER = "source\tid\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\ttext_format\n"
ROWS = [
    "bimpm_dev\t7\t\t\tHow do I learn Python quickly ?\tWhat is the best way to learn Python ?\t1\tcorenlp_tokenized\n",
    'bimpm_test\t8\t\t\t"Quoted" start of a question ?\tIs 2 + 2 = 4 ?\t0\tcorenlp_tokenized\n',
    "semantic_sae_eval\t9\t17\t18\tWhy is the sky blue?\t\t1\traw\n",
]
FULL = (
    "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"
    '0\t1\t2\tWhat is "AI"?\tWhat does AI mean?\t1\n'
    '1\t3\t4\t"A question ""quoted"" with a\nnewline inside"\tShort one here?\t0\n'
    "2\t5\t6\tLast question?\t\t0\n"
)


def _write(tmp_path: Path, text: str | bytes, name: str = "pairs.tsv") -> Path:
    path = tmp_path / name
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    return path


def _error(path: Path) -> str:
    with pytest.raises(DlreproError) as err:
        quora.read_pairs(path)
    msg = str(err.value)
    assert str(path) in msg, msg
    return msg


# ----------------------------------------------------------------------------- valid input


@pytest.mark.parametrize("name", ["pairs.tsv", "pairs.tsv.gz"])
def test_subset_layout(tmp_path, name):
    df = quora.read_pairs(_write(tmp_path, HEADER + "".join(ROWS), name))
    assert list(df.columns) == ["pair_id", "question1", "question2", "is_duplicate", "source"]
    assert df["pair_id"].tolist() == ["7", "8", "9"]
    assert df["source"].tolist() == ["bimpm_dev", "bimpm_test", "semantic_sae_eval"]
    assert df["is_duplicate"].dtype == np.int64 and df["is_duplicate"].tolist() == [1, 0, 1]
    assert df.loc[1, "question1"] == '"Quoted" start of a question ?'  # QUOTE_NONE: quote is text
    assert df.loc[2, "question2"] == ""


def test_full_release_layout_uses_csv_quoting(tmp_path):
    df = quora.read_pairs(_write(tmp_path, FULL, "quora_duplicate_questions.tsv"))
    assert df["source"].tolist() == ["full"] * 3
    assert df.loc[0, "question1"] == 'What is "AI"?'
    assert df.loc[1, "question1"] == 'A question "quoted" with a\nnewline inside'
    assert df.loc[2, "question2"] == "" and df["is_duplicate"].tolist() == [1, 0, 0]


@needs_real
def test_real_mirror_file():
    df = quora.read_pairs(REAL)
    assert len(df) == 34_042
    bimpm = quora.select_source(df, "bimpm")
    assert len(bimpm) == 20_000 and bimpm["is_duplicate"].mean() == 0.5
    assert len(quora.select_source(df, "subset_all")) == 34_042
    assert round(df["is_duplicate"].mean(), 4) == 0.7062  # SOURCES.md


# ----------------------------------------------------------------------------- malformed input


def test_missing_column_names_it(tmp_path):
    msg = _error(_write(tmp_path, HEADER.replace("is_duplicate", "label") + ROWS[0]))
    assert "line 1:" in msg and "is_duplicate" in msg


def test_short_row(tmp_path):
    short = "bimpm_dev\t10\t\t\tonly one question ?\t1\tcorenlp_tokenized\n"
    msg = _error(_write(tmp_path, HEADER + ROWS[0] + ROWS[1] + short + ROWS[2]))
    assert "line 4:" in msg and "7 fields, expected 8" in msg


def test_label_not_0_or_1(tmp_path):
    bad = ROWS[2].replace("\t1\traw", "\tyes\traw")
    msg = _error(_write(tmp_path, HEADER + ROWS[0] + bad, "p.tsv.gz"))
    assert "line 3:" in msg and "'yes'" in msg


def test_invalid_utf8(tmp_path):
    data = (HEADER + ROWS[0]).encode() + b"bimpm_dev\t1\t\t\tbad \xff byte\tq\t0\tx\n"
    msg = _error(_write(tmp_path, data))
    assert "line 3:" in msg and "UTF-8" in msg


def test_empty_files(tmp_path):
    assert "empty file" in _error(_write(tmp_path, ""))
    assert "empty file" in _error(_write(tmp_path, "", "e.tsv.gz"))


def test_header_only(tmp_path):
    assert "no data rows" in _error(_write(tmp_path, HEADER))


def test_missing_file(tmp_path):
    assert "cannot open" in _error(tmp_path / "absent.tsv.gz")


@needs_real
def test_truncated_gzip_reports_the_line_where_data_stops(tmp_path):
    data = REAL.read_bytes()
    half = data[: len(data) // 2]
    readable = zlib.decompressobj(wbits=31).decompress(half)  # what any reader can get out of it
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(half)
    msg = _error(path)
    expected_line = readable.count(b"\n") + 1
    assert "truncated or corrupt gzip" in msg and f"line {expected_line}:" in msg


@needs_real
def test_flipped_bytes_in_gzip(tmp_path):
    data = bytearray(REAL.read_bytes())
    n_lines = 34_043
    crc = bytearray(data)
    crc[-8] ^= 0xFF  # stored CRC32 of the content: all lines decode, the check fails at the end
    path = tmp_path / "crc.tsv.gz"
    path.write_bytes(bytes(crc))
    msg = _error(path)
    assert "truncated or corrupt gzip" in msg and f"line {n_lines + 1}:" in msg
    middle = bytearray(data)
    for i in range(len(data) // 2, len(data) // 2 + 64):
        middle[i] ^= 0x5A
    path = tmp_path / "mid.tsv.gz"
    path.write_bytes(bytes(middle))
    msg = _error(path)
    line = int(msg.split("line ")[1].split(":")[0])
    assert 1 < line <= n_lines + 1


VALID = (HEADER + "".join(ROWS * 3)).encode()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), gz=st.booleans())
def test_random_bytes_only_raise_dlrepro_error(tmp_path, data, gz):
    path = tmp_path / ("r.tsv.gz" if gz else "r.tsv")
    path.write_bytes(data)
    try:
        assert isinstance(quora.read_pairs(path), pd.DataFrame)
    except DlreproError as exc:
        assert str(path) in str(exc)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, len(VALID) - 1),
            st.sampled_from([b"\t", b"\n", b'"', b"\xff", b"\xc3", b"", b"2", b"\r"]),
        ),
        min_size=1,
        max_size=6,
    ),
    gz=st.booleans(),
    flip=st.integers(0, 255),
)
def test_mutated_valid_tsv_only_raises_dlrepro_error(tmp_path, edits, gz, flip):
    data = bytearray(VALID)
    for pos, new in edits:
        data[pos : pos + 1] = new
    if gz:
        data = bytearray(gzip.compress(bytes(data), mtime=0))
        data[flip % len(data)] ^= 0xA5  # and corrupt the compressed stream too
    path = tmp_path / ("m.tsv.gz" if gz else "m.tsv")
    path.write_bytes(bytes(data))
    try:
        df = quora.read_pairs(path)
    except DlreproError as exc:
        assert str(path) in str(exc)
    else:
        assert set(df["is_duplicate"].unique()) <= {0, 1}


# ----------------------------------------------------------------------------- select / clean / quirks / split


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pair_id": ["1", "2", "3", "4", "5"],
            "question1": [
                "How are you today?",
                "  short  ",
                "What is love, really?",
                "Why?",
                "Is this fine now?",
            ],
            "question2": [
                "How are you doing?",
                "A long enough one",
                "  What is love?  ",
                "Why not, then?",
                "1234567890",
            ],
            "is_duplicate": [1, 0, 1, 0, 0],
            "source": [
                "bimpm_dev",
                "bimpm_test",
                "semantic_sae_eval",
                "bimpm_dev",
                "semantic_sae_test",
            ],
        }
    )


def test_select_source():
    df = _frame()
    assert quora.select_source(df, "bimpm")["pair_id"].tolist() == ["1", "2", "4"]
    assert len(quora.select_source(df, "subset_all")) == 5
    assert len(quora.select_source(df, "full")) == 5
    with pytest.raises(DlreproError, match="bimpx"):
        quora.select_source(df, "bimpx")
    full = df.assign(source="full")
    with pytest.raises(DlreproError, match="no rows"):
        quora.select_source(full, "bimpm")


def test_clean_drops_pairs_with_a_short_stripped_question():
    cleaned = quora.clean(_frame(), 10)
    # "  short  " strips to 5 chars, "Why?" 4; "1234567890" is exactly 10 and stays
    assert cleaned["pair_id"].tolist() == ["1", "3", "5"]
    assert cleaned.index.tolist() == [0, 1, 2]
    assert len(quora.clean(_frame(), 0)) == 5


def test_quirks_numbers():
    raw = _frame()
    table = quora.quirks(raw, quora.clean(raw, 10)).set_index("quantity")
    assert table.loc["pairs"].tolist() == [5, 3]
    assert table.loc["negative"].tolist() == [3, 1]
    assert table.loc["positive"].tolist() == [2, 2]
    assert table.loc["duplicate_rate"].tolist() == pytest.approx([0.4, 2 / 3])
    lengths = [18, 5, 21, 4, 17, 18, 17, 13, 14, 10]  # stripped, question1 then question2
    assert table.loc["question_length_mean", "raw"] == pytest.approx(np.mean(lengths))
    assert table.loc["question_length_std", "raw"] == pytest.approx(np.std(lengths, ddof=1))
    assert table.loc["question_length_min"].tolist() == [4, 10]
    assert table.loc["question_length_max"].tolist() == [21, 21]
    assert table.loc["pairs_dropped_short"].tolist() == [2, 0]


def test_split_mask_is_stratified_and_deterministic():
    y = np.array([0] * 60 + [1] * 40)
    mask = quora.split_mask(y, 0.25, seed=3)
    assert mask.dtype == bool and mask.sum() == 75
    assert y[~mask].sum() == 10  # 25% of each class in the test part
    assert np.array_equal(mask, quora.split_mask(y, 0.25, seed=3))
    assert not np.array_equal(mask, quora.split_mask(y, 0.25, seed=4))
    with pytest.raises(DlreproError, match="test_fraction"):
        quora.split_mask(y, 1.0, seed=3)
