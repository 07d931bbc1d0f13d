"""Builds results/report/ (HTML + Markdown) from study outputs (the work is in `build`)."""


def add_arguments(p) -> None:
    """`dlrepro report` options; here, not in `build`, so building the parser (every job does)
    does not import pandas."""
    p.add_argument("--studies", nargs="+", required=True, help="study names, in page order")
    p.add_argument("--results", default="results", help="directory holding results/<study>/")
    p.add_argument("--out-dir", default="results/report")
