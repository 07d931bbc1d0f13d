"""Small top-level commands of the CLI."""

from __future__ import annotations

import yaml


def print_params(args, params: dict) -> int:
    print(yaml.safe_dump(params, sort_keys=False), end="")
    return 0
