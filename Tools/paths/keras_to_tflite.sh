#!/usr/bin/env bash
# Runs Tools/paths/keras_to_tflite.py with the TensorFlow venv .cache/venv-corpus
# (made by Tools/corpus/setup-venv.sh if missing). Arguments pass through: [--fp32|--fp16|--int8] IN OUT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$root/.cache/venv-corpus/bin/python"
[ -x "$python" ] || python="$(bash "$root/Tools/corpus/setup-venv.sh")"
exec "$python" "$here/keras_to_tflite.py" "$@"
