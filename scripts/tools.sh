#!/usr/bin/env bash
# Builds the real servers the tests start on loopback — MinIO (S3 object storage) and Mailpit (SMTP
# with an HTTP API) — from the Go module proxy, once per version, and keeps the binaries outside the
# repository under ${QUOTACERT_TOOLS:-$HOME/.cache/quotacert-tools}/NAME-VERSION/NAME.
#
#   source scripts/tools.sh      build what is missing, export QUOTACERT_MINIO and QUOTACERT_MAILPIT
#   bash scripts/tools.sh --env  the same, printing the two assignments for eval
#
# Silent when everything is cached; one line per build otherwise. A build takes a lock in the cache
# folder, so worktrees sharing it never build the same server twice at once. A failed build fails
# the run in CI (CI=true); elsewhere it warns and the tests that need the server skip.
# internal/testsrv pins the same versions and looks in the same place (TestToolVersions checks).

quotacert_tools_main() {
  local root="${QUOTACERT_TOOLS:-$HOME/.cache/quotacert-tools}"
  local minio_version=v0.0.0-20260212201848-7aac2a2c5b7c
  local mailpit_version=v1.33.1
  local failed=0
  quotacert_tool_build "$root" minio github.com/minio/minio "$minio_version" || failed=1
  quotacert_tool_build "$root" mailpit github.com/axllent/mailpit "$mailpit_version" || failed=1
  export QUOTACERT_MINIO="$root/minio-$minio_version/minio"
  export QUOTACERT_MAILPIT="$root/mailpit-$mailpit_version/mailpit"
  if [ "$failed" -ne 0 ]; then
    if [ "${CI:-}" = true ]; then
      echo "tools: a test server could not be built (see above); CI requires it" >&2
      return 1
    fi
    echo "tools: a test server could not be built (see above); its tests will skip" >&2
  fi
  return 0
}

# quotacert_tool_build ROOT NAME MODULE VERSION builds ROOT/NAME-VERSION/NAME unless it is there.
quotacert_tool_build() {
  local root="$1" name="$2" module="$3" version="$4"
  local dir="$root/$name-$version"
  [ -x "$dir/$name" ] && return 0
  mkdir -p "$root" || return 1
  (
    # Wait for a build of the same tool by another worktree, then look again.
    if command -v flock >/dev/null; then
      exec 9>"$root/.$name.lock"
      flock 9
    fi
    [ -x "$dir/$name" ] && exit 0
    local tmp start
    tmp=$(mktemp -d "$root/.$name-build.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
    start=$SECONDS
    printf 'tools: building %s %s from the Go module proxy into %s …' "$name" "$version" "$dir" >&2
    if ! GOBIN="$tmp" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOWORK=off \
      go install -trimpath "$module@$version" >"$tmp/build.log" 2>&1; then
      printf ' failed after %d s:\n' "$((SECONDS - start))" >&2
      tail -n 20 "$tmp/build.log" >&2
      exit 1
    fi
    mkdir -p "$dir" && mv "$tmp/$name" "$dir/$name.new" && mv "$dir/$name.new" "$dir/$name" || exit 1
    printf ' done in %d s\n' "$((SECONDS - start))" >&2
  )
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  quotacert_tools_main
  if [ "${1:-}" = --env ]; then
    printf 'export QUOTACERT_MINIO=%q\nexport QUOTACERT_MAILPIT=%q\n' "$QUOTACERT_MINIO" "$QUOTACERT_MAILPIT"
  fi
else
  quotacert_tools_main
fi
