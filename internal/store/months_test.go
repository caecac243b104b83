package store_test

import (
	"context"
	"fmt"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestReplaceMonths: a save makes the placement's grid exactly the months given, in one statement
// — months updated in place, months no longer given deleted — and a month another employer's
// placement of the same person has selected is a conflict that writes nothing, on both databases.
func TestReplaceMonths(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('rm', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2093, '2094-01-01', '2094-12-31', 'rm')`)
		exec(`INSERT INTO employers (id, credit_code, name, created_at, updated_at) VALUES
            (931, '91220101MA14U8XK2R', '甲单位', $1, $1), (932, '91220101MA14U8XL0D', '乙单位', $1, $1)`, t0)
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES (931, 'rmh', $1, 'm1', '甲', '男', $2)`, []byte("x"), t0)
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at) VALUES
            (931, 931, 2093, 931, 'confirmed', $1, $1), (932, 932, 2093, 931, 'confirmed', $1, $1)`, t0)
		replace := func(placementID int64, months ...placement.SavedMonth) error {
			return store.PlacementRunner(db)(ctx, func(tx placement.Tx) error {
				return tx.ReplaceMonths(ctx, placementID, 931, months)
			})
		}
		saved := func(placementID int64) string {
			t.Helper()
			var out string
			err := store.PlacementRunner(db)(ctx, func(tx placement.Tx) error {
				ms, err := tx.SavedMonths(ctx, placementID)
				out = fmt.Sprint(ms)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		m := func(month string, selected bool, weight int) placement.SavedMonth {
			return placement.SavedMonth{Month: month, Passed: true, Selected: selected, Weight: weight}
		}
		if err := replace(931, m("2093-01", true, 1), m("2093-02", true, 2), m("2093-03", false, 1)); err != nil {
			t.Fatal(err)
		}
		if got, want := saved(931), "[{2093-01 true true 1 false} {2093-02 true true 2 false} {2093-03 true false 1 false}]"; got != want {
			t.Fatalf("first save: %s, want %s", got, want)
		}
		if err := replace(931, m("2093-02", false, 1), m("2093-04", true, 1)); err != nil {
			t.Fatal(err)
		}
		second := saved(931)
		if want := "[{2093-02 true false 1 false} {2093-04 true true 1 false}]"; second != want {
			t.Fatalf("second save: %s, want %s", second, want)
		}
		// 乙 selects a month 甲 holds: refused as a conflict, and none of 乙's months is written.
		err := replace(932, m("2093-01", true, 1), m("2093-04", true, 1))
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict {
			t.Fatalf("a month selected by another employer: %v, want a conflict", err)
		}
		if got := saved(932); got != "[]" {
			t.Fatalf("the refused save wrote %s", got)
		}
		if got := saved(931); got != second {
			t.Fatalf("the refused save changed the other placement: %s", got)
		}
		if err := replace(931); err != nil {
			t.Fatal(err)
		}
		if got := saved(931); got != "[]" {
			t.Fatalf("an empty save kept %s", got)
		}
	})
}
