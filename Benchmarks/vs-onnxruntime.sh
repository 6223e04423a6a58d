#!/usr/bin/env bash
# ModelGate against ONNX Runtime, side by side, at 1 and 2 threads on the same inputs.
# Usage: Benchmarks/vs-onnxruntime.sh [--iterations N] [--warmup N] [--threads 1,2] [--fp32-only] [MODEL ...]
# Without models: the light models of .cache/onnx-suite/light (Tools/onnx-suite.sh makes them) and the
# models of Golden/ (Keras ones converted to ONNX by `modelgate optimize --path fp32`). Every model also
# gets an int8-static row (skip with --fp32-only): `modelgate optimize --path int8-static` calibrated on
# Golden/<name>/calibration.h5, or for other models on 8 random samples (Tools/random-calibration.py)
# after Tools/int8-bench-model.py brings it to opset 13 with its weights as initializers. Converted
# and quantized files are kept under .cache/bench-models/<name>[-int8-static]/model.onnx.
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
# The int8-static file of MODEL (an ONNX file named model.onnx in a directory named after the model).
quantized() {
  local model="$1" name
  name="$(basename "$(dirname "$model")")"
  local out="$store/$name-int8-static/model.onnx"
  if [ ! -f "$out" ]; then
    mkdir -p "$store/$name-int8-static"
    if [ -f "Golden/$name/calibration.h5" ]; then
      "$MODELGATE" optimize "$model" "$out" --path int8-static --calibration "Golden/$name/calibration.h5" >&2
    else
      "$PY" Tools/int8-bench-model.py "$model" "$store/$name-int8-static/source.onnx"
      "$PY" Tools/random-calibration.py "$store/$name-int8-static/source.onnx" "$store/$name-int8-static/calibration.h5"
      "$MODELGATE" optimize "$store/$name-int8-static/source.onnx" "$out" --path int8-static \
        --calibration "$store/$name-int8-static/calibration.h5" >&2
    fi
  fi
  echo "$out"
}
rows=()
for model in "${models[@]}"; do
  rows+=("$model")
  if [ "$int8" = 1 ]; then rows+=("$(quantized "$model")"); fi
done
exec "$PY" Benchmarks/vs_onnxruntime.py --modelgate "$MODELGATE" "${options[@]}" "${rows[@]}"
