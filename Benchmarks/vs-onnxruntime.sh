#!/usr/bin/env bash
# ModelGate against ONNX Runtime, side by side, at 1 and 2 threads on the same inputs.
# Usage: Benchmarks/vs-onnxruntime.sh [--iterations N] [--warmup N] [--threads 1,2] [--fp32-only] [MODEL ...]
# Without models: the light models of .cache/onnx-suite/light (Tools/onnx-suite.sh makes them) and the
# models of Golden/ (Keras ones converted to ONNX by `modelgate optimize --path fp32`). Every model also
# gets an int8-static row (skip with --fp32-only), its file made by Benchmarks/int8-bench-file.sh.
# Converted and quantized files are kept under .cache/bench-models/<name>[-int8-static]/model.onnx.
# Builds `modelgate` in release mode first (skip with MODELGATE=path).
# OPENBLAS_* variables are left as they are (they steer OpenBLAS in ModelGate's runs) and printed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source Tools/python-env.sh
options=()
models=()
int8=1
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations|--warmup|--threads|--target|--json-out) options+=("$1" "$2"); shift 2 ;;
    --fp32-only) int8=0; shift ;;
    *) models+=("$1"); shift ;;
  esac
done
MODELGATE="$(bash Benchmarks/modelgate-bin.sh)"
store=.cache/bench-models
if [ ${#models[@]} -eq 0 ]; then
  models=(.cache/onnx-suite/light/*/model.onnx)
  for source in Golden/*/model.*; do
    name="$(basename "$(dirname "$source")")"
    case "$source" in
      *.onnx) models+=("$source") ;;
      *.h5|*.keras)
        mkdir -p "$store/$name"
        [ -f "$store/$name/model.onnx" ] || "$MODELGATE" optimize "$source" "$store/$name/model.onnx" --path fp32 >&2
        models+=("$store/$name/model.onnx") ;;
    esac
  done
fi
export MODELGATE PY
rows=("${models[@]}")
if [ "$int8" = 1 ]; then listed="$(bash Benchmarks/int8-bench-file.sh "${models[@]}")"; mapfile -t rows <<< "$listed"; fi
exec "$PY" Benchmarks/vs_onnxruntime.py --modelgate "$MODELGATE" "${options[@]}" "${rows[@]}"
