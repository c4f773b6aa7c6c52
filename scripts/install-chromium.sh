#!/usr/bin/env bash
# Installs Debian's chromium for the review-UI browser test (test/e2e/review-ui.test.ts).
# Idempotent and quiet on success; run as root on Debian 12. playwright-core drives it at
# /usr/bin/chromium — never `npx playwright install` (no browser downloads on our machines).
set -euo pipefail

SCRIPT_NAME=install-chromium
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -x /usr/bin/chromium ] && exit 0
[ "$(id -u)" -eq 0 ] || die "need root to apt-get install chromium (run: sudo bash $0)"
command -v apt-get >/dev/null || die "apt-get not found (expected Debian 12)"

quiet apt-get update
quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
