#!/usr/bin/env bash
# Builds the zoo corpus in .cache/zoo/ with the corpus venv (made once by Tools/corpus/setup-venv.sh).
# Arguments go to Tools/zoo/make_zoo.py (--only PATTERN,… --families …).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$(bash "$here/../corpus/setup-venv.sh")"
cd "$here"
exec "$python" make_zoo.py "$@"
