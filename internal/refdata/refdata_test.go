package refdata_test

import (
	"context"
	"testing"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

func TestSeed(t *testing.T) {
	storetest.Each(t, storetest.Options{Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		if n := count(`SELECT COUNT(*) FROM regions WHERE parent = '220000'`); n != 9 {
			t.Errorf("Jilin has %d prefecture-level divisions, want 9", n)
		}
		if n := count(`SELECT COUNT(*) FROM regions`); n != 70 {
			t.Errorf("regions = %d, want 70", n)
		}
		// Every region has a federation office and a tax office; the office tree mirrors the regions.
		if n := count(`SELECT COUNT(*) FROM regions r LEFT JOIN federation_offices f ON f.code = r.code
            LEFT JOIN tax_offices x ON x.region = r.code WHERE f.code IS NULL OR x.code IS NULL`); n != 0 {
			t.Errorf("%d regions without offices", n)
		}
		if n := count(`SELECT COUNT(*) FROM federation_offices f JOIN regions r ON r.code = f.code
            WHERE COALESCE(f.parent, '') <> COALESCE(r.parent, '')`); n != 0 {
			t.Errorf("%d federation offices whose parent is not their region's parent", n)
		}
		// 南关区 in 2025 pays the 长春市区 tier of 吉政函〔2024〕66号.
		var fen int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT amount_fen FROM minimum_wages WHERE region = '220102' AND from_month = '2024-10'`).Scan(&fen); err != nil || fen != 212000 {
			t.Errorf("南关区 2024-10 minimum wage = %d, %v", fen, err)
		}
		// Every district row has both versions, so the longest-prefix rule never keeps a stale amount.
		if n := count(`SELECT COUNT(*) FROM (SELECT region FROM minimum_wages GROUP BY region HAVING COUNT(*) <> 2) x`); n != 0 {
			t.Errorf("%d minimum-wage regions without both versions", n)
		}
		var open, closing string
		if err := db.SQL().QueryRowContext(ctx, `SELECT window_open, window_close FROM business_years WHERE year = 2025`).Scan(&open, &closing); err != nil ||
			open != "2026-03-01" || closing != "2026-10-31" {
			t.Errorf("2025 window = %s..%s, %v", open, closing, err)
		}
	})
}
