package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"quotacert/internal/review"
	"quotacert/internal/rules"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestReviewCountsFollowTheItems: the queue's counters equal the items counted by office, status,
// kind and year, and every item keeps its employer's office (0930), after every kind of write — an
// item added, decided, moved to another year or employer, deleted (also by a cascade), an employer
// moved to another office, to none and back — on both databases.
func TestReviewCountsFollowTheItems(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rows := func(q string) []string {
			t.Helper()
			rs, err := db.SQL().QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			var out []string
			for rs.Next() {
				var office, status, kind string
				var year, n int
				if err := rs.Scan(&office, &status, &kind, &year, &n); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%s/%s/%s/%d=%d", office, status, kind, year, n))
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			slices.Sort(out)
			return out
		}
		check := func(after string) {
			t.Helper()
			counted := rows(`SELECT office, status, kind, year, n FROM review_counts WHERE n <> 0`)
			want := rows(`SELECT COALESCE(e.federation_office, ''), r.status, r.kind, r.year, COUNT(*)
                FROM review_items r JOIN employers e ON e.id = r.employer_id
                GROUP BY COALESCE(e.federation_office, ''), r.status, r.kind, r.year`)
			if !slices.Equal(counted, want) {
				t.Errorf("after %s: counters %v, items %v", after, counted, want)
			}
			if kept := rows(`SELECT r.office, r.status, r.kind, r.year, COUNT(*) FROM review_items r
                GROUP BY r.office, r.status, r.kind, r.year`); !slices.Equal(kept, want) {
				t.Errorf("after %s: offices kept by the items %v, their employers' %v", after, kept, want)
			}
		}
		exec(`INSERT INTO regions (code, name) VALUES ('229901', '测试区') ON CONFLICT (code) DO NOTHING`)
		exec(`INSERT INTO federation_offices (code, name, region) VALUES ('rc-a', '甲残联', '229901'), ('rc-b', '乙残联', '229901')`)
		exec(`INSERT INTO employers (id, credit_code, name, federation_office, created_at, updated_at) VALUES
            (801, '91220101MA14U8XK2R', '甲', 'rc-a', $1, $1), (802, '91220101MA14U8XL0D', '乙', 'rc-b', $1, $1)`, t0)
		check("nothing")
		exec(`INSERT INTO review_items (id, kind, employer_id, year, status, created_at) VALUES
            (801, 'reopen', 801, 2025, 'pending', $1), (802, 'reopen', 801, 2025, 'pending', $1),
            (803, 'affiliate', 802, 2024, 'pending', $1), (804, 'reopen', 802, 2025, 'approved', $1)`, t0)
		check("items added")
		exec(`UPDATE review_items SET status = 'rejected', comment = '不符' WHERE id = 801`)
		check("a decision")
		exec(`UPDATE review_items SET year = 2024 WHERE id = 802`)
		check("another year")
		exec(`UPDATE employers SET federation_office = 'rc-b' WHERE id = 801`)
		check("an employer moved to another office")
		exec(`UPDATE employers SET federation_office = NULL WHERE id = 802`)
		check("an employer without office")
		exec(`UPDATE employers SET federation_office = 'rc-a', name = '乙公司' WHERE id = 802`)
		check("an employer given an office again")
		exec(`UPDATE employers SET name = '甲公司' WHERE id = 801`)
		check("an employer renamed")
		exec(`UPDATE review_items SET employer_id = 802 WHERE id = 802`)
		check("an item given to another employer")
		exec(`DELETE FROM review_items WHERE id = 803`)
		check("an item deleted")
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at) VALUES (801, 'rch', '', 'm', '甲', '男', $1)`, t0)
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('rc', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2092, '2093-01-01', '2093-12-31', 'rc')`)
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at) VALUES (801, 801, 2092, 801, 'pending', $1, $1)`, t0)
		exec(`INSERT INTO review_items (id, kind, employer_id, year, placement_id, month, status, created_at)
            VALUES (805, 'claim', 801, 2092, 801, '2092-01', 'pending', $1)`, t0)
		check("a claim")
		exec(`DELETE FROM placements WHERE id = 801`)
		check("a claim deleted with its placement (cascade)")

		// The queue's total from the counters is the number of items its page lists, for every
		// combination of the counted filters.
		for _, office := range []string{"rc-a", "rc-b", "rc-none"} {
			for _, status := range []rules.ReviewStatus{"", rules.ReviewPending, rules.ReviewApproved, rules.ReviewRejected} {
				for _, kind := range []review.Kind{"", review.KindReopen, review.KindAffiliate, review.KindClaim} {
					for _, year := range []int{0, 2024, 2025} {
						q := review.Query{Office: office, Status: status, Kind: kind, Year: year, Limit: 100}
						err := store.ReviewRunner(db)(ctx, func(tx review.Tx) error {
							total, err := tx.QueueCount(ctx, q)
							if err != nil {
								return err
							}
							items, err := tx.Queue(ctx, q)
							if err == nil && total != len(items) {
								t.Errorf("%+v: total %d, %d items listed", q, total, len(items))
							}
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
	})
}
