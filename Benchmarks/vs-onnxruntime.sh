#!/usr/bin/env bash
# ModelGate against ONNX Runtime, side by side, at 1 and 2 threads on the same inputs.
# Usage: Benchmarks/vs-onnxruntime.sh [--iterations N] [--warmup N] [--threads 1,2] [MODEL.onnx ...]
# Without models: the light models of .cache/onnx-suite/light (Tools/onnx-suite.sh makes them) and the
# ONNX models of Golden/. Builds `modelgate` in release mode first (skip with MODELGATE=path).
# OPENBLAS_* variables are left as they are (they steer OpenBLAS in ModelGate's runs) and printed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source Tools/python-env.sh
options=()
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations|--warmup|--threads|--target|--json-out) options+=("$1" "$2"); shift 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
if [ ${#models[@]} -eq 0 ]; then
  models=(.cache/onnx-suite/light/*/model.onnx)
  for model in Golden/*/model.onnx; do [ -f "$model" ] && models+=("$model"); done
fi
if [ -z "${MODELGATE:-}" ]; then
  swift build -c release --product modelgate >&2
  MODELGATE="$(swift build -c release --show-bin-path)/modelgate"
fi
exec "$PY" Benchmarks/vs_onnxruntime.py --modelgate "$MODELGATE" "${options[@]}" "${models[@]}"
