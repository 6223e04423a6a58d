#!/usr/bin/env bash
# The mutation benchmark (issue #18): classic conversion bugs injected into correct ONNX conversions of
# zoo models as external paths, judged by `modelgate run` with its default thresholds, and the same
# outputs judged by Polygraphy's default comparison (rtol = atol = 1e-5, elemwise).
# Usage: Benchmarks/mutations.sh [--all | --models a,b,…] [--jobs N]
#   default: a subset of about 20 small zoo models (Benchmarks/mutations.py, DEFAULT_MODELS);
#   --all: every float32 model of the zoo.
# Environment: ZOO (default .cache/zoo, `make zoo`), CORPUS (default .cache/mutations), MODELGATE
# (default: a release build of this checkout), PY (default: the corpus venv's python when it exists,
# else the one Tools/python-env.sh makes).
# Writes the corpus and its run under $CORPUS (report in $CORPUS/report), prints the tables, and
# writes them as JSON to $CORPUS/results.json. Latency is not gated, so each cell times only 3 runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
selection=()
jobs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --all) selection=(--all); shift ;;
    --models) selection=(--models "$2"); shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "usage: Benchmarks/mutations.sh [--all | --models a,b,…] [--jobs N]" >&2; exit 2 ;;
  esac
done
if [ -z "${PY:-}" ]; then
  if [ -x .cache/venv-corpus/bin/python ]; then
    PY="$root/.cache/venv-corpus/bin/python"
  else
    source Tools/python-env.sh
  fi
fi
MODELGATE="$(bash Benchmarks/modelgate-bin.sh)"
export MODELGATE
zoo="${ZOO:-.cache/zoo}"
corpus="${CORPUS:-.cache/mutations}"
"$PY" Benchmarks/mutations.py prepare --zoo "$zoo" --corpus "$corpus" --modelgate "$MODELGATE" ${selection[@]+"${selection[@]}"}
rm -rf "$corpus/report"
status=0
"$MODELGATE" run --corpus "$corpus" --out "$corpus/report" --jobs "$jobs" --latency-runs 3 --warmup 1 > "$corpus/run.log" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
  tail -20 "$corpus/run.log" >&2
  exit "$status"
fi
"$PY" Benchmarks/mutations.py report --corpus "$corpus" --run "$corpus/report" --json "$corpus/results.json"
