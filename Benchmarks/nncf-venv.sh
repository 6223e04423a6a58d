#!/usr/bin/env bash
# Makes (once) the NNCF venv and prints its python: .cache/venv-nncf (or $NNCF_VENV), layered on
# the corpus venv (Benchmarks/layered-venv.sh), plus NNCF pinned below. Used by
# Benchmarks/auto-int8-vs-nncf.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/Benchmarks/layered-venv.sh" "${NNCF_VENV:-$root/.cache/venv-nncf}" "nncf==3.4.0 PyYAML==6.0.4"
