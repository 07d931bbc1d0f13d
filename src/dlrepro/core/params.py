"""Load the project's params (params.yaml + params/<study>.yaml) and override files, deep-merge
them and validate against the JSON schema.

The project's params are split by owner: params.yaml holds the platform's keys, each
params/<study>.yaml one study's section (DVC parses a stage's params file once per stage, so a
small file per study keeps `dvc status` fast). Override files (`--params`, Snakemake's
`--configfile`) merge over them the way Snakemake merges config files (nested dicts merge,
everything else is replaced), so a job and the workflow always see the same values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from dlrepro.errors import DlreproError
from dlrepro.paths import PARAMS_DIR, PLATFORM_PARAMS_FILE, SCHEMA

# libyaml's loader (in PyYAML's wheels) when present: the same values, 10x faster; params.yaml and
# the schema are read by every job and by every `snakemake -n`.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(SafeLoader):
    """The safe loader, refusing a key given twice in one mapping (YAML keeps the last one
    silently, so `epochs: 5` then `epochs: 50` would train for 50)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", mark
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, StrictLoader.construct_mapping
)


def parse_yaml(text: str):
    return yaml.load(text, Loader=StrictLoader)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> str:
    """`file:line:column: problem`, as compilers and linters say it."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    return f"{where}: invalid YAML: {problem}" + (f" ({context})" if context else "")


def deep_merge(base: dict, override: Mapping) -> dict:
    """Return `base` updated recursively by `override` (dicts merge, other values replace)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def read_yaml(path: Path | str) -> dict:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise DlreproError(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise DlreproError(_yaml_error(path, exc)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DlreproError(
            f"{path}: expected a mapping at the top level, got {type(data).__name__}"
        )
    return data


def _key_path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def _strict_validator(schema):
    """JSON Schema's `integer` admits 2.0 (a number with no fraction); a float where a count
    goes is a typo that would reach torch or scikit-learn as a float, so it is refused here."""
    import jsonschema  # imported here: keeps `dlrepro --help` fast

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return jsonschema.validators.extend(base, type_checker=checker)(schema)


def validate(params: Mapping[str, Any], source: str = "params") -> None:
    """Raise DlreproError naming every offending key if `params` breaks the schema."""
    from dlrepro.studies import STUDIES

    schema = parse_yaml(SCHEMA.read_text())
    # every registered study's section is required (the registry says which exist)
    schema["required"] = [
        *schema.get("required", []),
        *(s for s in STUDIES if s not in schema.get("required", [])),
    ]
    validator = _strict_validator(schema)
    errors = sorted(validator.iter_errors(params), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"  {_key_path(e)}: {e.message}" for e in errors]
        raise DlreproError(f"invalid {source}:\n" + "\n".join(lines))


def _merged(layers: Iterable[dict], source: str) -> dict:
    merged: dict = {}
    for layer in layers:
        merged = deep_merge(merged, layer)
    validate(merged, source=source)
    return merged


def load_params(files: Iterable[Path | str]) -> dict:
    """Merge the files in order, validate, and return the effective params."""
    files = [Path(f) for f in files]
    return _merged(map(read_yaml, files), source=" + ".join(str(f) for f in files))


def project_params_files(root: Path | str = ".") -> list[Path]:
    """params.yaml, then params/<study>.yaml in name order."""
    root = Path(root)
    return [root / PLATFORM_PARAMS_FILE, *sorted((root / PARAMS_DIR).glob("*.yaml"))]


def params_file_of(key: str, root: Path | str = ".") -> str:
    """The project file (relative to root) that holds a dotted key, for DVC's `params:`."""
    study_file = PARAMS_DIR / f"{key.split('.')[0]}.yaml"
    return (
        study_file.as_posix() if (Path(root) / study_file).is_file() else str(PLATFORM_PARAMS_FILE)
    )


def override_files(overrides: Iterable[Path | str], root: Path | str = ".") -> list[Path]:
    """The overrides, less any naming a project file again (e.g. `--params params.yaml`): those
    are always merged first, and merging one again would add nothing."""
    project = {f.resolve() for f in project_params_files(root)}
    return [Path(o) for o in overrides if Path(o).resolve() not in project]


def load_project_params(root: Path | str = ".", overrides: Iterable[Path | str] = ()) -> dict:
    """The project's params with `overrides` merged over them, validated. A study file holds
    exactly its own section, and no top-level key is set by two project files (an override
    file may set anything)."""
    layers, owner = [], {}
    for f in project_params_files(root):
        data = read_yaml(f)
        if f.parent.name == PARAMS_DIR.name and set(data) - {f.stem}:
            raise DlreproError(
                f"{f}: a study's params file holds only its `{f.stem}:` section, "
                f"found {sorted(set(data) - {f.stem})}"
            )
        for key in data:
            if key in owner:
                raise DlreproError(f"params: `{key}` is set in both {owner[key]} and {f}")
            owner[key] = f
        layers.append(data)
    overrides = override_files(overrides, root)
    source = " + ".join(
        [f"{PLATFORM_PARAMS_FILE} + {PARAMS_DIR}/<study>.yaml", *map(str, overrides)]
    )
    return _merged([*layers, *map(read_yaml, overrides)], source=source)


def select(params: Mapping, dotted: str) -> Any:
    """`select(p, "slash.models.knn_k1")` -> p["slash"]["models"]["knn_k1"]."""
    node: Any = params
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise DlreproError(f"params: missing key {dotted!r} (at {part!r})")
        node = node[part]
    return node
