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
# Both run the built-in paths (PATHS; the corpus's external TensorFlow Lite paths are TensorFlow's
# own converter on either side).
# Usage: [ROUNDS=3] [PATHS=fp32,fused] bash Benchmarks/vs-python-toolchain.sh [CORPUS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
corpus="${1:-Golden}"
python="$(bash Benchmarks/toolchain-venv.sh)"

modelgate="$(MODELGATE= bash Benchmarks/modelgate-bin.sh 2>"$root/.cache/vs-python-toolchain-build.log")" || {
  cat "$root/.cache/vs-python-toolchain-build.log" >&2; exit 2; }

out="$root/.cache/vs-python-toolchain"
mkdir -p "$out"
rounds="${ROUNDS:-1}"
paths="${PATHS:-fp32,fused,fp16,int8-dynamic,int8-static,prune-50}"
TIMEFORMAT='%R %U %S'
# Runs a command, its output to $1; prints "wall_ms cpu_ms status" (cpu: user + system of the job).
timed() {
  local log="$1" times wall user sys
  shift
  times=$( { time { "$@" >"$log" 2>&1; echo $? >"$log.status"; }; } 2>&1 )
  read -r wall user sys <<<"$times"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v st="$(cat "$log.status")" 'BEGIN { printf "%d %d %d\n", w * 1000, (u + s) * 1000, st }'
}
ms() { awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
summary() {
  "$python" -c 'import json, sys
print("%(cells)d cells: %(passed)d passed, %(failed)d failed, %(errors)d errors" % json.load(open(sys.argv[1]))["summary"])' "$1" 2>/dev/null || echo "no report"
}

echo "Python toolchain: $("$python" -c 'import tensorflow, keras, tf2onnx, onnx, onnxruntime, onnxconverter_common as c; print(f"TensorFlow {tensorflow.__version__}, Keras {keras.__version__}, tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, onnxconverter-common {c.__version__}")' 2>/dev/null)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '| %-5s | %-24s | %10s | %10s | %-40s | %4s |\n' "round" "job over $corpus" "wall time" "CPU time" "cells" "exit"
printf '|%s|%s|%s|%s|%s|%s|\n' "------:" "--------------------------" "-----------:" "-----------:" "------------------------------------------" "-----:"
ratios=()
cpu_ratios=()
for round in $(seq 1 "$rounds"); do
  rm -rf "$out/python" "$out/modelgate"
  read -r python_ms python_cpu python_status < <(timed "$out/python.log" \
    "$python" Benchmarks/vs_python_toolchain.py --corpus "$corpus" --paths "$paths" --out "$out/python")
  read -r modelgate_ms modelgate_cpu modelgate_status < <(timed "$out/modelgate.log" \
    "$modelgate" run --corpus "$corpus" --paths "$paths" --out "$out/modelgate")
  printf '| %5s | %-24s | %10s | %10s | %-40s | %4s |\n' "$round" "Python toolchain" "$(ms "$python_ms")" "$(ms "$python_cpu")" \
    "$(summary "$out/python/python-report.json")" "$python_status"
  printf '| %5s | %-24s | %10s | %10s | %-40s | %4s |\n' "$round" "modelgate run (release)" "$(ms "$modelgate_ms")" "$(ms "$modelgate_cpu")" \
    "$(summary "$out/modelgate/report.json")" "$modelgate_status"
  ratios+=("$(awk -v a="$python_ms" -v b="$modelgate_ms" 'BEGIN { print a / b }')")
  cpu_ratios+=("$(awk -v a="$python_cpu" -v b="$modelgate_cpu" 'BEGIN { print a / b }')")
done
echo
echo "Python toolchain wall time / modelgate run wall time: $(printf '%s\n' "${ratios[@]}" | median | xargs printf '%.2f×') (median of $rounds round(s): $(printf '%.2f× ' "${ratios[@]}"))"
echo "Python toolchain CPU time / modelgate run CPU time: $(printf '%s\n' "${cpu_ratios[@]}" | median | xargs printf '%.2f×') (median of $rounds round(s): $(printf '%.2f× ' "${cpu_ratios[@]}"))"
echo "per-cell lines: $out/python.log and $out/modelgate.log; reports: $out/python/python-report.json, $out/modelgate/report.json"
