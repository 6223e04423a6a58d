#!/usr/bin/env bash
# Static int8 quantization, ModelGate against ONNX Runtime's quantize_static (per channel, QDQ,
# MinMax), side by side on the ONNX models of a corpus that have golden labels.
# Usage: bash Benchmarks/quantization-vs-ort.sh [CORPUS]   (default: Golden)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source Tools/python-env.sh
bin="$(MODELGATE= bash Benchmarks/modelgate-bin.sh)"
exec "$PY" Benchmarks/quantization_vs_ort.py --modelgate "$bin" --corpus "${1:-Golden}"
