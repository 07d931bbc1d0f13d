"""Build results/report/: one page per study (comparison with verdicts, results table, figures
with captions, discussion, provenance) plus an index, each as Markdown and its HTML twin.

The Markdown is the one source; HTML is rendered from it by the `markdown` library.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import yaml

from dlrepro.core import io
from dlrepro.core.claims import load_claims
from dlrepro.paths import study_dir

CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f3f3f3}
img{max-width:100%;border:1px solid #eee}code,pre{background:#f6f6f6}pre{padding:.5rem;
overflow-x:auto}.verdict-reproduced{color:#176117}.verdict-differs{color:#9a1c1c}"""

FIGURE_TYPES = ("png", "gif")

VERDICT_ICON = {
    "reproduced": "✅ reproduced",
    "differs": "❌ differs",
    "not comparable": "➖ not comparable",
}


def caption_file(study: str, figure: str) -> Path:
    """Captions live in the study's package and are shared with Snakemake's --report."""
    return study_dir(study) / "captions" / f"{Path(figure).stem}.rst"


def _md_table(frame: pd.DataFrame) -> str:
    def cell(v) -> str:
        if isinstance(v, float):
            v = f"{v:.6g}"
        return str(v).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _verdict_counts(comparison: pd.DataFrame) -> str:
    counts = comparison["verdict"].value_counts()
    return ", ".join(f"{counts[v]} {v}" for v in VERDICT_ICON if v in counts)


def study_markdown(study: str, results: Path, out_dir: Path) -> tuple[str, str]:
    claims = load_claims(study_dir(study) / "claims.yaml")
    sdir = results / study
    comparison = pd.read_csv(sdir / "comparison.csv", keep_default_na=False)
    table = pd.read_csv(sdir / "table.csv")
    shown = comparison.assign(verdict=comparison["verdict"].map(VERDICT_ICON))
    rel = Path("..") / sdir.relative_to(results)  # report pages sit in results/report/

    parts = [
        f"# {claims['title']}",
        f"*Post:* {claims['post']} — text in `{claims['source']}`. "
        f"*Verdicts:* {_verdict_counts(comparison)}.",
        "## Post vs ours",
        _md_table(shown),
        "## Our results",
        _md_table(table),
    ]
    for extra in sorted(sdir.glob("*.csv")):  # study-specific tables, e.g. quora's data quirks
        if extra.name not in ("comparison.csv", "table.csv"):
            parts += [
                f"## {extra.stem.replace('_', ' ').capitalize()}",
                _md_table(pd.read_csv(extra, keep_default_na=False)),
            ]
    parts += ["## Figures"]
    # PNG figures, and animated GIFs (shown the same way: browsers animate an <img> GIF)
    figures = [f for ext in FIGURE_TYPES for f in (sdir / "figures").glob(f"*.{ext}")]
    for fig in sorted(figures):
        caption = caption_file(study, fig.name).read_text().strip()
        parts += [f"![{fig.stem}]({(rel / 'figures' / fig.name).as_posix()})", f"*{caption}*"]
    parts += ["## Discussion", (study_dir(study) / "page.md").read_text().strip()]
    parts += ["## Provenance", provenance_markdown(study, sdir)]
    return claims["title"], "\n\n".join(parts) + "\n"


def provenance_markdown(study: str, sdir: Path) -> str:
    records = [io.read_json(p) for p in sorted((sdir / "provenance").glob("*.json"))]
    lines = [
        "Rebuild everything with `make reproduce` (or `snakemake --cores all`, or `dvc repro`). "
        "Each step below ran the command shown; input hashes are sha256.",
    ]
    if records:
        env = records[-1]["environment"]
        libs = ", ".join(f"{k} {v}" for k, v in env["libraries"].items())
        devices = sorted({r["environment"]["device"] for r in records})
        lines += [
            f"- Python {env['python']} on {env['machine']}, CPU kernels capped at "
            f"`{env['cpu_isa']['cap']}`; threads per job: {env['threads']}; "
            f"devices: {', '.join(devices)}",
            f"- Libraries: {libs}",
            "",
            "Params of this study:",
            "```yaml\n" + yaml.safe_dump(records[-1]["params"], sort_keys=True).strip() + "\n```",
        ]
    for r in records:
        inputs = "".join(f"\n    - `{p}` `{h[:16]}…`" for p, h in r["inputs"].items())
        lines.append(f"- **{r['step']}**: `{r['command']}`{inputs}")
    return "\n".join(lines)


def index_markdown(pages: list[tuple[str, str, pd.DataFrame]]) -> str:
    lines = [
        "# dlrepro report",
        "",
        "Every number below was produced by the pipeline from raw data; each page puts the "
        "post's published numbers beside ours with a verdict.",
        "",
        "| study | post | verdicts |",
        "| --- | --- | --- |",
    ]
    for study, title, comparison in pages:
        lines.append(f"| [{study}]({study}.html) | {title} | {_verdict_counts(comparison)} |")
    return "\n".join(lines) + "\n"


def to_html(title: str, markdown_text: str) -> str:
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code"])
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def main(args, params) -> int:
    results, out_dir = Path(args.results), Path(args.out_dir)
    pages = []
    for study in args.studies:
        title, md = study_markdown(study, results, out_dir)
        io.write_text(out_dir / f"{study}.md", md)
        io.write_text(out_dir / f"{study}.html", to_html(title, md.replace(".md)", ".html)")))
        comparison = pd.read_csv(results / study / "comparison.csv", keep_default_na=False)
        pages.append((study, title, comparison))
    index = index_markdown(pages)
    io.write_text(out_dir / "index.md", index.replace(".html)", ".md)"))
    io.write_text(out_dir / "index.html", to_html("dlrepro report", index))
    return 0
