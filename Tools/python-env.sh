#!/usr/bin/env bash
# Creates (once) the Python venv under .cache/venv that the Tools/ scripts use, with pinned packages.
# ml_dtypes is pinned: 0.7 casts float to int2/int4 differently, which changes the expected outputs
# onnx writes for its Cast/CastLike int2 and int4 backend cases.
# Usage: source Tools/python-env.sh  → sets $PY to the venv's python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.cache/venv"
stamp="$venv/.modelgate-requirements"
requirements="onnx==1.23.2 numpy h5py onnxruntime==1.32.0 ml_dtypes==0.6.0"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$requirements" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check $requirements
  echo "$requirements" > "$stamp"
fi
PY="$venv/bin/python"
export PY
