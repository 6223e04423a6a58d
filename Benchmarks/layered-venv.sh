#!/usr/bin/env bash
# Makes (once) a venv layered on the corpus venv (TensorFlow, Keras, PyTorch, onnx, onnxruntime,
# h5py; Tools/corpus/setup-venv.sh) through a .pth file, with the pinned packages given, and
# prints its python. Reinstalls when the pins change.
# Usage: bash Benchmarks/layered-venv.sh VENV_DIR "pkg==1.0 other==2.0"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$1"
requirements="$2"
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
