// Package storetest opens fresh, migrated databases for tests: SQLite in a temporary directory and,
// when QUOTACERT_TEST_PG holds a DSN, PostgreSQL in a schema of its own that is dropped afterwards.
// Every store test runs on both through Each, so the two dialects cannot drift.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema set-up

	"quotacert/internal/store"
	"quotacert/internal/store/postgres"
	"quotacert/internal/store/sqlite"
)

// Clock is a settable test clock; tests inject it where the server injects time.Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Required reports whether a missing test dependency must fail instead of skip: in CI (CI=true) or
// when QUOTACERT_REQUIRE_ALL=1, so that CI never passes by skipping.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("QUOTACERT_REQUIRE_ALL") == "1"
}

// Options adjust the databases Each opens.
type Options struct {
	Now   func() time.Time // default time.Now
	Steps []store.Step     // extra migration steps, e.g. reference data
	// Before, when set, migrates only the schema files named before it (and no extra steps): a
	// database as an older release left it, for tests of the migrations that follow.
	Before string
	// LockTimeout, when set, replaces the default wait for a lock (SQLite's writer, PostgreSQL's
	// lock_timeout), for tests of a held lock.
	LockTimeout time.Duration
}

// Each runs fn once per database, as subtests "sqlite" and "postgres".
func Each(t *testing.T, opt Options, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t, opt)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t, opt)) })
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB, opt Options) *store.DB {
	t.Helper()
	cfg := sqlite.DefaultConfig()
	if opt.LockTimeout > 0 {
		cfg.LockTimeout = opt.LockTimeout
	}
	db, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "test.db"), nowOf(opt), cfg)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db, opt)
	return db
}

// PGDSN returns the PostgreSQL test DSN, skipping (or failing when Required) if none is set.
func PGDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("QUOTACERT_TEST_PG")
	if dsn == "" {
		if Required() {
			t.Fatal("QUOTACERT_TEST_PG is not set, but PostgreSQL tests are required here (CI)")
		}
		t.Skip("PostgreSQL tests skipped: set QUOTACERT_TEST_PG=postgres://… to run them")
	}
	return dsn
}

// Postgres opens a migrated PostgreSQL database in a fresh schema, dropped when the test ends.
func Postgres(t testing.TB, opt Options) *store.DB {
	t.Helper()
	cfg := postgres.DefaultConfig()
	if opt.LockTimeout > 0 {
		cfg.LockTimeout = opt.LockTimeout
	}
	db, err := postgres.OpenWith(context.Background(), PGSchemaDSN(t), nowOf(opt), cfg)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db, opt)
	return db
}

// PGSchemaDSN creates an empty schema of its own on the test server and returns a DSN whose
// search_path points at it; the schema is dropped when the test ends. Tests that start the server
// binary on PostgreSQL use it so that runs never see each other's tables.
func PGSchemaDSN(t testing.TB) string {
	t.Helper()
	dsn := PGDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "qc_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse QUOTACERT_TEST_PG: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func nowOf(opt Options) func() time.Time {
	if opt.Now != nil {
		return opt.Now
	}
	return time.Now
}

func migrate(t testing.TB, db *store.DB, opt Options) {
	t.Helper()
	if opt.Before != "" {
		migrateBefore(t, db, opt.Before)
		return
	}
	if _, err := db.Migrate(context.Background(), opt.Steps...); err != nil {
		t.Fatalf("migrate %s: %v", db.Dialect(), err)
	}
}

// migrateBefore applies the schema steps named before name as Migrate does (store.ApplyStep: each
// in its transaction, recorded in schema_migrations), so that a later Migrate applies the rest.
func migrateBefore(t testing.TB, db *store.DB, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
	steps, err := db.SQLSteps()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		if step.Name >= name {
			break
		}
		if _, err := db.ApplyStep(ctx, step); err != nil {
			t.Fatalf("migration %s: %v", step.Name, err)
		}
	}
}
