"""Builds results/report/ (HTML + Markdown) from study outputs (the work is in `build`)."""

import re


def add_arguments(p) -> None:
    """`dlrepro report` options; here, not in `build`, so building the parser (every job does)
    does not import pandas."""
    p.add_argument("--studies", nargs="+", required=True, help="study names, in page order")
    p.add_argument("--results", default="results", help="directory holding results/<study>/")
    p.add_argument("--out-dir", default="results/report")


# what a study page reads from results/<study>/ (study_markdown in build.py)
_READ = re.compile(
    r"results/(?P<study>[^/]+)/([^/]+\.csv|figures/[^/]+\.(png|gif)|provenance/[^/]+\.json)$"
)


def page_inputs(study: str, config: dict) -> list[str]:
    """The step outputs a study's page reads: its top-level tables, figures and provenance."""
    from dlrepro.pipeline.registry import steps_of

    files = [f for step in steps_of(study) for f in step.outputs(config)]
    return sorted({f for f in files if (m := _READ.match(f)) and m["study"] == study})


def page_text(study: str) -> list[str]:
    """The hand-written text a page includes: discussion, claims, figure captions."""
    from dlrepro.paths import ROOT, study_dir

    folder = study_dir(study)
    texts = [
        folder / "page.md",
        folder / "claims.yaml",
        *sorted((folder / "captions").glob("*.rst")),
    ]
    return [p.relative_to(ROOT).as_posix() for p in texts]
