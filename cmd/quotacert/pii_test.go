package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"quotacert/internal/idnum"
)

// TestNothingInClearRebuildsAnID fills a site through the real services (registry certificates,
// wages and insurance, a placement with a contract and a historical certificate, attachments, the
// audit trail) and then reads every column of every table: no value, text or bytes, may hold an ID
// or certificate number, nor the birth date inside one (the part a mask hides), in any form. So
// nothing stored in clear rebuilds a number alone or with the masks kept for lists
// (220102********035X: the district, the sequence and the check digit). On SQLite the database file
// and its WAL are searched byte by byte too.
func TestNothingInClearRebuildsAnID(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := newSite(t, dialect)
			fill(t, s)
			pieces := idPieces(t, s)
			k, _ := s.open()
			defer k.Close()
			values, masks := 0, 0
			for _, table := range tables(t, k.db.SQL(), dialect) {
				rows, err := k.db.SQL().Query(`SELECT * FROM ` + table)
				if err != nil {
					t.Fatal(err)
				}
				cols, _ := rows.Columns()
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					for i, v := range vals {
						b := asBytes(v)
						values++
						if bytes.Contains(b, []byte("********")) {
							masks++
						}
						for _, p := range pieces {
							if bytes.Contains(bytes.ToUpper(b), []byte(p.text)) {
								t.Errorf("%s.%s holds %s in clear", table, cols[i], p.what)
							}
						}
					}
				}
				rows.Close()
			}
			if values < 1000 || masks == 0 {
				t.Fatalf("searched %d values, %d masked numbers: the fixture did not store what it should", values, masks)
			}
			t.Logf("searched %d values of %d pieces", values, len(pieces))
			if dialect == "sqlite" {
				db := filepath.Join(s.dbf.data, "quotacert.db")
				for _, p := range []string{db, db + "-wal"} {
					raw, _ := os.ReadFile(p)
					for _, piece := range pieces {
						if bytes.Contains(raw, []byte(piece.text)) {
							t.Errorf("%s holds %s", filepath.Base(p), piece.what)
						}
					}
				}
			}
		})
	}
}

type piece struct{ text, what string }

// idPieces lists every ID and certificate number the fixture stored (the demo registry and the
// historical certificate), with the birth dates they contain as 19880712 and 1988-07-12.
func idPieces(t *testing.T, s *site) []piece {
	f, err := os.Open(filepath.Join(s.demo, "certificates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	numbers := []string{"22010219880712035X42"}
	for _, r := range recs[1:] {
		numbers = append(numbers, r[0], r[3])
	}
	var out []piece
	for _, n := range numbers {
		out = append(out, piece{strings.ToUpper(n), "a full number " + idnum.MaskCertificate(n)})
		b := n[6:14]
		out = append(out, piece{b, "the birth date of " + idnum.MaskID(n[:18])},
			piece{b[:4] + "-" + b[4:6] + "-" + b[6:], "the birth date of " + idnum.MaskID(n[:18])})
	}
	return out
}

func tables(t *testing.T, db *sql.DB, dialect string) []string {
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if dialect == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	if len(out) < 20 {
		t.Fatalf("only %d tables: %v", len(out), out)
	}
	return out
}

func asBytes(v any) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return []byte(fmt.Sprint(v))
}
