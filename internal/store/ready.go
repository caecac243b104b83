package store

import (
	"context"
	"fmt"
	"strings"
)

// SchemaCurrent reports an error unless every schema migration this release carries is recorded
// as applied: a database that is empty (recreated), or that a migrator is still changing, is not
// ready to serve.
func (db *DB) SchemaCurrent(ctx context.Context) error {
	steps, err := db.SQLSteps()
	if err != nil {
		return err
	}
	rows, err := db.readPool().QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("schema missing: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		have[n] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	var missing []string
	for _, s := range steps {
		if !have[s.Name] {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("schema not current: %d migrations not applied (first %s)", len(missing), missing[0])
	}
	return nil
}

// Migrating reports whether a migrator holds the migration lock now (PostgreSQL: another
// instance starting with a newer release). SQLite migrates inside the starting process, before it
// listens, so it is never seen migrating from here.
func (db *DB) Migrating(ctx context.Context) (bool, error) {
	if db.dialect.Migrating == nil {
		return false, nil
	}
	return db.dialect.Migrating(ctx, db.readPool())
}

// WriteProbe proves that the database takes a write: one short write transaction updates the
// probe row (migration 0300) and commits. It fails when storage refuses writes (read-only file or
// standby, disk full) or the write lock stays held past the lock timeout.
func (db *DB) WriteProbe(ctx context.Context, instance string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `UPDATE readiness_probe SET probed_at = $1 WHERE id = 1`,
			strings.TrimSpace(instance+" "+tx.now.Format("2006-01-02T15:04:05.000Z")))
		if err != nil {
			return fmt.Errorf("write probe: %w", err)
		}
		return nil
	})
}
