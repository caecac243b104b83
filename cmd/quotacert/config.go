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

// dbFlags are the database flags shared by every command that opens the database.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet, getenv env) {
	fs.StringVar(&f.data, "data", envOr(getenv, "QUOTACERT_DATA", "./data"), "data directory: SQLite file quotacert.db and attachments under files/ (QUOTACERT_DATA)")
	fs.StringVar(&f.db, "db", getenv("QUOTACERT_DB"), "database: empty = SQLite in --data; postgres://… = PostgreSQL (QUOTACERT_DB)")
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
func (f *dbFlags) openStore(ctx context.Context, now func() time.Time) (*store.DB, error) {
	if err := os.MkdirAll(f.data, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", f.data, err)
	}
	var db *store.DB
	var err error
	switch {
	case f.db == "":
		db, err = sqlite.Open(ctx, filepath.Join(f.data, "quotacert.db"), now)
	case strings.HasPrefix(f.db, "postgres://"), strings.HasPrefix(f.db, "postgresql://"):
		db, err = postgres.Open(ctx, f.db, now)
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
