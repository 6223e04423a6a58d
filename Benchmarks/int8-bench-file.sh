#!/usr/bin/env bash
# Makes (once) ModelGate's int8-static file of each MODEL for the latency benchmarks and prints, for
# each, MODEL and then its file: .cache/bench-models/<name>-int8-static/model.onnx, <name> being
# MODEL's folder. Calibrated on the calibration.h5 beside MODEL or in Golden/<name>/, else on 8 random
# samples (Tools/random-calibration.py) after Tools/int8-bench-model.py brings the model to opset 13
# with its weights as initializers. Used by vs-onnxruntime.sh and vs-peers.sh for their row lists.
# Usage: MODELGATE=bin PY=python bash Benchmarks/int8-bench-file.sh MODEL.onnx ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
for model in "$@"; do
  echo "$model"
  name="$(basename "$(dirname "$model")")"
  folder=".cache/bench-models/$name-int8-static"
  out="$folder/model.onnx"
  if [ ! -f "$out" ]; then
    mkdir -p "$folder"
    calibration=""
    for candidate in "$(dirname "$model")/calibration.h5" "Golden/$name/calibration.h5"; do
      if [ -f "$candidate" ]; then calibration="$candidate"; break; fi
    done
    if [ -n "$calibration" ]; then
      "$MODELGATE" optimize "$model" "$out" --path int8-static --calibration "$calibration" >&2
    else
      "$PY" Tools/int8-bench-model.py "$model" "$folder/source.onnx"
      "$PY" Tools/random-calibration.py "$folder/source.onnx" "$folder/calibration.h5"
      "$MODELGATE" optimize "$folder/source.onnx" "$out" --path int8-static --calibration "$folder/calibration.h5" >&2
    fi
  fi
  echo "$out"
done
