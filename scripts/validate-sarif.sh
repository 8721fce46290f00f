#!/usr/bin/env bash
# Validate SARIF files against the SARIF 2.1.0 JSON schema and Microsoft's SARIF rules with the SARIF
# Multitool (npm package @microsoft/sarif-multitool-linux, which ships the schema). Not part of `go test`:
# it needs npm. Defaults to the golden sample of internal/report.
#
#   scripts/validate-sarif.sh [FILE.sarif ...]
set -euo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(internal/report/testdata/sample.sarif)
tool_dir=${SARIF_MULTITOOL_DIR:-${TMPDIR:-/tmp}/flowguard-sarif-multitool}
mt="$tool_dir/node_modules/@microsoft/sarif-multitool-linux"
if [ ! -x "$mt/Sarif.Multitool" ]; then
  mkdir -p "$tool_dir"
  npm install --prefix "$tool_dir" --no-audit --no-fund @microsoft/sarif-multitool-linux@5.7.0 >/dev/null
  chmod u+x "$mt/Sarif.Multitool"
fi
status=0
for f in "${files[@]}"; do
  out=$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt/Sarif.Multitool" validate -j "$mt/sarif-2.1.0.json" \
    "$(realpath "$f")" -o "$(mktemp -d)/validation.sarif" 2>&1)
  problems=$(grep -E ': (error|warning) ' <<<"$out" || true)
  if grep -q ': error ' <<<"$problems"; then status=1; fi
  echo "$f: ${problems:-valid}"
done
exit $status
