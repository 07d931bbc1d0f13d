"""The report as a reader sees it: every page of the smoke build opened in headless Chromium
(tests/report_browser.py), and its Markdown twin."""

from __future__ import annotations

import re
import shutil
import types

import pandas as pd
import pytest
from conftest import read_comparison
from report_browser import RAW_MARKDOWN, WIDTH, open_page

from dlrepro.core.claims import CHECK_VERDICTS, VERDICTS
from dlrepro.studies import STUDIES

PAGES = ["index", *STUDIES]


@pytest.fixture(scope="module")
def seen(smoke_build, tmp_path_factory) -> dict[str, dict]:
    scratch = tmp_path_factory.mktemp("browser")
    return {p: open_page(smoke_build / f"results/report/{p}.html", scratch) for p in PAGES}


@pytest.mark.parametrize("page", PAGES)
def test_page_reads_as_rendered_text(seen, page):
    view = seen[page]
    for what, pattern in RAW_MARKDOWN.items():
        assert not pattern.search(view["text"]), (what, pattern.findall(view["text"])[:3])
    assert not [c for c in view["cells"] if c.lower() in ("nan", "none", "<na>")]
    assert view["scrollWidth"] <= WIDTH, f"{page} is {view['scrollWidth']} px wide"
    # every page below paper scale says so, first thing
    assert 0 <= view["text"].find("Built at smoke scale.") < 200


@pytest.mark.parametrize("study", STUDIES)
def test_study_page_figures_verdicts_and_navigation(smoke_build, seen, study):
    view = seen[study]
    figures = list((smoke_build / "results" / study / "figures").glob("*.*"))
    assert view["images"] == len(figures) > 0 and view["broken"] == []
    comparison = read_comparison(smoke_build, study)
    shown = [word for word, _ in view["verdicts"]]
    assert shown == list(comparison["verdict"])
    assert set(shown) <= set(VERDICTS) | set(CHECK_VERDICTS)
    # a verdict is a word in colour (not an emoji, not colour alone): one colour per outcome,
    # shared by a claim's and a check's word for it (reproduced/passed, differs/failed)
    outcome = {"reproduced": 0, "passed": 0, "within noise": 1, "differs": 2, "failed": 2,
               "not comparable": 3}  # fmt: skip
    colours = {}
    for word, colour in view["verdicts"]:
        colours.setdefault(outcome[word], set()).add(colour)
    assert all(len(c) == 1 for c in colours.values())
    assert len({c.pop() for c in colours.values()}) == len(colours)
    html = (smoke_build / f"results/report/{study}.html").read_text()
    i = STUDIES.index(study)
    assert 'href="index.html"' in html and "The post&#39;s text" in html
    assert (i == 0) or f'href="{STUDIES[i - 1]}.html"' in html
    assert (i == len(STUDIES) - 1) or f'href="{STUDIES[i + 1]}.html"' in html
    # each figure links to the provenance record of the step that drew it
    for link in re.findall(r'<a href="([^"]+)">Provenance</a>', html):
        assert (smoke_build / "results/report" / link).resolve().is_file(), link
    assert html.count(">Provenance</a>") == len(figures)


def test_index_counts_claims_and_checks_apart(smoke_build, seen):
    text = seen["index"]["text"]
    for study in STUDIES:
        comparison = read_comparison(smoke_build, study)
        claims = comparison[comparison["kind"] != "check"]
        row = next(line for line in text.splitlines() if line.startswith(study + "\t"))
        cells = row.split("\t")
        assert [int(c) for c in cells[2:6]] == [
            int((claims["verdict"] == v).sum()) for v in VERDICTS
        ]
        checks = comparison[comparison["kind"] == "check"]["verdict"]
        shown = ", ".join(
            f"{(checks == v).sum()} {v}" for v in CHECK_VERDICTS if (checks == v).any()
        )
        assert cells[6] == (shown or "–"), (study, cells[6])


def test_markdown_twin_has_every_claim(smoke_build):
    from markdown_it import MarkdownIt

    for study in STUDIES:
        md = (smoke_build / f"results/report/{study}.md").read_text()
        assert md.startswith("> **Built at smoke scale.**")
        html = MarkdownIt("commonmark").enable("table").render(md)
        table = html.split("<h2>Post vs ours</h2>", 1)[1].split("</table>", 1)[0]
        assert table.count("<tr>") - 1 == len(read_comparison(smoke_build, study))


def test_no_banner_at_paper_scale(smoke_build, tmp_path):
    """The same results rendered with paper-scale params: no banner (the scale is a param)."""
    from dlrepro.core.params import load_project_params
    from dlrepro.report.build import main

    results = tmp_path / "results"
    shutil.copytree(smoke_build / "results", results, ignore=shutil.ignore_patterns("report"))
    params = load_project_params(smoke_build, [])
    assert params["scale"] == "paper"
    args = types.SimpleNamespace(studies=list(STUDIES), results=str(results),
                                 out_dir=str(results / "report"))  # fmt: skip
    main(args, params)
    for page in PAGES:
        assert "Built at" not in (results / "report" / f"{page}.html").read_text()
    comparison = pd.read_csv(results / "slash/comparison.csv", keep_default_na=False)
    assert len(comparison) > 0
