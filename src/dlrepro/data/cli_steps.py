"""`dlrepro fetch`: copy a registered raw file from the mirror (or its URL), sha256-verified."""

from __future__ import annotations

from dlrepro.core.step import OutputFile


def add_arguments(p) -> None:
    p.add_argument("--name", required=True, help="a name in dlrepro.data.fetch.REGISTRY")
    p.add_argument("--out", type=OutputFile, required=True)


def fetch_step(args, ctx) -> None:
    from pathlib import Path

    from dlrepro.data.fetch import fetch, resolve_mirror

    fetch(args.name, Path(args.out), resolve_mirror(ctx.params["mirror"]))
