"""Build results/report/: one page per study plus an index, each as HTML and its Markdown twin.

What a page shows is collected here, as data. The layout is in templates/ (Jinja2): the HTML
pages render their tables from that data, and the study's hand-written Markdown (page.md)
through a CommonMark renderer (markdown-it-py). The Markdown twins come from their own
templates. Captions are plain text (they are RST for Snakemake's report): escaped, never parsed.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd
import yaml

from dlrepro.core import io
from dlrepro.core.claims import CHECK_VERDICTS, VERDICTS, load_claims
from dlrepro.paths import ROOT, study_dir
from dlrepro.report.numbers import number

TEMPLATES = Path(__file__).parent / "templates"
FIGURE_TYPES = ("png", "gif")
SCALE_BANNER = {
    "head": "Built at {scale} scale.",
    "text": "These numbers come from a small test configuration (config/{scale}.yaml), not from "
    "the post's setting: they show that the pipeline runs, not what it finds. "
    "Run make reproduce for the paper-scale report.",
}


def caption_file(study: str, figure: str) -> Path:
    """Captions live in the study's package and are shared with Snakemake's --report."""
    return study_dir(study) / "captions" / f"{Path(figure).stem}.rst"


def _escape_md(text: str) -> str:
    """Plain text safe inside Markdown: no emphasis, links, code or HTML from its characters."""
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


def _cell(value) -> str:
    """A Markdown table cell: escaped, on one line."""
    return _escape_md(str(value)).replace("\n", " ")


@functools.cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["cell"] = _cell
    env.filters["md_cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["inline"] = _inline_html
    env.filters["escape_md"] = _escape_md
    return env


def _markdown():
    from markdown_it import MarkdownIt

    # CommonMark + GFM tables; raw HTML in the hand-written text is not trusted
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _inline_html(text) -> str:
    """Claims' texts and reasons may use inline Markdown (`code`, *emphasis*): rendered, safe."""
    from markupsafe import Markup

    return Markup(_markdown().renderInline(str(text)))


def _commonmark(text: str):
    """Rendered HTML, marked safe for the autoescaping page template (raw HTML in the text is
    already escaped by the renderer)."""
    from markupsafe import Markup

    return Markup(_markdown().render(text))


def verdict_counts(comparison: pd.DataFrame) -> tuple[dict, str]:
    """Published + qualitative claims by verdict, and the checks' passed/failed line."""
    claims = comparison[comparison["kind"] != "check"]["verdict"].value_counts()
    checks = comparison[comparison["kind"] == "check"]["verdict"].value_counts()
    counts = {v: int(claims.get(v, 0)) for v in VERDICTS}
    check_text = ", ".join(f"{int(checks[v])} {v}" for v in CHECK_VERDICTS if v in checks)
    return counts, check_text


def headline(counts: dict, checks: str) -> str:
    judged = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "none"
    return f"Claims of the post (published and qualitative): {judged}. Checks: {checks or 'none'}."


def _table(frame: pd.DataFrame, title: str, table_id: str) -> dict:
    def cell(v) -> dict:
        numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
        return {"text": number(v), "num": numeric}

    rows = [[cell(v) for v in row] for row in frame.astype(object).itertuples(index=False)]
    return {"title": title, "id": table_id, "columns": list(frame.columns), "rows": rows}


def _figure_steps(study: str, config: dict) -> dict[str, tuple[str, str]]:
    """figure file name -> (step name, its provenance file relative to results/<study>/)."""
    from dlrepro.pipeline.declare import Out
    from dlrepro.pipeline.registry import steps_of

    out = {}
    for step in steps_of(study):
        for a in step.files(Out).values():
            if a.figure:
                out[Path(a.resolve(config)).name] = (
                    step.name,
                    Path(step.provenance_path()).relative_to(f"results/{study}").as_posix(),
                )
    return out


def _environment(records: list[dict]) -> dict | None:
    if not records:
        return None
    env = records[-1]["environment"]
    return {
        "python": env["python"],
        "machine": env["machine"],
        "cap": env["cpu_isa"]["cap"],
        "threads": env["threads"],
        "devices": ", ".join(sorted({r["environment"]["device"] for r in records})),
        "libraries": ", ".join(f"{k} {v}" for k, v in env["libraries"].items()),
    }


def _nav(study: str | None, studies: list[str], source_href: str | None) -> list[dict]:
    nav = [{"text": "Index", "href": "index.html", "href_md": "index.md", "rel": "index"}]
    if study is not None:
        i = studies.index(study)
        if i > 0:
            prev = studies[i - 1]
            nav.append({"text": f"← {prev}", "href": f"{prev}.html", "href_md": f"{prev}.md",
                        "rel": "prev"})  # fmt: skip
        if i + 1 < len(studies):
            nxt = studies[i + 1]
            nav.append({"text": f"{nxt} →", "href": f"{nxt}.html", "href_md": f"{nxt}.md",
                        "rel": "next"})  # fmt: skip
        nav.append({"text": "The post's text", "href": source_href, "href_md": source_href,
                    "rel": None})  # fmt: skip
    return nav


def _banner(params: dict) -> dict | None:
    scale = params.get("scale", "paper")
    if scale == "paper":
        return None
    return {k: v.format(scale=scale) for k, v in SCALE_BANNER.items()}


def comparison_of(sdir: Path) -> pd.DataFrame:
    """comparison.csv, with each row of a `<name>_comparison.csv` in place of the same claim's
    row: claims judged on measurements kept out of the hashed results (selu's wall-clock
    timing) are shown and counted like every other claim."""
    read = functools.partial(pd.read_csv, keep_default_na=False, dtype=str)
    comparison = read(sdir / "comparison.csv")
    for extra in sorted(sdir.glob("*_comparison.csv")):
        rows = read(extra)
        kept = comparison[~comparison["claim"].isin(rows["claim"])]
        comparison = pd.concat([kept, rows], ignore_index=True)
    order = {c: i for i, c in enumerate(read(sdir / "comparison.csv")["claim"])}
    return comparison.sort_values("claim", key=lambda c: c.map(order).fillna(len(order)),
                                  kind="stable", ignore_index=True)  # fmt: skip


def study_page(study: str, studies: list[str], results: Path, out_dir: Path, params: dict) -> dict:
    """Everything a study's page shows, as data for the templates."""
    claims = load_claims(study_dir(study) / "claims.yaml")
    sdir = results / study
    rel = Path(
        os.path.relpath(sdir.resolve(), out_dir.resolve())
    ).as_posix()  # from the page to results/<study>
    comparison = comparison_of(sdir)
    for col in ("post", "ours", "ours_spread", "tolerance", "reason"):
        comparison[col] = comparison[col].map(number)
    comparison["ours_spread"] = comparison["ours_spread"].replace("–", "")
    comparison["runs"] = comparison["runs"].replace("", "–")
    counts, checks = verdict_counts(comparison)
    tables = [_table(pd.read_csv(sdir / "table.csv"), "Our results", "our-results")]
    for extra in sorted(sdir.glob("*.csv")):  # study-specific tables, e.g. quora's data quirks
        if extra.name != "table.csv" and not extra.name.endswith("comparison.csv"):
            title = extra.stem.replace("_", " ").capitalize()
            tables.append(_table(pd.read_csv(extra), title, extra.stem))
    made_by = _figure_steps(study, params)
    figures = []
    for fig in sorted(f for ext in FIGURE_TYPES for f in (sdir / "figures").glob(f"*.{ext}")):
        step, provenance = made_by.get(fig.name, ("figures", "provenance/figures.json"))
        figures.append({
            "stem": fig.stem,
            "src": f"{rel}/figures/{fig.name}",
            "caption": caption_file(study, fig.name).read_text().strip(),
            "provenance": f"{rel}/{provenance}",
            "step": step,
        })  # fmt: skip
    records = [io.read_json(p) for p in sorted((sdir / "provenance").glob("*.json"))]
    steps = [
        {
            "step": r["step"],
            "id": Path(p).stem,
            "command": r["command"],
            "inputs": [{"path": k, "hash": h[:16]} for k, h in r["inputs"].items()],
        }
        for p, r in zip(sorted((sdir / "provenance").glob("*.json")), records)
    ]
    source_href = Path(os.path.relpath(ROOT / claims["source"], out_dir.resolve())).as_posix()
    discussion = (study_dir(study) / "page.md").read_text().strip()
    return {
        "study": study,
        "title": claims["title"],
        "post": claims["post"],
        "source": claims["source"],
        "source_href": source_href,
        "headline": headline(counts, checks),
        "counts": counts,
        "checks": checks,
        "comparison": comparison.to_dict("records"),
        "tables": tables,
        "figures": figures,
        "discussion_md": discussion,
        "discussion_html": _commonmark(discussion),
        "env": _environment(records),
        "params_yaml": yaml.safe_dump(records[-1]["params"], sort_keys=True).strip()
        if records
        else "",
        "steps": steps,
        "nav": _nav(study, studies, source_href),
        "banner": _banner(params),
    }


def render(template: str, **context) -> str:
    css = (TEMPLATES / "style.css").read_text()
    return _env().get_template(template).render(css=css, **context)


def main(args, params) -> int:
    results, out_dir = Path(args.results), Path(args.out_dir)
    studies = list(args.studies)
    pages = []
    for study in studies:
        page = study_page(study, studies, results, out_dir, params)
        io.write_text(out_dir / f"{study}.html", render("page.html.j2", **page))
        io.write_text(out_dir / f"{study}.md", render("page.md.j2", **page))
        pages.append(page)
    index = {
        "title": "dlrepro report",
        "pages": pages,
        "verdicts": VERDICTS,
        "nav": _nav(None, studies, None),
        "banner": _banner(params),
    }
    io.write_text(out_dir / "index.html", render("index.html.j2", **index))
    io.write_text(out_dir / "index.md", render("index.md.j2", **index))
    return 0
