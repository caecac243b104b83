// Package sqlite opens the embedded default database: modernc.org/sqlite (pure Go, no cgo) with WAL,
// foreign keys, a busy timeout and immediate transactions.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
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
		LockMigrations: func(context.Context, *sql.Tx) error { return nil },
		IsUniqueViolation: func(err error) bool {
			var e *sqlite.Error
			if !errors.As(err, &e) {
				return false
			}
			return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		},
	}
}

// Open opens (creating if needed) the SQLite file at path.
//
// _txlock=immediate makes every transaction take the write lock at BEGIN: a transaction that reads
// and then writes can otherwise fail at once with SQLITE_BUSY instead of waiting for busy_timeout.
func Open(ctx context.Context, path string, now func() time.Time) (*store.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	// Escape the path: a '#' or '?' in a directory name would otherwise cut the URI.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Every transaction is BEGIN IMMEDIATE, so transactions run one at a time, reads included: they
	// queue on the write lock (up to busy_timeout). WAL still lets statements outside a transaction
	// (Ping, the migration bookkeeping) read while a transaction writes. A small pool keeps file
	// handles modest.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return store.New(db, dialect(), now), nil
}
