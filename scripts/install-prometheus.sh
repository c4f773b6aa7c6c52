#!/usr/bin/env bash
# Installs Debian's prometheus (server + promtool) for the dashboard/alert checks
# (test/integration/prometheus.test.ts). Idempotent and quiet on success; run as root on
# Debian 12. The tests start their own prometheus on a free port: the packaged service must
# not start, and a refused or failed service start must not fail this script.
set -euo pipefail

SCRIPT_NAME=install-prometheus
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v prometheus >/dev/null && command -v promtool >/dev/null && exit 0
[ "$(id -u)" -eq 0 ] || die "need root to apt-get install prometheus (run: sudo bash $0)"
command -v apt-get >/dev/null || die "apt-get not found (expected Debian 12)"

# Debian's invoke-rc.d asks /usr/sbin/policy-rc.d before starting a service; "exit 101"
# means "do not start". Docker images ship one; add ours only for the install when missing.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  added_policy=1
fi
cleanup() { [ "$added_policy" -eq 1 ] && rm -f "$policy"; return 0; }
trap cleanup EXIT

quiet apt-get update
# Without systemd (containers) the postinst may still try to start the service and fail;
# dpkg then leaves the package half-configured. Retry configuration once, then judge only
# by whether the binaries are there (showing apt's output if they are not).
install_log=""
if ! install_log="$(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus 2>&1)"; then
  env DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
fi

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "$install_log" >&2
  die "prometheus/promtool not found after apt-get install prometheus"
fi
