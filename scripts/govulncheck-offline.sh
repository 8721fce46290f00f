#!/usr/bin/env bash
# govulncheck without network access to vuln.go.dev: the Go module proxy serves golang.org/x/vulndb, whose
# data/osv holds every report as OSV JSON; vulndb's own indexdb command turns that folder into the v1
# database layout that `govulncheck -db file://…` reads. The database is built once per vulndb version
# (cached under ${XDG_CACHE_HOME:-~/.cache}/flowguard).
set -euo pipefail
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/flowguard/vulndb-$VULNDB_VERSION
if [ ! -f "$cache/index/db.json" ]; then
  src=$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$src/data/osv" ] || { echo "govulncheck-offline: no data/osv in golang.org/x/vulndb@$VULNDB_VERSION" >&2; exit 1; }
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
  (cd "$(mktemp -d)" && go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp")
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi
exec go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$cache" "$@"
