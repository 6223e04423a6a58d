#!/usr/bin/env bash
# Makes (once) the Python toolchain's venv and prints its python: .cache/venv-toolchain (or
# $TOOLCHAIN_VENV), layered on the corpus venv (TensorFlow, Keras, PyTorch, onnx, onnxruntime;
# Tools/corpus/setup-venv.sh) through a .pth file, plus the pinned converters below.
# Used by Benchmarks/vs-python-toolchain.sh and Benchmarks/paths-vs-ort.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="tf2onnx==1.17.0 onnxconverter-common==1.16.0 PyYAML==6.0.4"
venv="${TOOLCHAIN_VENV:-$root/.cache/venv-toolchain}"
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
