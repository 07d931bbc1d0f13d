"""`dlrepro summary`: the verdicts of built studies in a terminal, one short table per study.

The readable counterpart of `dvc metrics show` (one row per study with hundreds of columns):
per claim, the verdict, the post's value, our mean and spread over runs, from comparison.csv."""

from __future__ import annotations

import textwrap
from pathlib import Path

from dlrepro.errors import DlreproError


def add_arguments(p) -> None:
    p.add_argument("studies", nargs="*", help="studies to show (default: every built one)")
    p.add_argument("--results", default="results", help="directory holding results/<study>/")
    p.add_argument("--width", type=int, default=48, help="claim text is wrapped at this width")


def study_table(comparison, width: int) -> str:
    from dlrepro.report.numbers import number

    rows = []
    for r in comparison.to_dict("records"):
        # a number's sd (an ordering's gaps are on the report page: too long for a terminal)
        spread = r["ours_spread"].split(";")[0] if r["ours_spread"].startswith("sd ") else ""
        rows.append([
            r["verdict"],
            r["kind"],
            number(r["post"]),
            number(r["ours"]) + (f" ({number(spread)})" if spread else ""),
            str(r["runs"]) if r["runs"] != "" else "-",
            textwrap.shorten(r["claim"], width, placeholder="…"),
        ])  # fmt: skip
    head = ["verdict", "kind", "post", "ours (spread)", "runs", "claim"]
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *rows]]
    return "\n".join(lines)


def main(args, params=None) -> int:
    from dlrepro.report.build import comparison_of, headline, verdict_counts
    from dlrepro.studies import STUDIES

    results = Path(args.results)
    unknown = sorted(set(args.studies) - set(STUDIES))
    if unknown:
        raise DlreproError(f"unknown study {', '.join(unknown)}; studies: {', '.join(STUDIES)}")
    wanted = args.studies or [s for s in STUDIES if (results / s / "comparison.csv").is_file()]
    if not wanted:
        raise DlreproError(f"no study is built under {results}/ (run snakemake or make reproduce)")
    for study in wanted:
        path = results / study / "comparison.csv"
        if not path.is_file():
            raise DlreproError(f"{path} does not exist: build the study first (snakemake {study})")
        comparison = comparison_of(path.parent)
        print(f"== {study}: {headline(*verdict_counts(comparison))}")
        print(study_table(comparison, args.width))
        print()
    return 0
