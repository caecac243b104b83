#!/usr/bin/env bash
# The test command of the README: formatting, vet, staticcheck, the whole test-suite (store tests on
# SQLite and on PostgreSQL, browser tests in headless Chromium), then each fuzz target briefly.
# Benchmarks are not part of it: `make bench` runs them.
#
# PostgreSQL: QUOTACERT_TEST_PG, or the local server at 127.0.0.1:5432 when it answers.
# In CI (CI=true) a missing PostgreSQL or Chromium fails the run instead of skipping.
# FUZZTIME sets each fuzz target's time (default 10s; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh test

# The real servers of the object-storage and mail tests (MinIO, Mailpit): built once from the Go
# module proxy, cached outside the repository, their paths exported for internal/testsrv.
source scripts/tools.sh

if [ -z "${QUOTACERT_TEST_PG:-}" ]; then
  default_pg='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
  if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    export QUOTACERT_TEST_PG="$default_pg"
  else
    echo "test: PostgreSQL not reachable at 127.0.0.1:5432 and QUOTACERT_TEST_PG unset: PostgreSQL store tests will skip" >&2
  fi
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go tool staticcheck ./...

echo "== go test"
go test -count=1 -timeout 20m ./...

fuzztime="${FUZZTIME:-10s}"
if [ "$fuzztime" != "0" ]; then
  echo "== fuzz (${fuzztime} each)"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      echo "-- $pkg $target"
      # Go 1.26's fuzz coordinator can report its own -fuzztime deadline as a failure ("context
      # deadline exceeded", no input written; golang/go#75804, fixed in Go 1.27). Only that exact
      # outcome is tried again, at most twice; a failing input always fails the run.
      for try in 1 2 3; do
        if go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg" >/tmp/quotacert-fuzz.log 2>&1; then
          break
        fi
        if [ "$try" -lt 3 ] && grep -q '^    context deadline exceeded$' /tmp/quotacert-fuzz.log &&
          ! grep -q 'Failing input written' /tmp/quotacert-fuzz.log; then
          echo "   the fuzz coordinator's deadline race (golang/go#75804), no failing input: again"
          continue
        fi
        cat /tmp/quotacert-fuzz.log; echo "fuzz target $target failed"; exit 1
      done
    done
  done
fi
echo "== all checks passed"
