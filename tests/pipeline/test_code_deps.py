"""A step's code inputs (computed from its imports) cover every dlrepro module it really loads.

Each step of every registered study is rerun at smoke scale, with the exact command its
provenance recorded, in a copy of the smoke build; afterwards every `dlrepro.*` module in
sys.modules must be among that rule's code inputs (else editing it would not rerun the step)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from conftest import clone_built, tool_env

from dlrepro.pipeline import codedeps, registry

PROBE = (
    "import json, sys; from dlrepro.cli import main; rc = main(sys.argv[1:]); "
    "print('MODULES=' + json.dumps(sorted(m for m in sys.modules "
    "if m == 'dlrepro' or m.startswith('dlrepro.')))); sys.exit(rc)"
)


def _one_record_per_step(repo):
    """rule -> (step, the command one of its jobs ran, from its provenance record)."""
    records = {}
    for path in sorted(repo.glob("results/*/provenance/*.json")):
        record = json.loads(path.read_text())
        owner = path.parts[-3]  # results/<owner>/provenance/<step>.json
        step = next(s for s in registry.steps_of(owner) if " ".join(s.study_step) == record["step"])
        records.setdefault(step.rule, (step, record["command"]))
    return records


def test_every_step_loads_only_its_declared_code(smoke_build, tmp_path):
    repo = clone_built(smoke_build, tmp_path / "repo")
    records = _one_record_per_step(repo)
    assert set(records) == {s.rule for s in registry.all_steps()}, "a step never ran"

    def probe(item):
        step, command = item
        argv = shlex.split(command)[1:]  # drop "dlrepro"
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, *argv],
            cwd=repo,
            text=True,
            capture_output=True,
            env=tool_env(repo),
        )
        assert proc.returncode == 0, (command, proc.stderr[-3000:])
        loaded = json.loads(proc.stdout.split("MODULES=")[-1])
        return step, set(loaded) - codedeps.step_modules(step)

    with ThreadPoolExecutor(2) as pool:
        missing = {
            step.rule: sorted(extra) for step, extra in pool.map(probe, records.values()) if extra
        }
    assert not missing, f"modules loaded but not code inputs: {missing}"


def test_the_registry_left_out_of_step_code_holds_only_study_names():
    """codedeps.REGISTRY is not a step's code input, so adding a study reruns no other study:
    safe only while it holds a docstring and a tuple of names, nothing a step could compute with."""
    import ast

    tree = ast.parse(codedeps.module_file(codedeps.REGISTRY).read_text())
    docstring, registry_list = tree.body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(registry_list, ast.Assign) and registry_list.targets[0].id == "STUDIES"
    names = registry_list.value.elts
    assert all(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in names)
    assert [n.value for n in names] == list(registry.STUDIES)
    slash_fit = next(s for s in registry.steps_of("slash") if s.rule == "slash_fit_sklearn")
    assert "src/dlrepro/studies/__init__.py" not in codedeps.step_code(slash_fit)
    assert "src/dlrepro/studies/slash/cli.py" in codedeps.step_code(slash_fit)
    assert "src/dlrepro/studies/__init__.py" in codedeps.command_code("dlrepro.report.build")
