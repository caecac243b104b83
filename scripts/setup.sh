#!/usr/bin/env bash
# Installs what quotacert's tests and PDF letters need from Debian's packages: Chromium (browser
# tests), poppler-utils (pdftotext reads the letters back), Chinese fonts (letters), sqlite3 (the
# import benchmark's baseline). Idempotent and quick when everything is present. Without root it
# only reports what is missing; the tests then skip those parts locally (CI requires them).
set -euo pipefail

packages=(chromium poppler-utils fonts-arphic-gbsn00lp fonts-droid-fallback sqlite3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]}); the tests that need them are skipped" >&2
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
