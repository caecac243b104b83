#!/usr/bin/env bash
# Installs what quotacert needs beyond Go modules, idempotently and quickly when all is present.
#   scripts/setup.sh run    the Chinese fonts of the certification letter (fonts-arphic-gbsn00lp for
#                           GB2312 and ASCII, fonts-hanazono for CJK Extensions A and B such as 𠀾,
#                           fonts-droid-fallback for other rare characters)
#   scripts/setup.sh test   the above plus Chromium (browser tests), poppler-utils (pdftotext reads
#                           letters back), sqlite3 (the import benchmark's baseline), haproxy (the
#                           three-instance test behind a load balancer) and axe-core (npm,
#                           pinned by e2e/package-lock.json) for the accessibility scans
# Without root it only reports what is missing: the server then says it cannot draw letters, and the
# tests that need a missing piece skip locally (CI requires them).
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-test}"
packages=(fonts-arphic-gbsn00lp fonts-droid-fallback fonts-hanazono)
if [ "$what" = test ]; then
  packages+=(chromium poppler-utils sqlite3 haproxy)
  if [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null; then
      echo "setup: installing axe-core (npm ci in e2e/)" >&2
      npm ci --prefix e2e --no-audit --no-fund --loglevel=error >/dev/null
    else
      echo "setup: npm not found: the accessibility scans are skipped" >&2
    fi
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup: missing Debian packages: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
