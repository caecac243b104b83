package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quotacert/internal/store"
	"quotacert/internal/store/postgres"
	"quotacert/internal/store/sqlite"
	"quotacert/internal/store/storetest"
)

// TestMigrationMovesPersonalData upgrades a database of the previous schema that holds a person
// with the birth date in clear beside the masked ID number (together: the whole ID number), and
// payment rows keyed by hash alone: 0251 drops the birth date (on SQLite not a trace is left in the
// file or its WAL) and records the sealed ID number behind each payment hash it can find, so that a
// key rotation can re-key those rows.
func TestMigrationMovesPersonalData(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var db *store.DB
			var err error
			path := filepath.Join(t.TempDir(), "old.db")
			if dialect == "sqlite" {
				db, err = sqlite.Open(ctx, path, time.Now)
			} else {
				db, err = postgres.Open(ctx, storetest.PGSchemaDSN(t), time.Now)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			migrateBefore(t, db, "0250")
			now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO persons (id_hash, id_sealed, id_masked, name, gender, birth_date, created_at)
                  VALUES ('h-placed', $1, '220102********035X', '刘喆', '男', '1988-07-12', $2)`, []any{[]byte("sealed-1"), now}},
				{`INSERT INTO registry_certificates (cert_hash, cert_sealed, cert_masked, person_hash, person_sealed, name, gender,
                  category, level, issued, status) VALUES ('c1', $1, '220104**********4611', 'h-cert', $2, '孙雅琴', '女', 1, 1, '2018-06-01', '有效')`,
					[]any{[]byte("sealed-c"), []byte("sealed-2")}},
			} {
				if _, err := db.SQL().Exec(q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			for _, h := range []string{"h-placed", "h-cert", "h-unknown"} {
				if _, err := db.SQL().Exec(`INSERT INTO registry_wages (person_hash, credit_code, month, amount_fen) VALUES ($1, '91220101MA14U8XK2R', '2025-01', 200000)`, h); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().Exec(`SELECT birth_date FROM persons`); err == nil {
				t.Error("persons still has birth_date")
			}
			got := map[string]string{}
			rows, err := db.SQL().Query(`SELECT person_hash, person_sealed FROM registry_persons`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var h string
				var b []byte
				rows.Scan(&h, &b)
				got[h] = string(b)
			}
			rows.Close()
			if len(got) != 2 || got["h-placed"] != "sealed-1" || got["h-cert"] != "sealed-2" {
				t.Errorf("registry_persons = %v, want the two payment persons whose sealed ID is stored", got)
			}
			if dialect != "sqlite" {
				return // PostgreSQL keeps dead row versions until VACUUM FULL (docs/OPERATIONS.md)
			}
			for _, p := range []string{path, path + "-wal"} {
				raw, err := os.ReadFile(p)
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if bytes.Contains(raw, []byte("1988-07-12")) {
					t.Errorf("%s still holds the birth date", filepath.Base(p))
				}
			}
		})
	}
}

// migrateBefore applies the schema migrations whose names sort before prefix, recording them as
// Migrate does: a database as the previous release left it.
func migrateBefore(t *testing.T, db *store.DB, prefix string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SQL().Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	steps, err := db.SQLSteps()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		if strings.Compare(step.Name, prefix) >= 0 {
			break
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := step.Apply(ctx, tx); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, '2026-01-01T00:00:00Z')`, step.Name)
			return err
		}); err != nil {
			t.Fatalf("%s: %v", step.Name, err)
		}
	}
}
