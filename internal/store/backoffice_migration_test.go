package store_test

import (
	"context"
	"slices"
	"testing"

	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestUnitNatureMigration migrates employers written before 0700 on both databases: an enterprise
// (the flag true) becomes 企业, a unit that was not one gets no nature (its profile asks for one:
// the flag cannot tell 机关 from 事业单位), the flag is gone, and the calendar of 2025 and 2026 is in.
func TestUnitNatureMigration(t *testing.T) {
	storetest.Each(t, storetest.Options{Before: "0700"}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, ent := range []bool{true, false} {
			if _, err := db.SQL().ExecContext(ctx, `INSERT INTO employers (id, credit_code, name, enterprise, created_at, updated_at)
                VALUES ($1, $2, '单位', $3, $4, $4)`, i+1, "CODE"+string(rune('A'+i)), ent, t0); err != nil {
				t.Fatal(err)
			}
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"0700_backoffice.sql", "0701_work_calendar_2025_2026.sql"} {
			if !slices.Contains(applied, name) {
				t.Errorf("%s not applied: %v", name, applied)
			}
		}
		got := map[int]string{}
		rows, err := db.SQL().QueryContext(ctx, `SELECT id, unit_nature FROM employers ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			got[id] = n
		}
		rows.Close()
		if got[1] != "企业" || got[2] != "" {
			t.Errorf("unit natures after the migration: %v", got)
		}
		if _, err := db.SQL().ExecContext(ctx, `SELECT enterprise FROM employers`); err == nil {
			t.Error("the enterprise flag is still there")
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE employers SET unit_nature = '公司' WHERE id = 1`); err == nil {
			t.Error("a unit nature outside the list was accepted")
		}
		var holidays, workdays int
		if err := db.SQL().QueryRowContext(ctx, `SELECT SUM(CASE WHEN workday THEN 0 ELSE 1 END), SUM(CASE WHEN workday THEN 1 ELSE 0 END)
            FROM work_calendar WHERE day LIKE '2025-%'`).Scan(&holidays, &workdays); err != nil {
			t.Fatal(err)
		}
		if holidays != 28 || workdays != 5 { // 元旦 1, 春节 8, 清明 3, 劳动节 5, 端午 3, 国庆 8; 5 make-up days
			t.Errorf("2025: %d holidays, %d make-up workdays; want 28 and 5", holidays, workdays)
		}
	})
}
