#!/usr/bin/env bash
# Creates (once) the Python venv .cache/venv-corpus with the pinned packages of
# Tools/corpus/requirements.txt (TensorFlow, Keras, PyTorch, scikit-learn, onnx, onnxruntime,
# h5py, numpy) for the corpus and Keras fixture scripts. About 4 GB and a few minutes on first run.
# Separate from .cache/venv (Tools/python-env.sh), which the tests use.
# Usage: Tools/corpus/setup-venv.sh            → prints the venv's python
#        VENV=/some/dir Tools/corpus/setup-venv.sh   (another location)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$root/.cache/venv-corpus}"
requirements="$here/requirements.txt"
stamp="$venv/.modelgate-requirements"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --upgrade pip
fi
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
