package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// SQLite table rebuilds (issue 13): ids are never reused, and SQLite changes a table's primary key
// or drops an inline UNIQUE constraint only by rebuilding the table. A plain INTEGER PRIMARY KEY
// hands out max(id)+1, so after the newest row is deleted its id came back for the next row (a
// placement or a review item pointed to different things over time); AUTOINCREMENT never reuses
// one. PostgreSQL's identity columns never reuse a value, so nothing of this runs there.
//
// A rebuild follows SQLite's documented procedure (lang_altertable.html, "Making Other Kinds Of
// Table Schema Changes"): foreign keys off on the connection (a transaction cannot change the
// pragma), in one transaction create the new table from the stored definition, copy every row with
// its id, drop the old table (with foreign keys off this cascades into nothing), rename the new one
// to the old name (the children's REFERENCES name it, so they point at it again), recreate the
// indexes, and PRAGMA foreign_key_check before committing: any dangling reference rolls it all back.

// autoincrementID matches the id column of a table created with the {{id}} token on SQLite.
var autoincrementID = regexp.MustCompile(`(?i)\bid\s+INTEGER\s+PRIMARY\s+KEY\b`)

// withAutoincrement adds AUTOINCREMENT to the id column of a stored table definition.
func withAutoincrement(create string) (string, error) {
	loc := autoincrementID.FindStringIndex(create)
	if loc == nil {
		return "", errors.New("no id INTEGER PRIMARY KEY column")
	}
	if strings.Contains(strings.ToUpper(create), "AUTOINCREMENT") {
		return create, nil
	}
	return create[:loc[1]] + " AUTOINCREMENT" + create[loc[1]:], nil
}

// inTxForeignKeysOff runs fn in a transaction on a connection with foreign keys off, checks every
// foreign key before committing, and turns them on again; a connection that cannot be restored is
// discarded rather than given back to the pool.
func (db *DB) inTxForeignKeysOff(ctx context.Context, fn func(*txn) error) (err error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin rebuild: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("foreign keys off: %w", err)
	}
	defer func() {
		var on int
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
		if rerr == nil {
			rerr = conn.QueryRowContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys`).Scan(&on)
		}
		if rerr != nil || on != 1 {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = fmt.Errorf("foreign keys on again: %v (foreign_keys=%d)", rerr, on)
			}
		}
	}()
	stx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin rebuild: %w", err)
	}
	db.begun.Add(1)
	committed := false
	defer func() {
		if !committed {
			_ = stx.Rollback() // also when fn panics
		}
	}()
	t := &txn{tx: stx, conn: conn, now: db.now().UTC(), db: db}
	if err := fn(t); err != nil {
		return err
	}
	if err := foreignKeyCheck(ctx, t.tx); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit rebuild: %w", err)
	}
	committed = true
	return nil
}

// foreignKeyCheck fails when any row references a missing parent.
func foreignKeyCheck(ctx context.Context, tx statements) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		if len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign key check failed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// errNamedElsewhere: a view or another table's trigger names the table, so it is not rebuilt (it
// keeps its definition); checked before anything changes.
var errNamedElsewhere = errors.New("a view or another table's trigger names the table")

// rebuildTable rebuilds one table with the definition edit makes of its stored one, keeping its
// rows (ids included) and indexes. It runs inside inTxForeignKeysOff.
func rebuildTable(ctx context.Context, tx statements, table string, edit func(string) (string, error)) error {
	var create string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&create); err != nil {
		return fmt.Errorf("rebuild %s: definition: %w", table, err)
	}
	// The table's own triggers go with DROP TABLE and are created again after the rename (0351's
	// result feed on letters); views and other tables' triggers naming it would have to be checked
	// one by one, so a rebuild refuses rather than silently breaking one.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'view'
        OR (type = 'trigger' AND tbl_name <> $1 AND sql LIKE '%' || $1 || '%')`, table).Scan(&n); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	if n > 0 {
		return errNamedElsewhere
	}
	def, err := edit(create)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	open := strings.Index(def, "(")
	if open < 0 {
		return fmt.Errorf("rebuild %s: definition without columns", table)
	}
	tmp := table + "_rebuild"
	def = `CREATE TABLE "` + tmp + `" ` + def[open:]
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = $1
        AND sql IS NOT NULL ORDER BY type, name`, table)
	if err != nil {
		return fmt.Errorf("rebuild %s: indexes: %w", table, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("rebuild %s: indexes: %w", table, err)
		}
		indexes = append(indexes, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rebuild %s: indexes: %w", table, err)
	}
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+table+`"`).Scan(&before); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	// The new definition is the old text edited, so the columns are the same, in the same order.
	for _, stmt := range []string{def, `INSERT INTO "` + tmp + `" SELECT * FROM "` + table + `"`} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("rebuild %s: %s: %w", table, firstWords(stmt), err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+tmp+`"`).Scan(&after); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	if after != before {
		return fmt.Errorf("rebuild %s: %d rows copied of %d", table, after, before)
	}
	stmts := append([]string{`DROP TABLE "` + table + `"`, `ALTER TABLE "` + tmp + `" RENAME TO "` + table + `"`}, indexes...)
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("rebuild %s: %s: %w", table, firstWords(stmt), err)
		}
	}
	return nil
}

func firstWords(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// tablesWithoutAutoincrement lists the tables whose id column is a plain INTEGER PRIMARY KEY.
func tablesWithoutAutoincrement(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if autoincrementID.MatchString(create) && !strings.Contains(strings.ToUpper(create), "AUTOINCREMENT") {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// ensureAutoincrement gives every id table of a SQLite database AUTOINCREMENT, rebuilding those
// without it in one transaction. Migrate runs it last, every time: a fresh database (every table
// of the migrations), one upgraded from a release before issue 13, and tables a later migration
// creates with {{id}} all end up alike; once every table has it, it is one read of sqlite_master.
func (db *DB) ensureAutoincrement(ctx context.Context) ([]string, error) {
	todo, err := tablesWithoutAutoincrement(ctx, db.sql)
	if err != nil || len(todo) == 0 {
		return nil, err
	}
	err = db.inTxForeignKeysOff(ctx, func(t *txn) error {
		// Read again inside the transaction: another server may have rebuilt them meanwhile.
		todo, err = tablesWithoutAutoincrement(ctx, t.tx)
		if err != nil {
			return err
		}
		for _, table := range todo {
			// A table another table's trigger names (0351's single-row result_feed counter) keeps
			// its definition: rebuilding it would break that trigger.
			if err := rebuildTable(ctx, t.tx, table, withAutoincrement); err != nil && !errors.Is(err, errNamedElsewhere) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite autoincrement: %w", err)
	}
	return todo, nil
}

// codeSteps are the migrations written in Go, named like the files among which they run.
func (db *DB) codeSteps() []Step {
	steps := []Step{db.viewGenerationsStep(), db.reviewCountsStep()}
	if db.dialect.Name != "sqlite" {
		return steps
	}
	return append(steps, Step{
		// The twin of 0176_placements_live_person.postgres.sql: placements loses its inline
		// UNIQUE (employer_id, year, person_id) for a partial index over live rows.
		Name:           "0176_placements_live_person.sqlite",
		ForeignKeysOff: true,
		Apply: func(ctx context.Context, tx *Tx) error {
			err := rebuildTable(ctx, tx.tx, "placements", func(create string) (string, error) {
				unique := regexp.MustCompile(`,\s*UNIQUE\s*\(\s*employer_id\s*,\s*year\s*,\s*person_id\s*\)`)
				if !unique.MatchString(create) {
					return "", errors.New("placements has no UNIQUE (employer_id, year, person_id)")
				}
				return withAutoincrement(unique.ReplaceAllString(create, ""))
			})
			if err != nil {
				return err
			}
			_, err = tx.tx.ExecContext(ctx, `CREATE UNIQUE INDEX placements_live_person ON placements (employer_id, year, person_id)
                WHERE deleted_at IS NULL`)
			return err
		},
	})
}
