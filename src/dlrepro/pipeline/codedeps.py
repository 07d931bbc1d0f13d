"""A step's code inputs, computed from what it imports rather than listed by hand.

A job runs the `dlrepro` entry point (RUNNER), imports its study's declarations module, then
calls the step function. Its code inputs are the files of every `dlrepro` module that can be
imported on that path: the static closure of
  - the runner modules,
  - the declarations module's top-level imports (they run when it is imported),
  - the imports inside the step function and inside the same-module helpers it refers to,
and below those, every import of each module reached (top-level or inside functions: an
over-approximation, so an edit never fails to rerun a step; at worst it reruns one more).
Each package's __init__.py is included with its modules (importing a module runs it).
tests/pipeline/test_code_deps.py runs one step of every study and checks sys.modules against this.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from dlrepro.paths import PACKAGE, ROOT

# what every job imports before its step: `python -m dlrepro` -> dlrepro.cli.main -> core.step
RUNNER = (
    "dlrepro.__main__",
    "dlrepro.cli",
    "dlrepro.core.step",
    "dlrepro.core.params",
    "dlrepro.pipeline.registry",
    "dlrepro.pipeline.declare",
)


@cache
def module_file(module: str) -> Path | None:
    """The source file of a dlrepro module or package, or None if there is none."""
    if module != "dlrepro" and not module.startswith("dlrepro."):
        return None
    base = PACKAGE.joinpath(*module.split(".")[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(module_file(module).read_text(), filename=str(module_file(module)))


def _resolve(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """The dlrepro modules an import statement loads (submodules named in `from x import y`)."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the importing module's package
            package = module.split(".")
            is_package = module_file(module).name == "__init__.py"
            package = package if is_package else package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    return {n for n in names if module_file(n) is not None}


def _with_parents(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _imports(nodes, module: str) -> set[str]:
    found = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                found |= _resolve(sub, module)
    return found


# the CLI's own functions import the platform commands (pull, verify, ...); a step job runs
# only its top level, so only its top-level imports count
SHALLOW = ("dlrepro.cli",)


@cache
def closure(module: str) -> frozenset[str]:
    """The module, its packages, and every dlrepro module any of its imports reach."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        for m in _with_parents(current):
            if m not in seen and module_file(m) is not None:
                seen.add(m)
                todo.extend(_top_level_imports(m) if m in SHALLOW else _all_imports(m))
    return frozenset(seen)


@cache
def _all_imports(module: str) -> frozenset[str]:
    """Every dlrepro module an import anywhere in `module` names (walked once per module)."""
    return frozenset(_imports([_tree(module)], module))


@cache
def _top_level_imports(module: str) -> frozenset[str]:
    return frozenset(
        _imports(
            [n for n in _tree(module).body if isinstance(n, (ast.Import, ast.ImportFrom))], module
        )
    )


def _free_names(func: ast.FunctionDef) -> set[str]:
    """Names a function reads but does not bind itself (a local `train` is not the module's
    `train` function)."""
    bound = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
    for n in ast.walk(func):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bound.add(n.id)
        elif isinstance(n, ast.alias):
            bound.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not func:
            bound.add(n.name)
    return {
        n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    } - bound


def _function_imports(module: str, name: str) -> set[str]:
    """Imports inside function `name` of `module` and inside the module's functions it names."""
    functions = {
        n.name: n
        for n in _tree(module).body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if name not in functions:
        raise ValueError(f"{module}: no top-level function {name!r}")
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += [n for n in _free_names(functions[current]) if n in functions]
    return _imports([functions[f] for f in seen], module)


def runner_modules() -> set[str]:
    return {m for r in RUNNER for m in closure(r)}


def step_modules(step) -> set[str]:
    module, name = step.func.__module__, step.func.__name__
    mods = runner_modules() | {module} | _with_parents(module)
    for m in _top_level_imports(module) | _function_imports(module, name):
        mods |= closure(m)
    return mods


def files(modules) -> list[str]:
    return sorted(module_file(m).relative_to(ROOT).as_posix() for m in modules)


# The study registry is imported by every job but decides no step's result: it only names the
# studies that exist (a missing name fails the job; it never changes an output). Hashing it would
# make adding a study rerun every other study. It stays a code input of the report, which lists
# the studies. tests/pipeline/test_code_deps.py checks that it holds only the names.
REGISTRY = "dlrepro.studies"


def step_code(step) -> list[str]:
    """The step's code inputs: repository-relative .py paths, sorted."""
    return files(step_modules(step) - {REGISTRY})


def command_code(module: str) -> list[str]:
    """Code inputs of a non-step command run through the CLI (e.g. the report)."""
    return files(runner_modules() | closure(module))
