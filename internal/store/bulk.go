package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Bulk writes of the data exchange: multi-row statements prepared once per transaction.
//
// Bulk writes are multi-row INSERT … ON CONFLICT DO UPDATE statements, which both databases run
// with the same text but for the placeholders (see upsert). The DO UPDATE carries "WHERE
// t.import_id IS DISTINCT FROM excluded.import_id": a row that this same import already wrote is left
// alone and so is missing from RETURNING, which is how a key repeated across batches of one file is
// found without holding the file's keys in memory. (Keys repeated inside one batch are removed by the
// caller first: PostgreSQL refuses to update a row twice in one statement.)

// bulkState is what a transaction keeps for bulk writes: its prepared statements and whether the
// import staging table exists (stage.go).
type bulkState struct {
	stmts      map[bulkShape]*sql.Stmt
	staged     bool  // the staging table exists in this transaction
	stagedRows int64 // rows staged in it
}

// upsert builds and runs one multi-row upsert of n rows of width parameters each, followed by the
// import id, and returns the keys written, joined by "|".
//
// Placeholders are the one thing this bulk path does not write the portable way: SQLite resolves
// "$n" through a linear list per parameter, which makes a statement of thousands of parameters
// quadratic (measured: 45% of an import's time in sqlite3VListNameToNum and as much again binding).
// Plain "?" is positional and linear, so SQLite gets "?" and PostgreSQL "$n". The import id is an
// integer of ours and goes in as a literal.
func (tx *txn) upsert(ctx context.Context, head, conflict, update string, importID int64, width, n int, args []any, keyCols int) (map[string]bool, error) {
	stmt, err := tx.bulkStatement(ctx, bulkShape{head: head, n: n, importID: importID}, func() string {
		return bulkText(head, conflict, update, importID, width, n, tx.db.dialect.Name == "sqlite")
	})
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	written := make(map[string]bool, n)
	vals := make([]string, keyCols)
	ptrs := make([]any, keyCols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		written[strings.Join(vals, "|")] = true
	}
	return written, rows.Err()
}

// bulkShape identifies one multi-row statement text: the same table, row count and import give the
// same text, so a transaction prepares it once and reuses it for every full batch.
type bulkShape struct {
	head     string
	n        int
	importID int64
}

// bulkStatement returns the transaction's prepared statement for shape, preparing text() the
// first time. Re-preparing a 2,000-parameter statement for every batch cost ~10% of an import on
// SQLite (the parser); the statements close with the transaction.
func (tx *txn) bulkStatement(ctx context.Context, shape bulkShape, text func() string) (*sql.Stmt, error) {
	if st, ok := tx.bulk.stmts[shape]; ok {
		return st, nil
	}
	st, err := tx.tx.PrepareContext(ctx, text())
	if err != nil {
		return nil, err
	}
	if tx.bulk.stmts == nil {
		tx.bulk.stmts = map[bulkShape]*sql.Stmt{}
	}
	tx.bulk.stmts[shape] = st
	return st, nil
}

// bulkText writes the statement text of upsert.
func bulkText(head, conflict, update string, importID int64, width, n int, positional bool) string {
	id := strconv.FormatInt(importID, 10)
	var b strings.Builder
	b.Grow(len(head) + n*(width*7+len(id)+4) + len(conflict) + len(update) + 64)
	b.WriteString(head)
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if positional {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
			b.WriteByte(',')
		}
		b.WriteString(id)
		b.WriteByte(')')
	}
	b.WriteString(conflict)
	b.WriteString(update)
	return b.String()
}

// valuesText writes "head (?,?,…),(…)…" for n rows of width parameters: "?" on SQLite, "$n" elsewhere
// (see upsert for why).
func valuesText(head string, width, n int, positional bool) string {
	var b strings.Builder
	b.Grow(len(head) + n*(width*7+3))
	b.WriteString(head)
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if positional {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}
