#!/usr/bin/env bash
# Installs what quotacert's tests and PDF letters need from Debian's packages: Chromium (browser
# tests), poppler-utils (pdftotext reads the letters back), Chinese fonts (letters), sqlite3 (the
# import benchmark's baseline). Idempotent and quick when everything is present. Without root it
# only reports what is missing; the tests then skip those parts locally (CI requires them).
set -euo pipefail
cd "$(dirname "$0")/.."

# axe-core for the accessibility scans of the browser tests (npm; pinned by e2e/package-lock.json).
if [ ! -f e2e/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null; then
    echo "setup: installing axe-core (npm ci in e2e/)" >&2
    npm ci --prefix e2e --no-audit --no-fund --loglevel=error >/dev/null
  else
    echo "setup: npm not found: the accessibility scans are skipped" >&2
  fi
fi

packages=(chromium poppler-utils fonts-arphic-gbsn00lp fonts-droid-fallback sqlite3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]}); the tests that need them are skipped" >&2
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
