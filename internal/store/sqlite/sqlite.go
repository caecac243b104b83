// Package sqlite opens the embedded default database: modernc.org/sqlite (pure Go, no cgo) with WAL,
// foreign keys, synchronous=FULL, one writer connection with immediate transactions and a pool of
// query_only readers; each connection keeps its prepared statements (stmtcache.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"quotacert/internal/store"
)

// dialect is SQLite's part of the shared store.
func dialect() store.Dialect {
	return store.Dialect{
		Name: "sqlite",
		Types: map[string]string{
			"{{id}}":        "INTEGER PRIMARY KEY",
			"{{blob}}":      "BLOB",
			"{{timestamp}}": "DATETIME",
		},
		// BEGIN IMMEDIATE (see Open) already serialises writers, migrators included.
		LockMigrations: func(context.Context, store.Execer) error { return nil },
		IsUniqueViolation: func(err error) bool {
			var e *sqlite.Error
			if !errors.As(err, &e) {
				return false
			}
			return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		},
		AfterMigrate: func(ctx context.Context, db *sql.DB) error {
			_, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			return err
		},
		Fault: fault,
	}
}

// Config tunes the SQLite database; the zero value is DefaultConfig.
type Config struct {
	// LockTimeout bounds how long a write waits for the write lock (the writer connection, and
	// busy_timeout against another process) before it fails with a clear 503. Default 5 s.
	LockTimeout time.Duration
	// Synchronous is the PRAGMA synchronous level: "FULL" (default: a commit is on the disk before
	// the answer, so a certification survives a power loss) or "NORMAL" (WAL stays consistent, but
	// the last commits before a power loss may be lost).
	Synchronous string
}

// DefaultConfig is the configuration the server runs with unless flags say otherwise.
func DefaultConfig() Config { return Config{LockTimeout: 5 * time.Second, Synchronous: "FULL"} }

// Open opens (creating if needed) the SQLite file at path with DefaultConfig.
func Open(ctx context.Context, path string, now func() time.Time) (*store.DB, error) {
	return OpenWith(ctx, path, now, DefaultConfig())
}

// OpenWith opens (creating if needed) the SQLite file at path.
//
// Two pools share the file. The writer pool has one connection and _txlock=immediate: a
// transaction takes the write lock at BEGIN (a transaction that reads and then writes could
// otherwise fail at once with SQLITE_BUSY), and writers queue in Go for the one connection, at most
// LockTimeout. The read pool's connections are query_only and begin deferred transactions: under WAL
// they read a consistent snapshot beside the writer and never take the write lock, so signed-in
// page views do not queue behind saves.
//
// The file is created 0600 before SQLite opens it: SQLite gives its WAL and shared-memory files the
// mode of the database file, so all three are readable by the server's account alone (they hold
// sealed identifiers beside names and disability data). Files made by an earlier release (0644)
// are narrowed. secure_delete overwrites deleted rows, so that what is removed (a person, a
// session, a dropped column) does not linger in free pages of the file.
func OpenWith(ctx context.Context, path string, now func() time.Time, cfg Config) (*store.DB, error) {
	if cfg.LockTimeout <= 0 {
		cfg.LockTimeout = DefaultConfig().LockTimeout
	}
	switch strings.ToUpper(cfg.Synchronous) {
	case "":
		cfg.Synchronous = "FULL"
	case "FULL", "NORMAL":
		cfg.Synchronous = strings.ToUpper(cfg.Synchronous)
	default:
		return nil, fmt.Errorf("open sqlite: synchronous must be FULL or NORMAL, not %q", cfg.Synchronous)
	}
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	busy := fmt.Sprintf("busy_timeout(%d)", cfg.LockTimeout.Milliseconds())
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", busy)
	q.Add("_pragma", "synchronous("+cfg.Synchronous+")")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	// Escape the path: a '#' or '?' in a directory name would otherwise cut the URI.
	file := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	db := sql.OpenDB(cachingConnector{dsn: file + q.Encode(), drv: &sqlite.Driver{}})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r := url.Values{}
	r.Add("_pragma", "foreign_keys(1)")
	r.Add("_pragma", busy)
	r.Add("_pragma", "query_only(1)")
	r.Set("_txlock", "deferred")
	r.Set("_time_format", "sqlite")
	read := sql.OpenDB(cachingConnector{dsn: file + r.Encode(), drv: &sqlite.Driver{}})
	// Readers are cheap under WAL; a few per core keep file handles modest.
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	if err := read.PingContext(ctx); err != nil {
		db.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	return store.NewWith(db, dialect(), now, store.Options{Read: read, LockWait: cfg.LockTimeout}), nil
}

// fault classifies SQLite's result codes (the primary code, the low byte of the extended one).
func fault(err error) store.Fault {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return store.FaultNone
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
		return store.FaultTimeout
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return store.FaultStorage
	}
	return store.FaultNone
}

// restrictFiles creates the database file with mode 0600 when it is missing and narrows the
// database, WAL and shared-memory files to 0600 when they exist with a wider mode.
func restrictFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", p, err)
		}
	}
	return nil
}
