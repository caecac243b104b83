// Package sqlite opens the embedded default database: modernc.org/sqlite (pure Go, no cgo) with WAL,
// foreign keys, a busy timeout and immediate transactions.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
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
		AfterMigrate: func(ctx context.Context, db *sql.DB) error {
			_, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			return err
		},
	}
}

// Open opens (creating if needed) the SQLite file at path.
//
// _txlock=immediate makes every transaction take the write lock at BEGIN: a transaction that reads
// and then writes can otherwise fail at once with SQLITE_BUSY instead of waiting for busy_timeout.
//
// The file is created 0600 before SQLite opens it: SQLite gives its WAL and shared-memory files the
// mode of the database file, so all three are readable by the server's account alone (they hold
// sealed identifiers beside names and disability data). Files made by an earlier release (0644)
// are narrowed. secure_delete overwrites deleted rows, so that what is removed (a person, a
// session, a dropped column) does not linger in free pages of the file.
func Open(ctx context.Context, path string, now func() time.Time) (*store.DB, error) {
	if err := restrictFiles(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
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
