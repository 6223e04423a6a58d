#!/usr/bin/env bash
# Every built-in path on every model of a corpus (ONNX, and Keras through its fp32 conversion), checked by onnx.checker (full check) and run
# by ONNX Runtime on the golden inputs: max |error| against fp32, top-1 agreement, accuracy, size.
# Usage: bash Benchmarks/paths-vs-ort.sh [CORPUS] [PATHS]   (defaults: Golden, the built-in paths)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source Tools/python-env.sh
corpus="${1:-Golden}"
paths="${2:-fused fp16 int8-dynamic int8-static prune-50 prune-channels-25 fused+int8-static prune-50+int8-static}"
swift build -c release --product modelgate >/dev/null
bin="$(swift build -c release --show-bin-path)/modelgate"
out=.build/paths-vs-ort
mkdir -p "$out"
status=0
# Keras sources are converted to ONNX first; that conversion is the reference their paths are judged against.
for model in "$corpus"/*/model.onnx "$corpus"/*/model.h5 "$corpus"/*/model.keras; do
  [ -f "$model" ] || continue
  name="$(basename "$(dirname "$model")")"
  golden="$(dirname "$model")/golden.h5"
  [ -f "$golden" ] || continue
  echo "== $name"
  reference="$model"
  if [ "${model##*.}" != onnx ]; then
    reference="$out/$name.fp32.onnx"
    rm -f "$reference"
    if ! "$bin" convert "$model" "$reference" >"$out/$name.fp32.log" 2>&1; then
      echo "   fp32: $(tail -1 "$out/$name.fp32.log")"
      status=1
      continue
    fi
  fi
  outputs=()
  for path in $paths; do
    target="$out/$name.$path.onnx"
    rm -f "$target"
    if "$bin" optimize "$model" "$target" --path "$path" >"$out/$name.$path.log" 2>&1; then
      outputs+=("$target")
    else
      echo "   $path: $(tail -1 "$out/$name.$path.log")"
      status=1
    fi
  done
  "$PY" Benchmarks/optimize_check.py --golden "$golden" --reference "$reference" "${outputs[@]}" || status=1
done
exit $status
