#!/usr/bin/env bash
# Render a flowguard HTML report in headless Chromium: a screenshot to look at, and the DOM after the report's
# script ran (proof that the script runs under the report's Content-Security-Policy and filters the table).
# Not part of `go test`: CI may lack Chromium. Needs Debian's chromium (apt-get install -y chromium).
#
#   scripts/html-screenshot.sh [REPORT.html] [OUT-DIR]
# Without REPORT.html it renders the golden sample (internal/report/testdata/sample.html), whose tags carry
# HTML and <script>: the screenshot must show them as text.
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:-internal/report/testdata/sample.html}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then echo "chromium not found: apt-get install -y chromium" >&2; exit 2; fi
url="file://$(realpath "$report")"
run() {
  # The background-networking flags keep Chromium from calling out (the page itself loads nothing).
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --hide-scrollbars "$@" 2>/dev/null
}
run --window-size=1400,1700 --screenshot="$out/report.png" "$url"
run --window-size=1400,1700 --screenshot="$out/report-fail.png" "$url#status=FAIL"
run --dump-dom "$url" >"$out/dom.html"
run --dump-dom "$url#status=FAIL" >"$out/dom-fail.html"

# The script ran (it fills the counter) and the filter hides rows; injected markup stayed text.
grep -Eo 'id="filter-count"[^>]*>[^<]*' "$out/dom.html" | grep -q ' of ' || { echo "report script did not run (CSP hash?)" >&2; exit 1; }
total=$(grep -c '<tr data-status=' "$out/dom.html")
hidden=$(grep -c '<tr data-status="[A-Z]*" data-account="[0-9]*" hidden' "$out/dom-fail.html" || true)
fails=$(grep -c '<tr data-status="FAIL"' "$out/dom-fail.html")
echo "rows: $total, FAIL rows: $fails, hidden by #status=FAIL: $hidden"
[ "$hidden" -eq $((total - fails)) ] || { echo "filter did not hide the non-FAIL rows" >&2; exit 1; }
# Sorting: by account descending puts 222222222222 first (the golden sample), ascending puts the IaC row first.
run --dump-dom "$url#sort=-1" >"$out/dom-sort.html"
first=$(grep -o '<tr data-status="[A-Z]*" data-account="[0-9]*"' "$out/dom-sort.html" | head -1)
echo "first row sorted by account descending: $first"
case "$report" in *testdata/sample.html) [[ "$first" == *'data-account="222222222222"'* ]] || { echo "sort did not reorder the rows" >&2; exit 1; } ;; esac
if grep -q '<script>alert' "$out/dom.html"; then echo "injected script became markup" >&2; exit 1; fi
echo "screenshots: $out/report.png $out/report-fail.png"
