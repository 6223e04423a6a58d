#!/usr/bin/env bash
# ModelGate's optimization paths side by side with the Python toolchain's equivalents on every model
# of a corpus (corpus.yml): `modelgate optimize` of the source (Keras and TFLite sources converted to
# ONNX by `modelgate convert` for the fp32 reference) against onnxconverter-common fp16, ONNX Runtime
# quantize_dynamic / quantize_static (QDQ, per channel, MinMax, int8) and numpy magnitude pruning
# applied to that same fp32 ONNX file, both calibrated on the model's calibration.h5. Every file goes
# through onnx.checker (full check) and ONNX Runtime on the golden inputs; prints one Markdown row per
# model × path (cosine to golden, max |error|, top-1 agreement, size, verdict) and a summary line.
# Benchmarks/paths_vs_ort.py says exactly what is measured.
#
# Usage: [MODELGATE=bin] [ONLY=a,b] [REUSE=1] [KEEP=1] [TIMEOUT=s] bash Benchmarks/paths-vs-ort.sh [CORPUS] [PATHS]
#   CORPUS  default Golden; PATHS default "fp16 int8-dynamic int8-static prune-50" (any `modelgate
#           optimize` path; those without a Python equivalent get ModelGate's columns only)
#   MODELGATE  the binary to use (default: `swift build -c release`); ONLY: model-name substrings;
#   REUSE=1 keeps models already measured (their rows.json); KEEP=1 keeps the ONNX files;
#   TIMEOUT: seconds per modelgate command (default 3600).
# The Python side runs in .cache/venv-toolchain (made by Benchmarks/toolchain-venv.sh;
# TOOLCHAIN_VENV=dir for another). Results: .cache/paths-vs-ort/<corpus>/<model>/ (rows.json, logs).
# Exit 1 when a ModelGate file fails, or its cosine is below the Python toolchain's by more than two
# standard errors over golden and calibration samples paired (on golden alone where they cannot be paired).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
corpus="${1:-Golden}"
paths="${2:-fp16 int8-dynamic int8-static prune-50}"

python="$(bash Benchmarks/toolchain-venv.sh)"

bin="$(bash Benchmarks/modelgate-bin.sh)"

out="$root/.cache/paths-vs-ort/$(basename "$(cd "$corpus" && pwd)")"
mkdir -p "$out"
echo "paths: $paths; corpus: $corpus; $(date -u +%Y-%m-%dT%H:%MZ); $("$python" -c 'import onnx, onnxruntime, onnxconverter_common as c; print(f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, onnxconverter-common {c.__version__}")')" >&2
keep=()
[ "${KEEP:-0}" = 1 ] && keep=(--keep)
reuse=()
[ "${REUSE:-0}" = 1 ] && reuse=(--reuse)
while IFS=$'\t' read -r name source golden calibration; do
  "$python" Benchmarks/paths_vs_ort.py model --modelgate "$bin" --name "$name" --source "$source" --golden "$golden" \
    --calibration "$calibration" --paths "$paths" --out "$out" --timeout "${TIMEOUT:-3600}" "${keep[@]}" "${reuse[@]}" \
    || echo "$name: the measurement itself failed (see above)" >&2
done < <("$python" Benchmarks/paths_vs_ort.py models "$corpus" --only "${ONLY:-}")
"$python" Benchmarks/paths_vs_ort.py table "$out" --corpus "$corpus" --only "${ONLY:-}" --paths "$paths"
