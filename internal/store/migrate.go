package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Step is one named migration. SQL files are steps; so are Go loaders (reference data) that must run
// once, in order, and be recorded like any other migration.
type Step struct {
	Name  string
	Apply func(ctx context.Context, tx *Tx) error
	// ForeignKeysOff runs the step with foreign keys off and checks them all before committing
	// (SQLite table rebuilds, rebuild.go).
	ForeignKeysOff bool
}

// SQLSteps returns the embedded schema migrations, ordered by file name. A file named
// NNNN_name.sqlite.sql or NNNN_name.postgres.sql runs on that database only: for the few changes
// the two cannot say in one text (SQLite changes a CHECK constraint only by rebuilding the table,
// PostgreSQL alters it in place, and a rebuild there would lose the identity sequence).
func (db *DB) SQLSteps() ([]Step, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	steps := make([]Step, 0, len(names))
	for _, name := range names {
		if d := dialectOf(name); d != "" && d != db.dialect.Name {
			continue
		}
		raw, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		text := string(raw)
		for token, typ := range db.dialect.Types {
			text = strings.ReplaceAll(text, token, typ)
		}
		if i := strings.Index(text, "{{"); i >= 0 {
			return nil, fmt.Errorf("migration %s: unknown token near %q", name, text[i:min(len(text), i+20)])
		}
		steps = append(steps, Step{Name: strings.TrimPrefix(name, "migrations/"), Apply: func(ctx context.Context, tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, text); err != nil {
				return fmt.Errorf("exec: %w", err)
			}
			return nil
		}})
	}
	// Steps written in Go (rebuild.go) take their place among the files by name.
	steps = append(steps, db.codeSteps()...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Name < steps[j].Name })
	return steps, nil
}

// dialectOf is the database a migration file is limited to ("" for both).
func dialectOf(name string) string {
	for _, d := range []string{"sqlite", "postgres"} {
		if strings.HasSuffix(name, "."+d+".sql") {
			return d
		}
	}
	return ""
}

// Migrate applies the schema migrations and then extra steps, each once, each in its own
// transaction together with its record in schema_migrations. It returns the names it applied.
func (db *DB) Migrate(ctx context.Context, extra ...Step) ([]string, error) {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
        name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	steps, err := db.SQLSteps()
	if err != nil {
		return nil, err
	}
	steps = append(steps, extra...)
	var applied []string
	for _, step := range steps {
		done, err := db.ApplyStep(ctx, step)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, step.Name)
		}
	}
	if db.dialect.Name == "sqlite" {
		if _, err := db.ensureAutoincrement(ctx); err != nil {
			return applied, err
		}
	}
	if len(applied) > 0 && db.dialect.AfterMigrate != nil {
		if err := db.dialect.AfterMigrate(ctx, db.sql); err != nil {
			return applied, fmt.Errorf("after migrations: %w", err)
		}
	}
	return applied, nil
}

// ApplyStep applies one step unless schema_migrations records it, in its own transaction together
// with its record (with foreign keys off and checked for a step that asks, rebuild.go); done reports
// whether it ran. Migrate applies every step with it; tests of migrations apply some.
func (db *DB) ApplyStep(ctx context.Context, step Step) (done bool, err error) {
	run := db.InTx
	if step.ForeignKeysOff {
		run = func(ctx context.Context, fn func(*Tx) error) error {
			return db.inTxForeignKeysOff(ctx, func(t *txn) error { return fn(&Tx{t}) })
		}
	}
	err = run(ctx, func(tx *Tx) error {
		if err := db.dialect.LockMigrations(ctx, tx.tx); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		var n int
		err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, step.Name).Scan(&n)
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if n > 0 {
			return nil
		}
		if err := step.Apply(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`,
			step.Name, tx.now.Format("2006-01-02T15:04:05Z")); err != nil {
			return fmt.Errorf("record migration: %w", err)
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", step.Name, err)
	}
	return done, nil
}

// Exec runs a statement in the transaction; loaders (reference data, demo) use it for bulk upserts.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// CopyRows writes rows into table's columns through the database's bulk path (PostgreSQL COPY), in
// this transaction; for loaders such as the scale harness. Without a bulk path (SQLite) it refuses:
// the harness measures PostgreSQL.
func (tx *Tx) CopyRows(ctx context.Context, table string, columns []string, src CopySource) (int64, error) {
	if tx.db.dialect.CopyFrom == nil {
		return 0, fmt.Errorf("copy into %s: the %s database has no bulk path", table, tx.db.dialect.Name)
	}
	n, err := tx.db.dialect.CopyFrom(ctx, tx.conn, table, columns, src)
	if err != nil {
		return n, fmt.Errorf("copy into %s: %w", table, err)
	}
	return n, nil
}
