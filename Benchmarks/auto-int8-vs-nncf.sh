#!/usr/bin/env bash
# int8-auto against NNCF's quantize_with_accuracy_control on the same fp32 graphs, calibration
# data and budget (Benchmarks/auto_int8_vs_nncf.py says exactly what is measured).
# Builds the corpus first when it is missing (Tools/corpus/sensitive_nets.py: three trained
# networks whose plain int8-static misses the budget in their corpus.yml), runs
# `modelgate run --paths fp32,int8-static,int8-auto` on it, then NNCF in .cache/venv-nncf.
# Prints a table of ModelGate's paths (accuracy, nodes kept float, size, latency) and one against
# NNCF; exits 1 unless ModelGate meets the budget with no more float nodes and in less time on
# every model.
# Usage: [MODELGATE=bin] bash Benchmarks/auto-int8-vs-nncf.sh [CORPUS]   (default .cache/int8-auto)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
corpus="${1:-.cache/int8-auto}"
if [ ! -f "$corpus/corpus.yml" ]; then
  corpus_python="$(bash Tools/corpus/setup-venv.sh)"
  (cd Tools/corpus && "$corpus_python" sensitive_nets.py "$root/$corpus")
fi
python="$(bash Benchmarks/nncf-venv.sh)"
bin="$(bash Benchmarks/modelgate-bin.sh)"
out="$root/.cache/auto-int8-vs-nncf"
rm -rf "$out"
echo "corpus: $corpus; $(date -u +%Y-%m-%dT%H:%MZ); $("$python" -c 'import nncf, onnxruntime; print(f"nncf {nncf.__version__}, onnxruntime {onnxruntime.__version__}")')" >&2
"$bin" run --corpus "$corpus" --paths fp32,int8-static,int8-auto --out "$out" --jobs 1 >&2 || true
"$python" Benchmarks/auto_int8_vs_nncf.py "$corpus" "$out" --out "$out/nncf" 2> "$out/nncf.log"
