#!/usr/bin/env bash
# Makes (once) the Python toolchain's venv and prints its python: .cache/venv-toolchain (or
# $TOOLCHAIN_VENV), layered on the corpus venv (Benchmarks/layered-venv.sh), plus the pinned
# converters below. Used by Benchmarks/vs-python-toolchain.sh and Benchmarks/paths-vs-ort.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/Benchmarks/layered-venv.sh" "${TOOLCHAIN_VENV:-$root/.cache/venv-toolchain}" \
  "tf2onnx==1.17.0 onnxconverter-common==1.16.0 PyYAML==6.0.4"
