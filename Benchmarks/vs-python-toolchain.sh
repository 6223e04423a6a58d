#!/usr/bin/env bash
# `modelgate run` against the Python toolchain doing the same job over a corpus (default Golden):
# Keras → ONNX export (tf2onnx), fp16, ONNX Runtime quantization, numpy pruning, onnx.checker and
# ONNX Runtime execution with the same comparisons and latency protocol (Benchmarks/vs_python_toolchain.py
# says exactly what each step uses). Both jobs run in this one invocation, Python first, each timed
# end to end (process start to exit, imports and model loading included); prints their wall times
# and the ratio.
#
# The Python side runs in .cache/venv-toolchain: a venv layered on .cache/venv-corpus (TensorFlow,
# Keras, PyTorch, onnx, onnxruntime; Tools/corpus/setup-venv.sh) through a .pth file, plus the pinned
# converters below. Reports and models land in .cache/vs-python-toolchain/.
# Usage: bash Benchmarks/vs-python-toolchain.sh [CORPUS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
corpus="${1:-Golden}"
requirements="tf2onnx==1.17.0 onnxconverter-common==1.16.0 PyYAML==6.0.4"

corpus_python="$(Tools/corpus/setup-venv.sh)"
venv="$root/.cache/venv-toolchain"
if [ ! -x "$venv/bin/python" ]; then
  "$corpus_python" -m venv "$venv"
fi
purelib() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
purelib "$corpus_python" > "$(purelib "$venv/bin/python")/venv-corpus.pth"
if [ "$(cat "$venv/.modelgate-requirements" 2>/dev/null)" != "$requirements" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check $requirements
  echo "$requirements" > "$venv/.modelgate-requirements"
fi

swift build -c release --product modelgate >"$root/.cache/vs-python-toolchain-build.log" 2>&1 || {
  cat "$root/.cache/vs-python-toolchain-build.log" >&2; exit 2; }
modelgate="$(swift build -c release --show-bin-path)/modelgate"

out="$root/.cache/vs-python-toolchain"
rm -rf "$out/python" "$out/modelgate"
mkdir -p "$out"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds() { printf "%d.%03d" $(( $1 / 1000 )) $(( $1 % 1000 )); }

echo "== Python toolchain ($("$venv/bin/python" -c 'import tensorflow, keras, tf2onnx, onnx, onnxruntime, onnxconverter_common as c; print(f"TensorFlow {tensorflow.__version__}, Keras {keras.__version__}, tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, onnxconverter-common {c.__version__}")' 2>/dev/null))"
start=$(now_ms)
python_status=0
"$venv/bin/python" Benchmarks/vs_python_toolchain.py --corpus "$corpus" --out "$out/python" 2>"$out/python.stderr.log" || python_status=$?
python_ms=$(( $(now_ms) - start ))

echo "== modelgate run --corpus $corpus (release build)"
start=$(now_ms)
modelgate_status=0
"$modelgate" run --corpus "$corpus" --out "$out/modelgate" >"$out/modelgate.log" 2>&1 || modelgate_status=$?
modelgate_ms=$(( $(now_ms) - start ))
sed -n '/^model /,$p' "$out/modelgate.log"

summary() {
  "$venv/bin/python" -c 'import json, sys
print("%(cells)d cells: %(passed)d passed, %(failed)d failed, %(errors)d errors" % json.load(open(sys.argv[1]))["summary"])' "$1" 2>/dev/null || echo "no report"
}
echo
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| %-24s | %10s | %-40s | %4s |\n' "job over $corpus" "wall time" "cells" "exit"
printf '|%s|%s|%s|%s|\n' "--------------------------" "-----------:" "------------------------------------------" "-----:"
printf '| %-24s | %8.1f s | %-40s | %4s |\n' "Python toolchain" "$(seconds $python_ms)" "$(summary "$out/python/python-report.json")" "$python_status"
printf '| %-24s | %8.1f s | %-40s | %4s |\n' "modelgate run (release)" "$(seconds $modelgate_ms)" "$(summary "$out/modelgate/report.json")" "$modelgate_status"
printf 'Python toolchain / modelgate run: %d.%02d×\n' $(( python_ms / modelgate_ms )) $(( python_ms * 100 / modelgate_ms % 100 ))
