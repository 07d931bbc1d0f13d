"""Small top-level commands of the CLI."""

from __future__ import annotations

import yaml


def print_params(args, params: dict) -> int:
    """Print the merged params, or with --write DIR lay them out as a project's params files
    there (params.yaml + params/<study>.yaml): DVC reads params from files, so a scratch copy
    that should build with overrides gets them this way."""
    if not args.write:
        print(yaml.safe_dump(params, sort_keys=False), end="")
        return 0
    from pathlib import Path

    from dlrepro.core import io
    from dlrepro.paths import PARAMS_DIR, PLATFORM_PARAMS_FILE
    from dlrepro.studies import STUDIES

    root = Path(args.write)
    for study in STUDIES:
        io.write_text(root / PARAMS_DIR / f"{study}.yaml", yaml.safe_dump({study: params[study]}))
    platform = {k: v for k, v in params.items() if k not in STUDIES}
    io.write_text(root / PLATFORM_PARAMS_FILE, yaml.safe_dump(platform, sort_keys=False))
    print(f"wrote {root / PLATFORM_PARAMS_FILE} and {root / PARAMS_DIR}/<study>.yaml")
    return 0
