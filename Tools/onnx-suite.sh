#!/usr/bin/env bash
set -euo pipefail
# Writes the ONNX backend test data into .cache/onnx-suite/ in the standard layout
#   <suite>/<case>/model.onnx
#   <suite>/<case>/test_data_set_N/input_K.pb, output_K.pb
# for the suites node/ (generated from onnx's node test case definitions),
# simple/, pytorch-converted/, pytorch-operator/ (copied from the onnx wheel) and
# light/ (the wheel's light models with the inputs onnx's test runner feeds them).
# The work is done by Tools/onnx_suite.py; .cache/onnx-suite/README.txt records
# how each suite was produced.
#
# Idempotent: .cache/onnx-suite/.stamp holds the onnx and numpy versions, a hash
# of this script and the helper, and the case counts.  When the stamp matches and
# the number of model.onnx files on disk equals its case count, nothing is redone.
# Otherwise everything is written into a temporary directory beside it and moved
# into place only once complete.
#
# Usage: Tools/onnx-suite.sh [--force] [--check] [--verify-light]
#   --force         regenerate even if the output is up to date
#   --check         afterwards parse every model.onnx and .pb file
#   --verify-light  afterwards run onnx.reference.ReferenceEvaluator on the light/
#                   cases and compare with their output_0.pb (about a minute);
#                   reports mismatches without failing the script

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
cd "$(dirname "$self")/.."

force=0
check=0
verify_light=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --check) check=1 ;;
    --verify-light) verify_light=1 ;;
    -h|--help) sed -n '3,/^$/p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "onnx-suite: unknown argument $arg" >&2; exit 2 ;;
  esac
done

# shellcheck source=Tools/python-env.sh
source Tools/python-env.sh

out=.cache/onnx-suite
helper=Tools/onnx_suite.py
versions="$("$PY" -c 'import importlib.metadata as m; print("onnx=" + m.version("onnx"), "numpy=" + m.version("numpy"), "ml_dtypes=" + m.version("ml_dtypes"))')"
scripts_hash="$(cat "$self" "$helper" | sha256sum | cut -c1-16)"
key="$versions scripts=$scripts_hash"

print_summary() {
  # Per-suite lines and the total, from a stamp file.
  local stamp="$1" suite
  for suite in node simple pytorch-converted pytorch-operator light; do
    printf 'onnx-suite: %-18s %5s cases\n' "$suite/" "$(sed -n "s/^$suite=//p" "$stamp")"
  done
  printf 'onnx-suite: %-18s %5s cases (%s)\n' "total" "$(sed -n 's/^cases=//p' "$stamp")" "$versions"
}

up_to_date() {
  [ -f "$out/.stamp" ] || return 1
  [ "$(sed -n 1p "$out/.stamp")" = "$key" ] || return 1
  local expected on_disk
  expected="$(sed -n 's/^cases=//p' "$out/.stamp")"
  on_disk="$(find "$out" -mindepth 3 -maxdepth 3 -name model.onnx | wc -l)"
  [ "$on_disk" = "$expected" ]
}

if [ "$force" = 0 ] && up_to_date; then
  echo "onnx-suite: $out is up to date"
  print_summary "$out/.stamp"
else
  echo "onnx-suite: writing $out ($versions)"
  mkdir -p .cache
  tmp="$(mktemp -d .cache/onnx-suite.tmp.XXXXXX)"
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"
  "$PY" "$helper" generate --out "$tmp" --stamp-key "$key"
  # Swap the complete result into place.
  old=""
  if [ -e "$out" ]; then
    old="$(mktemp -d .cache/onnx-suite.old.XXXXXX)"
    mv "$out" "$old/"
  fi
  mv "$tmp" "$out"
  trap - EXIT
  [ -z "$old" ] || rm -rf "$old"
  print_summary "$out/.stamp"
  if grep -q '^Cases that could not be written' "$out/README.txt"; then
    echo "onnx-suite: some cases could not be written, see $out/README.txt" >&2
  fi
fi

if [ "$check" = 1 ]; then
  "$PY" "$helper" check "$out"
fi
if [ "$verify_light" = 1 ]; then
  "$PY" "$helper" verify-light "$out" || echo "onnx-suite: light outputs differ from ReferenceEvaluator (shipped outputs are kept)"
fi
