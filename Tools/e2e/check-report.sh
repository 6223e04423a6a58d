#!/usr/bin/env bash
# End-to-end check of report.html in a real headless Chromium (Debian package `chromium`).
#
# 1. `modelgate run` on the bundled corpus (E2E_PATHS, default fp32,int8-static) into a temp dir.
# 2. Tools/e2e/report_check.py opens report.html over the DevTools protocol and asserts: no console
#    errors, uncaught exceptions or network requests; one matrix row per model of report.json with
#    its verdicts; sorting by a header click; a cell click opening its drill-down; expand/collapse.
#    The screenshot goes to .cache/e2e/report.png.
# 3. The same check on two deliberately broken copies of the page (a script that throws, and a
#    console.error), each of which must fail: proof that the check sees what it claims to see.
#
# MODELGATE names the binary to use (default: the release build, built if missing).
# Exit 0 when the real report passes and both broken copies fail, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."

CORPUS=${CORPUS:-Golden}
E2E_PATHS=${E2E_PATHS:-fp32,int8-static}
SCREENSHOT=.cache/e2e/report.png

if ! command -v chromium >/dev/null; then
  echo "check-report: chromium is not installed; run \`make e2e\`, which installs it" >&2
  exit 2
fi
source Tools/python-env.sh
if [ -z "${MODELGATE:-}" ]; then
  swift build -c release --product modelgate
  MODELGATE=$(swift build -c release --show-bin-path)/modelgate
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/modelgate-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

status=0
"$MODELGATE" run --corpus "$CORPUS" --paths "$E2E_PATHS" --out "$work/report" >"$work/run.log" 2>&1 || status=$?
if [ "$status" -ge 2 ] || [ ! -f "$work/report/report.html" ]; then
  echo "check-report: \`modelgate run\` failed with status $status and wrote no report:" >&2
  tail -n 20 "$work/run.log" >&2
  exit 1
fi
echo "check-report: modelgate run --paths $E2E_PATHS exited $status; checking its report.html"

failed=0
"$PY" Tools/e2e/report_check.py "$work/report/report.html" "$work/report/report.json" --screenshot "$SCREENSHOT" || failed=1

# A script error in the page: sorting and the drill-down script never get wired up.
sed 's/table\.tHead\.rows\[0\]\.cells/table.tHead.rowz[0].cells/' "$work/report/report.html" >"$work/throws.html"
# A console error from an otherwise working page.
sed 's|</body>|<script>console.error("deliberate console error")</script></body>|' "$work/report/report.html" >"$work/console-error.html"
for broken in throws console-error; do
  if cmp -s "$work/report/report.html" "$work/$broken.html"; then
    echo "check-report: could not break the page for the '$broken' self-test (the writer changed?)" >&2
    failed=1
    continue
  fi
  set +e
  "$PY" Tools/e2e/report_check.py "$work/$broken.html" "$work/report/report.json" >"$work/$broken.log" 2>&1
  code=$?
  set -e
  if [ "$code" -eq 1 ]; then
    echo "check-report: self-test '$broken': the broken page fails as it must ($(grep -c . "$work/$broken.log") findings, first: $(head -n 1 "$work/$broken.log" | sed 's/^report_check: [^:]*: //'))"
  else
    echo "check-report: self-test '$broken': the deliberately broken page exited $code instead of failing the check:" >&2
    cat "$work/$broken.log" >&2
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "check-report: passed; screenshot $SCREENSHOT"
