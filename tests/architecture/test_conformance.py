"""Every registered study has the standard shape, and nothing unregistered exists.

The registry (dlrepro.studies.STUDIES) is the one list the Snakefile, CLI, report, SLURM
profile and tests derive from; this test is what makes a half-added study fail loudly."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import yaml

from dlrepro.core.params import load_project_params
from dlrepro.paths import PACKAGE, ROOT, SCHEMA
from dlrepro.pipeline import registry
from dlrepro.pipeline.declare import Out, Steps
from dlrepro.studies import STUDIES

STUDIES_DIR = PACKAGE / "studies"
PARAMS = load_project_params(ROOT)
SMOKE = yaml.safe_load((ROOT / "config" / "smoke.yaml").read_text())
SCHEMA_PROPS = yaml.safe_load(SCHEMA.read_text())["properties"]


def test_every_study_package_is_registered_once():
    packages = sorted(p.name for p in STUDIES_DIR.iterdir() if (p / "__init__.py").is_file())
    assert sorted(STUDIES) == packages
    assert len(set(STUDIES)) == len(STUDIES)


def test_no_study_specific_rule_files():
    # rules are generated from the declarations; only the shared glue lives in workflow/rules
    assert sorted(p.name for p in (ROOT / "workflow" / "rules").glob("*.smk")) == [
        "common.smk",
        "report.smk",
        "steps.smk",
    ]


@pytest.mark.parametrize("study", STUDIES)
def test_study_has_the_standard_shape(study):
    folder = STUDIES_DIR / study
    for name in ("cli.py", "claims.yaml", "page.md"):
        assert (folder / name).is_file(), f"{study}: missing {name}"
    module = __import__(f"dlrepro.studies.{study}.cli", fromlist=["steps"])
    assert isinstance(module.steps, Steps) and module.steps.owner == study
    steps = registry.steps_of(study)
    assert steps, f"{study}: declares no steps"
    outputs = {a.resolve(PARAMS) for s in steps for a in s.files(Out).values()}
    assert f"results/{study}/comparison.csv" in outputs, f"{study}: no step writes comparison.csv"
    # ... and writes it, with the table and metrics.json, through the one write_results
    (compare,) = [
        s for s in steps
        if f"results/{study}/comparison.csv" in {a.resolve(PARAMS) for a in s.files(Out).values()}
    ]  # fmt: skip
    calls = {
        n.func.id
        for n in ast.walk(ast.parse(inspect.getsource(compare.func)))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "write_results" in calls, f"{study}: {compare.rule} does not call write_results"
    # one caption per declared report figure, and none for figures that do not exist
    figures = {Path(a.path).stem for s in steps for a in s.files(Out).values() if a.figure}
    captions = {p.stem for p in (folder / "captions").glob("*.rst")}
    assert figures and figures == captions, (study, figures ^ captions)
    claims = yaml.safe_load((folder / "claims.yaml").read_text())
    assert {"title", "post", "source"} <= claims.keys()
    assert (ROOT / "params" / f"{study}.yaml").is_file(), f"no params/{study}.yaml"
    assert study in PARAMS, f"params/{study}.yaml has no {study}: section"
    assert study in SCHEMA_PROPS, f"{SCHEMA.name} has no {study}: section"
    if any(s.gpu for s in steps):  # anything trained has a smoke scale
        assert study in SMOKE, f"config/smoke.yaml has no {study}: overrides"


def _imported_modules(path: Path) -> set[str]:
    mods = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            mods |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            mods |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return mods


@pytest.mark.parametrize("study", STUDIES)
def test_no_study_imports_another(study):
    others = {s for s in STUDIES if s != study}
    for path in sorted((STUDIES_DIR / study).glob("*.py")):
        bad = sorted(
            m
            for m in _imported_modules(path)
            if m.startswith("dlrepro.studies.") and m.split(".")[2] in others
        )
        assert not bad, f"{path.relative_to(ROOT)} imports another study: {bad}"


def test_rule_names_are_unique():
    rules = [s.rule for s in registry.all_steps()]
    assert len(rules) == len(set(rules))


def _numbers(post) -> list[float]:
    """The numbers a claim's `post` cell shows (a value, or an ordering's quoted values)."""
    import re

    if isinstance(post, (int, float)) and not isinstance(post, bool):
        return [post]
    return (
        [float(x) for x in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", str(post))]
        if "<" in str(post)
        else []
    )


def _spellings(v: float) -> set[str]:
    """How a post may print v: as is, to 2-3 decimals, without the leading 0, in percent, or as a unit fraction."""
    out = {str(v), f"{v:g}", f"{v:,.0f}" if float(v).is_integer() else f"{v:.2f}", f"{v:.3f}"}
    if 0 < v < 1:
        out |= {f"{v:.2f}"[1:], f"{v * 100:g}%", f"{v * 100:.0f}%", f"%{v * 100:g}"}
        if (1 / v).is_integer():  # a unit fraction, as a post may write it: 1/4
            out.add(f"1/{int(1 / v)}")
    return out


@pytest.mark.parametrize("study", STUDIES)
def test_claims_have_kinds_and_post_cells_quote_the_post(study):
    """Every claim loads (kind, fixed date, reasons); every number a non-check claim shows as the
    post's appears in the post's text: nothing the post does not say is shown as the post's."""
    from dlrepro.core.claims import load_claims

    claims = load_claims(STUDIES_DIR / study / "claims.yaml")
    text = (ROOT / claims["source"].split()[0]).read_text()
    for c in claims["claims"]:
        if c["kind"] == "check":
            continue
        for v in _numbers(c["post"]):
            assert any(s in text for s in _spellings(v)), (c["claim"], v)
