#!/usr/bin/env bash
# Measures `quotacert import wages` against each database's own bulk path on the same generated
# file in the same run: SQLite `.import` and PostgreSQL `COPY`, each into a bare table with the
# same primary key as registry_wages. Prints rows/s, the ratio, and quotacert's peak memory.
# The machine's other load moves both speeds; compare ratios within one run (docs/EXCHANGE.md).
#
# usage: scripts/bench-import.sh [ROWS] [PG_DSN]
#   ROWS    default 1000000
#   ONLY=sqlite or ONLY=postgres (environment) measures one database only
#   PG_DSN  default $QUOTACERT_TEST_PG or postgres://postgres@127.0.0.1:5432/test?sslmode=disable
# Needs: go, sqlite3, psql, GNU time (/usr/bin/time). A fresh schema is created in PostgreSQL and
# dropped at the end.
set -euo pipefail
ROWS=${1:-1000000}
PG=${2:-${QUOTACERT_TEST_PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}}
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
SCHEMA=bench_import_$$
cleanup() { psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

go build -o "$WORK/quotacert" ./cmd/quotacert
"$WORK/quotacert" gen-wages "$ROWS" "$WORK/wages.csv"
echo "file: $ROWS rows, $(du -h "$WORK/wages.csv" | cut -f1)"
export QUOTACERT_KEY=$(printf '07%.0s' $(seq 32))

now() { date +%s.%N; }
rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
timed() { # timed LABEL CMD... → sets SECS and RSS_KB
	local t0 t1
	t0=$(now)
	/usr/bin/time -f "%M" -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
	t1=$(now)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	RSS_KB=$(tail -1 "$WORK/rss")
}

ONLY=${ONLY:-}
SQ_QC=1 SQ_NATIVE=1 SQ_RSS=0 PG_QC=1 PG_NATIVE=1 PG_RSS=0

# SQLite ------------------------------------------------------------------------------------------
if [ "$ONLY" != postgres ]; then
mkdir -p "$WORK/sq"
"$WORK/quotacert" migrate --data "$WORK/sq" >/dev/null
timed "$WORK/quotacert" import wages "$WORK/wages.csv" --data "$WORK/sq"
SQ_QC=$SECS SQ_RSS=$RSS_KB
cat >"$WORK/bare.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE w (idNumber TEXT NOT NULL, creditCode TEXT NOT NULL, month TEXT NOT NULL, amount TEXT NOT NULL,
                PRIMARY KEY (idNumber, creditCode, month));
.mode csv
.import --skip 1 $WORK/wages.csv w
SQL
timed sqlite3 "$WORK/bare.db" ".read $WORK/bare.sql"
SQ_NATIVE=$SECS
fi

# PostgreSQL --------------------------------------------------------------------------------------
if [ "$ONLY" != sqlite ]; then
psql -q "$PG" -c "CREATE SCHEMA $SCHEMA" >/dev/null
case "$PG" in *\?*) PGS="$PG&search_path=$SCHEMA" ;; *) PGS="$PG?search_path=$SCHEMA" ;; esac
"$WORK/quotacert" migrate --db "$PGS" --data "$WORK/pg" >/dev/null
timed "$WORK/quotacert" import wages "$WORK/wages.csv" --db "$PGS" --data "$WORK/pg"
PG_QC=$SECS PG_RSS=$RSS_KB
psql -q "$PG" -c "CREATE TABLE $SCHEMA.w (idNumber TEXT NOT NULL, creditCode TEXT NOT NULL, month TEXT NOT NULL,
    amount NUMERIC(14,2) NOT NULL, PRIMARY KEY (idNumber, creditCode, month))" >/dev/null
timed psql -q "$PG" -c "\\copy $SCHEMA.w FROM '$WORK/wages.csv' WITH (FORMAT csv, HEADER true)"
PG_NATIVE=$SECS
fi

printf '\n%-10s %14s %14s %8s %12s\n' database "quotacert r/s" "native r/s" ratio "quotacert RSS"
printf '%-10s %14s %14s %8s %10s MB\n' sqlite "$(rate "$SQ_QC")" "$(rate "$SQ_NATIVE")" \
	"$(awk -v a="$SQ_NATIVE" -v b="$SQ_QC" 'BEGIN { printf "%.2f", a / b }')" "$((SQ_RSS / 1024))"
printf '%-10s %14s %14s %8s %10s MB\n' postgres "$(rate "$PG_QC")" "$(rate "$PG_NATIVE")" \
	"$(awk -v a="$PG_NATIVE" -v b="$PG_QC" 'BEGIN { printf "%.2f", a / b }')" "$((PG_RSS / 1024))"
echo "(ratio = quotacert speed / native speed; native = sqlite3 .import / psql \\copy into a bare table with the same primary key)"
