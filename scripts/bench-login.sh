#!/usr/bin/env bash
# Issue 14's login flood, measured against a baseline in the same run: CLIENTS clients (default 300)
# log in to the demo employer at once, again and again, for DURATION (default 30s), from 127.0.0.1,
# while the demo reviewer logs in every second from 127.0.1.1 (another network). Each server is the
# real binary (serve --demo --captcha off, SQLite in a temporary directory); the baseline is built from
# BASE (default: the merge base with main, i.e. before the throttle), the other from the work tree.
# Prints each run's logins/s, p50/p99, the ordinary user's latencies and the server's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${CLIENTS:-300}"
DURATION="${DURATION:-30s}"
BASE="${BASE:-$(git merge-base HEAD main)}"
tmp="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$tmp/base" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/quotacert" ./cmd/quotacert
git worktree add --detach "$tmp/base" "$BASE" >/dev/null 2>&1
(cd "$tmp/base" && go build -o "$tmp/quotacert-base" ./cmd/quotacert)

run() { # name binary
  local name="$1" bin="$2" data="$tmp/data-$1"
  mkdir -p "$data"
  "$bin" serve --addr 127.0.0.1:0 --data "$data" --demo --captcha off >"$tmp/$name.out" 2>"$tmp/$name.log" &
  local pid=$!
  for _ in $(seq 1 120); do grep -q "serving on" "$tmp/$name.out" 2>/dev/null && break; sleep 0.5; done
  local url; url="$(grep -o 'http://[0-9.:]*' "$tmp/$name.out" | head -1)"
  echo "== $name ($bin, $url): $CLIENTS clients for $DURATION"
  "$tmp/quotacert" load --url "$url" --login-flood "$CLIENTS" --duration "$DURATION" \
    --employer 91220101MA14U8XK2R --password Demo@2026 --ordinary reviewer:Demo@2026 --server-pid "$pid"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
run baseline "$tmp/quotacert-base"
run throttled "$tmp/quotacert"
