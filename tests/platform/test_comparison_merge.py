"""Claims judged outside the hashed comparison.csv (e.g. wall-clock timing) replace their
placeholder row on the page and in the counts, in claims order."""

import pandas as pd

from dlrepro.report.build import comparison_of, verdict_counts

COLUMNS = "claim,kind,post,ours,ours_spread,runs,tolerance,verdict,reason".split(",")


def _write(path, rows):
    pd.DataFrame([dict(zip(COLUMNS, r)) for r in rows], columns=COLUMNS).to_csv(path, index=False)


def test_a_side_comparison_replaces_its_placeholder_row(tmp_path):
    _write(tmp_path / "comparison.csv", [
        ("a", "published", "1", "1", "", "3", "±0.1", "reproduced", ""),
        ("timing", "qualitative", "x", "", "", "", "", "not comparable", "see timing"),
        ("c", "check", "0", "0", "", "3", "", "passed", ""),
    ])  # fmt: skip
    _write(tmp_path / "timing_comparison.csv", [
        ("timing", "qualitative", "x", "0.8", "sd 0.03", "5", "ours < 1", "reproduced", "5 of 5"),
    ])  # fmt: skip
    merged = comparison_of(tmp_path)
    assert list(merged["claim"]) == ["a", "timing", "c"]
    assert merged.loc[1, "verdict"] == "reproduced" and merged.loc[1, "runs"] == "5"
    counts, _ = verdict_counts(merged)
    assert counts["reproduced"] == 2 and counts["not comparable"] == 0


def test_without_a_side_comparison_the_file_is_read_as_is(tmp_path):
    _write(tmp_path / "comparison.csv", [("a", "published", "1", "1", "", "3", "", "differs", "")])
    assert list(comparison_of(tmp_path)["verdict"]) == ["differs"]
