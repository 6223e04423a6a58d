#!/usr/bin/env bash
# Makes (once) the NNCF venv and prints its python: .cache/venv-nncf (or $NNCF_VENV), layered on
# the corpus venv (onnx, onnxruntime, numpy, h5py; Tools/corpus/setup-venv.sh) through a .pth
# file, plus NNCF pinned below. Used by Benchmarks/auto-int8-vs-nncf.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="nncf==3.4.0"
venv="${NNCF_VENV:-$root/.cache/venv-nncf}"
corpus_python="$(bash "$root/Tools/corpus/setup-venv.sh")"
if [ ! -x "$venv/bin/python" ]; then
  "$corpus_python" -m venv "$venv" >&2
fi
purelib() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
purelib "$corpus_python" > "$(purelib "$venv/bin/python")/venv-corpus.pth"
if [ "$(cat "$venv/.modelgate-requirements" 2>/dev/null)" != "$requirements" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check $requirements >&2
  echo "$requirements" > "$venv/.modelgate-requirements"
fi
echo "$venv/bin/python"
