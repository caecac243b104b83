package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestAffiliateReviewMigration migrates a database an older release left (migrations before 0130)
// holding affiliates, a claim with evidence and a placement, on both databases: the kind
// constraint accepts 'affiliate' and still refuses anything else, the review items and their files
// survive the SQLite rebuild with their ids, ids go on growing, and existing affiliates are decided
// as 0131 says — approved, except a live, unlocked one whose credit code is another registered
// employer's, which waits for review with a request in the year of its employer's placements.
func TestAffiliateReviewMigration(t *testing.T) {
	const codeA, codeB, codeC, codeX = "91220101MA14U8XK2R", "91350100M000100Y43", "911100001000044477", "91220105MA13W7KE73"
	storetest.Each(t, storetest.Options{Before: "0130"}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('v1', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2024, '2025-03-01', '2025-10-31', 'v1'),
            (2025, '2026-03-01', '2026-10-31', 'v1')`)
		for i, code := range []string{codeA, codeB, codeC} {
			exec(`INSERT INTO employers (id, credit_code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, i+1, code, "单位"+code[:4], t0)
		}
		exec(`INSERT INTO affiliates (id, employer_id, credit_code, name, kind, locked, created_at, updated_at, deleted_at) VALUES
            (1, 2, $1, 'B 称 A 为子公司', 'subsidiary', FALSE, $4, $4, NULL),
            (2, 2, $2, '未注册的子公司', 'subsidiary', FALSE, $4, $4, NULL),
            (3, 3, $1, '已用于申报', 'dispatch', TRUE, $4, $4, NULL),
            (4, 3, $3, '已删除', 'subsidiary', FALSE, $4, $4, $4)`, codeA, codeX, codeB, t0)
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, birth_date, created_at)
            VALUES (1, 'h', $1, '2201**', '刘喆', '男', '1988-07-12', $2)`, []byte{1}, t0)
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at) VALUES (5, 2, 2024, 1, 'pending', $1, $1)`, t0)
		exec(`INSERT INTO files (id, employer_id, name, size, sha256, content_type, created_at) VALUES ('f1', 2, '工资条.pdf', 1, 'x', 'application/pdf', $1)`, t0)
		var claim int64
		if err := db.SQL().QueryRowContext(ctx, `INSERT INTO review_items (kind, employer_id, year, placement_id, month, status, created_at)
            VALUES ('claim', 2, 2024, 5, '2024-03', 'pending', $1) RETURNING id`, t0).Scan(&claim); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO review_item_files (review_item_id, file_id, check_name) VALUES ($1, 'f1', 'wage')`, claim)

		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"0130_review_kind_affiliate." + db.Dialect() + ".sql", "0131_affiliate_review.sql", "0132_disclosures.sql"} {
			if !slices.Contains(applied, name) {
				t.Errorf("%s not applied: %v", name, applied)
			}
		}
		review := map[int]string{}
		rows, err := db.SQL().QueryContext(ctx, `SELECT id, review FROM affiliates ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int
			var r string
			if err := rows.Scan(&id, &r); err != nil {
				t.Fatal(err)
			}
			review[id] = r
		}
		rows.Close()
		if want := map[int]string{1: "pending", 2: "approved", 3: "approved", 4: "approved"}; !mapsEqual(review, want) {
			t.Errorf("affiliate reviews %v, want %v", review, want)
		}
		var n, year, affiliate int
		var code string
		var created time.Time
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*), MAX(year), MAX(affiliate_id), MAX(affiliate_code)
            FROM review_items WHERE kind = 'affiliate' AND status = 'pending' AND employer_id = 2`).Scan(&n, &year, &affiliate, &code); err != nil {
			t.Fatal(err)
		}
		if n != 1 || year != 2024 || affiliate != 1 || code != codeA {
			t.Errorf("migration's request: %d items, year %d, affiliate %d, code %s", n, year, affiliate, code)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT created_at FROM review_items WHERE kind = 'affiliate'`).Scan(&created); err != nil ||
			created.IsZero() {
			t.Errorf("the request's created_at does not read as a time: %v %v", created, err)
		}
		// The claim and its evidence survived, still linked; ids go on; the kinds are checked.
		var check string
		if err := db.SQL().QueryRowContext(ctx, `SELECT x.check_name FROM review_item_files x JOIN review_items r ON r.id = x.review_item_id
            WHERE r.id = $1 AND r.kind = 'claim' AND r.month = '2024-03'`, claim).Scan(&check); err != nil || check != "wage" {
			t.Errorf("claim evidence after the migration: %q %v", check, err)
		}
		var id, highest int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT MAX(id) FROM review_items`).Scan(&highest); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRowContext(ctx, `INSERT INTO review_items (kind, employer_id, year, affiliate_id, affiliate_code, status, created_at)
            VALUES ('affiliate', 2, 2025, 2, $1, 'pending', $2) RETURNING id`, codeX, t0).Scan(&id); err != nil || id <= highest {
			t.Errorf("new affiliate item: id %d after %d, %v", id, highest, err)
		}
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO review_items (kind, employer_id, year, status, created_at) VALUES ('bogus', 2, 2025, 'pending', $1)`, t0); err == nil {
			t.Error("the kind constraint accepts 'bogus'")
		}
		// A review item still cannot point at a missing placement (foreign keys kept).
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO review_item_files (review_item_id, file_id) VALUES (999, 'f1')`); err == nil {
			t.Error("review_item_files accepts an item that does not exist")
		}
	})
}

func mapsEqual(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
