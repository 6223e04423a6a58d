#!/usr/bin/env bash
# ModelGate, ONNX Runtime and OpenVINO side by side in one run: alternating rounds, medians, fp32
# and int8 (ModelGate's int8-static file in all three), 1 and 2 threads (Benchmarks/vs_peers.py).
# Usage: Benchmarks/vs-peers.sh [--rounds N] [--iterations N] [--warmup N] [--threads 1,2]
#        [--fp32-only] [--zoo] [--json-out FILE] [MODEL.onnx ...]
# Without models: the nine light models of .cache/onnx-suite/light (Tools/onnx-suite.sh makes them);
# --zoo adds the zoo's ONNX CNNs and transformers (.cache/zoo, `make zoo`). int8 files are made by
# Benchmarks/int8-bench-file.sh and kept under .cache/bench-models/<name>-int8-static/.
# The peers' venv is Benchmarks/peers-venv.sh. Builds `modelgate` in release mode first (skip with
# MODELGATE=path).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source Tools/python-env.sh
options=()
models=()
int8=1
zoo=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|--iterations|--warmup|--threads|--json-out) options+=("$1" "$2"); shift 2 ;;
    --fp32-only) int8=0; shift ;;
    --zoo) zoo=1; shift ;;
    *) models+=("$1"); shift ;;
  esac
done
MODELGATE="$(bash Benchmarks/modelgate-bin.sh)"
PEERS_PY="$(bash Benchmarks/peers-venv.sh)"
if [ ${#models[@]} -eq 0 ]; then
  models=(.cache/onnx-suite/light/*/model.onnx)
  if [ "$zoo" = 1 ]; then
    for model in .cache/zoo/tv_*/model.onnx .cache/zoo/hf_*/model.onnx; do
      case "$model" in *maskrcnn*|*fasterrcnn*|*ssd*|*retinanet*|*fcos*|*keypoint*) continue ;; esac
      models+=("$model")
    done
  fi
fi
export MODELGATE PY
rows=("${models[@]}")
if [ "$int8" = 1 ]; then listed="$(bash Benchmarks/int8-bench-file.sh "${models[@]}")"; mapfile -t rows <<< "$listed"; fi
exec "$PEERS_PY" Benchmarks/vs_peers.py --modelgate "$MODELGATE" "${options[@]}" "${rows[@]}"
