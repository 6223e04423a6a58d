#!/usr/bin/env bash
# Makes (once) the venv of the runtime peers and prints its python: .cache/venv-peers (or
# $PEERS_VENV), layered on the corpus venv (Benchmarks/layered-venv.sh: onnx, onnxruntime), plus
# OpenVINO pinned below. Used by Benchmarks/vs-peers.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec bash "$root/Benchmarks/layered-venv.sh" "${PEERS_VENV:-$root/.cache/venv-peers}" "openvino==2026.4.1"
