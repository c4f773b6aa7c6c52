#!/usr/bin/env bash
# Installs the real components the test suites start (Debian 12, run as root in CI).
# Idempotent and quiet on success: each component is a function that skips what is already
# there. Usage: scripts/install-test-deps.sh [component ...]   (default: all components)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMPONENTS=(postgresql unleash_server prometheus chromium helm)

APT_UPDATED=0

SCRIPT_NAME=install-test-deps
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# apt_install PKG... — installs the missing ones; 'apt-get update' at most once per run.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]} (run: sudo bash $0)"
  if [ "$APT_UPDATED" -eq 0 ]; then
    quiet apt-get update
    APT_UPDATED=1
  fi
  quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Packaged services must not start: tests run their own instances on free ports. Debian's
# invoke-rc.d asks /usr/sbin/policy-rc.d; "exit 101" means "do not start". Docker images
# ship one; add ours only for the duration of the install when there is none.
without_service_start() {
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ] && [ "$(id -u)" -eq 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added=1
  fi
  local status=0
  "$@" || status=$?
  [ "$added" -eq 1 ] && rm -f "$policy"
  return "$status"
}

# PostgreSQL >= 14 for the Unleash server (test/support/unleash-server.ts runs initdb/pg_ctl
# from /usr/lib/postgresql/*/bin itself; the packaged cluster is not used).
install_postgresql() {
  if compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null && id postgres >/dev/null 2>&1; then
    return 0
  fi
  without_service_start apt_install postgresql
}

# unleash-server, pinned by tools/unleash-server/package-lock.json. --ignore-scripts: nothing
# in it needs an install script, and none may download anything.
install_unleash_server() {
  local dir="$ROOT/tools/unleash-server"
  local stamp="$dir/node_modules/.installed-lock-sha256"
  command -v npm >/dev/null || die "npm not found (Node.js 20 is required)"
  local want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    [ -f "$dir/node_modules/unleash-server/dist/server.js" ]; then
    return 0
  fi
  # npm ci empties node_modules first, so a failed run never leaves a stale stamp behind.
  (cd "$dir" && quiet npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

# Prometheus + promtool (dashboard queries and alert rules are checked against the real thing).
install_prometheus() {
  bash "$ROOT/scripts/install-prometheus.sh"
}

# Debian's chromium, driven by playwright-core in the review-UI browser test.
install_chromium() {
  bash "$ROOT/scripts/install-chromium.sh"
}

# The pinned helm binary in .tools/helm/ for the chart checks (helm lint/template).
install_helm() {
  bash "$ROOT/scripts/install-helm.sh"
}

main() {
  local selected=("$@") component
  [ "${#selected[@]}" -gt 0 ] || selected=("${COMPONENTS[@]}")
  for component in "${selected[@]}"; do
    declare -F "install_$component" >/dev/null || die "unknown component '$component' (known: ${COMPONENTS[*]})"
    "install_$component"
  done
}

main "$@"
