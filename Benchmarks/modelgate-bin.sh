#!/usr/bin/env bash
# Prints the modelgate binary a benchmark measures: $MODELGATE when set, else the release build
# (built here first; its log goes to standard error).
set -euo pipefail
if [ -n "${MODELGATE:-}" ]; then
  echo "$MODELGATE"
  exit 0
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
swift build -c release --product modelgate >&2
echo "$(swift build -c release --show-bin-path)/modelgate"
