package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
)

// cacheDB opens a bare pool of one caching connection on a file of the test.
func cacheDB(t *testing.T) *sql.DB {
	t.Helper()
	db := sql.OpenDB(cachingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db"), drv: &sqlite.Driver{}})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES ($1, $2)`, i+1, fmt.Sprintf("n%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// cached reports the statements the pool's one connection keeps.
func cached(t *testing.T, db *sql.DB) int {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := -1
	if err := conn.Raw(func(dc any) error { n = dc.(*cachingConn).lru.Len(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStatementCacheReuses: a text run again reuses its statement, with new arguments bound.
func TestStatementCacheReuses(t *testing.T) {
	db := cacheDB(t)
	before := cached(t, db)
	for i := range 5 {
		var name string
		if err := db.QueryRow(`SELECT name FROM t WHERE id = $1`, i+1).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("n%d", i+1); name != want {
			t.Fatalf("id %d: %q, want %q", i+1, name, want)
		}
	}
	if got := cached(t, db); got != before+1 {
		t.Fatalf("%d statements cached after 5 runs of one text, want %d", got, before+1)
	}
}

// TestStatementCacheNested: the same text run while its rows are open (a query in a loop over
// the rows of the same query) gets a statement of its own; both read correctly.
func TestStatementCacheNested(t *testing.T) {
	db := cacheDB(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id FROM t WHERE id >= $1 ORDER BY id`
	rows, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		outer++
		in, err := tx.QueryContext(ctx, q, id)
		if err != nil {
			t.Fatal(err)
		}
		for in.Next() {
			inner++
		}
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if outer != 5 || inner != 5+4+3+2+1 {
		t.Fatalf("outer %d rows, inner %d, want 5 and 15", outer, inner)
	}
}

// TestStatementCacheBounded: more distinct texts than the cache holds evict the oldest; every
// query still answers right, an evicted one included.
func TestStatementCacheBounded(t *testing.T) {
	db := cacheDB(t)
	for i := range stmtCacheSize + 40 {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) + %d FROM t`, i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 5+i {
			t.Fatalf("text %d answered %d", i, n)
		}
	}
	if got := cached(t, db); got > stmtCacheSize {
		t.Fatalf("%d statements cached, bound %d", got, stmtCacheSize)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) + 0 FROM t`).Scan(&n); err != nil || n != 5 {
		t.Fatalf("evicted text again: %d, %v", n, err)
	}
}

// TestStatementCacheSchemaChange: a cached statement sees a column added after it was prepared
// (SQLite recompiles it), and a failed statement leaves its text usable.
func TestStatementCacheSchemaChange(t *testing.T) {
	db := cacheDB(t)
	const q = `SELECT * FROM t WHERE id = $1`
	cols := func() int {
		rows, err := db.Query(q, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(c)
	}
	if n := cols(); n != 2 {
		t.Fatalf("%d columns before, want 2", n)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	if n := cols(); n != 3 {
		t.Fatalf("%d columns after ALTER TABLE, want 3", n)
	}
	const ins = `INSERT INTO t (id, name) VALUES ($1, $2)`
	if _, err := db.Exec(ins, 1, "dup"); err == nil {
		t.Fatal("duplicate id inserted")
	}
	if _, err := db.Exec(ins, 9, "n9"); err != nil {
		t.Fatalf("the text after its failure: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ins, 10, "n10"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("%d rows after a rolled back insert, want 6 (%v)", n, err)
	}
}
