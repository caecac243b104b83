package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/postgres"
	"quotacert/internal/store/sqlite"
)

// dbFlags are the storage flags shared by every command that opens the database.
type dbFlags struct {
	data string
	db   string
	blob string

	// Set by serve alone (registerServing): the other commands run long statements on purpose.
	statementTimeout time.Duration // PostgreSQL statement_timeout; 0 none
	lockTimeout      time.Duration // PostgreSQL lock_timeout, SQLite busy wait; 0: none / SQLite's default
	synchronous      string        // SQLite PRAGMA synchronous; "" FULL
}

// registerServing adds the flags that tune the database for serving requests.
func (f *dbFlags) registerServing(fs *flag.FlagSet, getenv env) {
	fs.DurationVar(&f.statementTimeout, "db-statement-timeout", envDuration(getenv, "QUOTACERT_DB_STATEMENT_TIMEOUT", 10*time.Second), "PostgreSQL: a statement running longer is ended and answered 503 (QUOTACERT_DB_STATEMENT_TIMEOUT)")
	fs.DurationVar(&f.lockTimeout, "db-lock-timeout", envDuration(getenv, "QUOTACERT_DB_LOCK_TIMEOUT", 5*time.Second), "the longest wait for a lock (PostgreSQL lock_timeout, SQLite write lock) before a clear 503 (QUOTACERT_DB_LOCK_TIMEOUT)")
	fs.StringVar(&f.synchronous, "sqlite-synchronous", envOr(getenv, "QUOTACERT_SQLITE_SYNCHRONOUS", "FULL"), "SQLite: FULL (a saved certification survives a power loss) or NORMAL (faster commits, the last ones may be lost on power loss) (QUOTACERT_SQLITE_SYNCHRONOUS)")
}

// envDuration reads a duration from the environment, def when unset or unreadable.
func envDuration(getenv env, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil {
		return d
	}
	return def
}

func (f *dbFlags) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&f.data, "data", envOr(getenv, "QUOTACERT_DATA", "./data"), "data directory: the data key quotacert.key, SQLite file quotacert.db and attachments under files/ (QUOTACERT_DATA)")
	fs.StringVar(&f.db, "db", getenv("QUOTACERT_DB"), "database: empty = SQLite in --data; postgres://… = PostgreSQL (QUOTACERT_DB)")
	fs.StringVar(&f.blob, "blob", getenv("QUOTACERT_BLOB"), "attachment store: empty = files under --data; s3://BUCKET[/PREFIX]?endpoint=HOST:PORT&region=R, credentials from QUOTACERT_S3_ACCESS_KEY and QUOTACERT_S3_SECRET_KEY (QUOTACERT_BLOB)")
}

func envOr(getenv env, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// envInt reads an integer from the environment, def when unset or not a number (the flag then
// reports nothing: flags override the environment anyway).
func envInt(getenv env, key string, def int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil {
		return n
	}
	return def
}

// newFlagSet returns a flag set that reports errors instead of exiting, so run returns exit code 2.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("quotacert "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// openStore opens and migrates the configured database, seeding reference data on first use.
// Commands go through openKeyed, which also checks the data key.
func (f *dbFlags) openStore(ctx context.Context, now func() time.Time) (*store.DB, error) {
	// The data directory holds the key, the SQLite file and the attachments: only the server's
	// account may enter it (one made by an earlier release with 0750 is narrowed).
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", f.data, err)
	}
	if st, err := os.Stat(f.data); err == nil && st.Mode().Perm()&0o077 != 0 {
		// Best effort: a directory the account does not own keeps its mode; what is inside is 0600.
		_ = os.Chmod(f.data, 0o700)
	}
	var db *store.DB
	var err error
	switch {
	case f.db == "":
		db, err = sqlite.OpenWith(ctx, filepath.Join(f.data, "quotacert.db"), now,
			sqlite.Config{LockTimeout: f.lockTimeout, Synchronous: f.synchronous})
	case strings.HasPrefix(f.db, "postgres://"), strings.HasPrefix(f.db, "postgresql://"):
		db, err = postgres.OpenWith(ctx, f.db, now,
			postgres.Config{StatementTimeout: f.statementTimeout, LockTimeout: f.lockTimeout})
	default:
		return nil, fmt.Errorf("--db must be empty (SQLite) or a postgres:// URL")
	}
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, refdata.Step()); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}
