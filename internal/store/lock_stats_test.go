package store_test

import (
	"context"
	"reflect"
	"testing"

	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/stats"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestLockedYearIsNoDeclaration: the lock of the employer-year (lock.go) writes an open declaration
// row for every year a write touches, even a write that is then refused. Such a year was started by
// no one, so neither the reviewer's dashboard nor the statistics may count it; a year with a
// person in it is an open declaration and counts.
func TestLockedYearIsNoDeclaration(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
				t.Fatal(err)
			}
		}
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('v1', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2025, '2026-03-01', '2026-10-31', 'v1')`)
		exec(`INSERT INTO regions (code, name) VALUES ('220000', '吉林省')`)
		exec(`INSERT INTO regions (code, name, parent) VALUES ('220102', '南关区', '220000'), ('220104', '朝阳区', '220000')`)
		exec(`INSERT INTO federation_offices (code, name, region) VALUES ('220000', '吉林省残联', '220000')`)
		// Employer 1 (南关区) has a person in 2025; employer 2 (朝阳区) never starts its year.
		for i, code := range []string{"91350100M000100Y43", "911100001000044477"} {
			exec(`INSERT INTO employers (id, credit_code, name, federation_office, district, created_at, updated_at)
                VALUES ($1, $2, '单位', '220000', $3, $4, $4)`, i+1, code, []string{"220102", "220104"}[i], t0)
		}
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES (1, 'h', $1, '110105********002X', '张三', '女', $2)`, []byte{1}, t0)
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at)
            VALUES (1, 1, 2025, 1, 'draft', $1, $1)`, t0)

		lock := func(employer int64) {
			t.Helper()
			if err := store.PlacementRunner(db)(ctx, func(tx placement.Tx) error { return tx.LockYear(ctx, employer, 2025) }); err != nil {
				t.Fatal(err)
			}
		}
		tallies := func() review.Tallies {
			t.Helper()
			var out review.Tallies
			if err := store.ReviewRunner(db)(ctx, func(tx review.Tx) (err error) {
				out, err = tx.Tallies(ctx, "220000", 2025)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		figures := func() map[stats.Cell]stats.Figures {
			t.Helper()
			var out map[stats.Cell]stats.Figures
			if err := store.StatsRunner(db)(ctx, func(tx stats.Tx) (err error) {
				out, err = tx.Figures(ctx, stats.Query{Office: "220000", Year: 2025, Top: true, OverdueBefore: t0})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}

		lock(1) // employer 1's write of its person: its year is an open declaration
		beforeTallies, beforeFigures := tallies(), figures()
		want := []review.Tally{{District: "220102", DistrictName: "南关区", Status: "open", N: 1}}
		if !reflect.DeepEqual(beforeTallies.Declarations, want) {
			t.Fatalf("declarations before employer 2's lock = %+v, want %+v", beforeTallies.Declarations, want)
		}

		lock(2) // e.g. a placement create of employer 2 refused after the lock
		var rows int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM declarations WHERE employer_id = 2`).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("the lock left %d declaration rows of employer 2 (%v): the test no longer tests that row", rows, err)
		}
		if got := tallies(); !reflect.DeepEqual(got, beforeTallies) {
			t.Errorf("dashboard after a lock alone = %+v, want %+v as before", got, beforeTallies)
		}
		if got := figures(); !reflect.DeepEqual(got, beforeFigures) {
			t.Errorf("statistics after a lock alone = %+v, want %+v as before", got, beforeFigures)
		}

		// Deleting employer 1's only person leaves its year started by no one, too.
		exec(`UPDATE placements SET deleted_at = $1 WHERE id = 1`, t0)
		if got := tallies().Declarations; len(got) != 0 {
			t.Errorf("declarations of years without a person and never submitted = %+v, want none", got)
		}
		// A year submitted once and reopened is open again, and was started: it counts.
		exec(`UPDATE declarations SET submitted_at = $1 WHERE employer_id = 1`, t0)
		if got := tallies().Declarations; !reflect.DeepEqual(got, want) {
			t.Errorf("declarations with a reopened year = %+v, want %+v", got, want)
		}
	})
}
