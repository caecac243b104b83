package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestLetterSnapshotBackfill runs the backfill statements of migration 0150 over a letter issued
// before it, on both databases: the letter gets the employer's name, code, district (full name),
// offices and employee count, and the persons of its confirmed placements that count a month, with
// their counted months and weight.
func TestLetterSnapshotBackfill(t *testing.T) {
	raw, err := os.ReadFile("migrations/0150_letter_snapshots.sql")
	if err != nil {
		t.Fatal(err)
	}
	var backfill []string
	for _, stmt := range strings.Split(string(raw), ";") {
		if i := strings.Index(stmt, "INSERT INTO letter_"); i >= 0 {
			backfill = append(backfill, stmt[i:])
		}
	}
	if len(backfill) != 2 {
		t.Fatalf("%d backfill statements in 0150", len(backfill))
	}
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := func(query string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := db.SQL().QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return id
		}
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		emp := q(`INSERT INTO employers (credit_code, name, federation_office, tax_office, district, employee_count, created_at, updated_at)
            VALUES ('91220101MA14U8XK2R', '长春示例科技有限公司', '220102', '12201020000', '220102', 88, $1, $1)`, t0)
		decl := q(`INSERT INTO declarations (employer_id, year, status, submitted_at) VALUES ($1, 2025, 'submitted', $2)`, emp, t0)
		letter := q(`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months, weight_months,
            federation_office, issued_at) VALUES ($1, 'JL2025-000001', 'code', 'valid', 1, 3, 6, '220102', $2)`, decl, t0)
		for _, p := range []struct {
			name, status string
			months       int
		}{{"刘喆", "confirmed", 3}, {"吴秀兰", "pending", 2}, {"杨堃", "confirmed", 0}} {
			person := q(`INSERT INTO persons (id_hash, id_sealed, id_masked, name, gender, created_at)
                VALUES ($1, $2, '220102********035X', $3, '男', $4)`, p.name, []byte("x"), p.name, t0)
			pl := q(`INSERT INTO placements (employer_id, year, person_id, status, category, level, created_at, updated_at)
                VALUES ($1, 2025, $2, $3, 4, 1, $4, $4)`, emp, person, p.status, t0)
			for m := 1; m <= 4; m++ {
				exec(`INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight)
                    VALUES ($1, $2, $3, TRUE, $4, 2)`, pl, person, fmt.Sprintf("2025-%02d", m), m <= p.months)
			}
		}
		for _, stmt := range backfill {
			exec(stmt)
		}
		var name, code, district, fed, tax string
		var employees int
		if err := db.SQL().QueryRow(`SELECT employer_name, credit_code, district_name, federation_office_name, tax_office_name, employees
            FROM letter_snapshots WHERE letter_id = $1`, letter).Scan(&name, &code, &district, &fed, &tax, &employees); err != nil {
			t.Fatal(err)
		}
		if name != "长春示例科技有限公司" || code != "91220101MA14U8XK2R" || district != "吉林省长春市南关区" ||
			fed != "长春市南关区残疾人联合会" || tax != "国家税务总局长春市南关区税务局" || employees != 88 {
			t.Fatalf("snapshot: %s %s %s %s %s %d", name, code, district, fed, tax, employees)
		}
		rows, err := db.SQL().Query(`SELECT position, name, certificate_kind, category, level, counted_months, weight_months
            FROM letter_persons WHERE letter_id = $1 ORDER BY position`, letter)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var pos, cat, level, months, weight int
			var n, kind string
			if err := rows.Scan(&pos, &n, &kind, &cat, &level, &months, &weight); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprint(n, " ", kind, " ", pos, " ", cat, " ", level, " ", months, " ", weight))
		}
		if want := "刘喆 disability 1 4 1 3 6"; strings.Join(got, " ") != want {
			t.Fatalf("persons %q, want %q (the pending and the monthless placements left out)", strings.Join(got, " "), want)
		}
	})
}
