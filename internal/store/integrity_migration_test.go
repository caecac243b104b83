package store_test

import (
	"context"
	"strings"
	"testing"

	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestIntegrityUpgrade migrates a database as the release before issue 13 left it (every migration
// but 0175–0199, which take their place by name before later ones already applied), with rows in
// it, on both databases: every row keeps its id and references (SQLite rebuilds its id tables with
// AUTOINCREMENT and placements without its inline UNIQUE, foreign keys checked), a confirmed
// placement of an open year with no counted month goes back to 未完成 with the reason, one of a
// submitted year stays, the removed newest review item's id is not handed out again, and a
// deleted placement's person can be registered again.
func TestIntegrityUpgrade(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Before: "0175"}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		steps, err := db.SQLSteps()
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range steps {
			// Not 0900: its triggers name placements, whose SQLite rebuild (0176) must come first, as
			// it does on any real upgrade.
			if step.Name >= "0200" && step.Name < "0900" {
				if _, err := db.ApplyStep(ctx, step); err != nil {
					t.Fatal(err)
				}
			}
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		one := func(q string, args ...any) (n int64) {
			t.Helper()
			if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return n
		}
		exec(`INSERT INTO regions (code, name) VALUES ('220102', '南关区')`)
		exec(`INSERT INTO federation_offices (code, name, region) VALUES ('220102', '南关区残联', '220102')`)
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('v1', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2024, '2025-01-01', '2025-12-31', 'v1'),
            (2025, '2026-01-01', '2026-12-31', 'v1')`)
		exec(`INSERT INTO employers (id, credit_code, name, federation_office, created_at, updated_at)
            VALUES (1, '91220101MA14U8XK2R', '单位', '220102', $1, $1)`, t0)
		exec(`INSERT INTO users (id, username, role, office, password_hash, created_at, updated_at)
            VALUES (7, 'rev', 'reviewer', '220102', 'x', $1, $1)`, t0)
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES (1, 'h1', $1, 'm1', '甲', '男', $2), (2, 'h2', $1, 'm2', '乙', '女', $2)`, []byte("x"), t0)
		// 10: confirmed with a counted month; 11: confirmed with none (open year); 12: the same
		// without months in the submitted year 2024.
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at) VALUES
            (10, 1, 2025, 1, 'confirmed', $1, $1), (11, 1, 2025, 2, 'confirmed', $1, $1), (12, 1, 2024, 2, 'confirmed', $1, $1)`, t0)
		exec(`INSERT INTO declarations (id, employer_id, year, status) VALUES (5, 1, 2024, 'submitted')`)
		exec(`INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight) VALUES
            (10, 1, '2025-01', TRUE, TRUE, 1), (11, 2, '2025-01', FALSE, FALSE, 0)`)
		exec(`INSERT INTO contracts (id, placement_id, start_date) VALUES (3, 10, '2023-01-01')`)
		exec(`INSERT INTO review_items (id, kind, employer_id, year, placement_id, month, status, created_at, decided_by, comment)
            VALUES (20, 'claim', 1, 2025, 11, '2025-01', 'rejected', $1, 7, '不符'), (21, 'claim', 1, 2025, 10, '2025-02', 'pending', $1, NULL, '')`, t0)
		exec(`INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at) VALUES ('f', 1, 'f.png', 1, 'b', 'image/png', $1)`, t0)
		exec(`INSERT INTO review_item_files (review_item_id, file_id) VALUES (20, 'f')`)
		exec(`DELETE FROM review_items WHERE id = 21`) // the newest item, withdrawn before the upgrade
		if db.Dialect() == "postgres" {
			// Rows written by the application would have moved the identity past the ids given here.
			exec(`SELECT setval(pg_get_serial_sequence('review_items', 'id'), 21)`)
		}

		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}

		if db.Dialect() == "sqlite" {
			for _, table := range []string{"placements", "review_items", "contracts", "employers", "audit_log", "letters"} {
				var def string
				if err := db.SQL().QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&def); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(def, "AUTOINCREMENT") {
					t.Errorf("%s without AUTOINCREMENT: %s", table, def)
				}
			}
			rows, err := db.SQL().Query(`PRAGMA foreign_key_check`)
			if err != nil {
				t.Fatal(err)
			}
			if rows.Next() {
				t.Error("dangling foreign keys after the upgrade")
			}
			rows.Close()
			if n := one(`SELECT COUNT(*) FROM sqlite_master WHERE name IN ('placements_employer_year', 'review_items_status',
                'review_items_open_claim', 'review_items_one_open_claim', 'placements_live_person')`); n != 4 {
				t.Errorf("%d of the 4 indexes after the rebuild", n)
			}
		}
		// Rows, ids and references as written.
		if n := one(`SELECT COUNT(*) FROM placements p JOIN persons s ON s.id = p.person_id WHERE p.id IN (10, 11, 12)`); n != 3 {
			t.Fatalf("%d placements kept", n)
		}
		if n := one(`SELECT COUNT(*) FROM review_items r JOIN review_item_files f ON f.review_item_id = r.id
            WHERE r.id = 20 AND r.placement_id = 11 AND r.comment = '不符' AND r.decided_by = 7`); n != 1 {
			t.Fatal("review item 20 with its file and decision")
		}
		if n := one(`SELECT COUNT(*) FROM contracts WHERE id = 3 AND placement_id = 10`); n != 1 {
			t.Fatal("contract 3")
		}
		if n := one(`SELECT COUNT(*) FROM placement_months WHERE placement_id = 10 AND selected`); n != 1 {
			t.Fatal("months of 10")
		}
		// Zero counted months: back to draft in the open year, kept in the submitted one.
		var status, reason string
		for id, want := range map[int]string{10: "confirmed", 11: "draft", 12: "confirmed"} {
			if err := db.SQL().QueryRow(`SELECT status, draft_reason FROM placements WHERE id = $1`, id).Scan(&status, &reason); err != nil {
				t.Fatal(err)
			}
			if status != want || (want == "draft") != (reason != "") {
				t.Errorf("placement %d: %s %q", id, status, reason)
			}
		}
		// The next review item does not get id 21 again (SQLite kept max+1 = 21 before; the upgrade
		// cannot know of ids deleted before it, but from now on none comes back).
		exec(`DELETE FROM review_items WHERE id = 20`)
		var next int64
		if err := db.SQL().QueryRow(`INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
            VALUES ('reopen', 1, 2025, '', 'pending', $1) RETURNING id`, t0).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next <= 20 {
			t.Fatalf("review item id %d handed out again", next)
		}
		// A deleted placement keeps its row; the person may be registered again.
		exec(`UPDATE placements SET deleted_at = $1 WHERE id = 11`, t0)
		exec(`INSERT INTO placements (employer_id, year, person_id, status, created_at, updated_at) VALUES (1, 2025, 2, 'draft', $1, $1)`, t0)
		if _, err := db.SQL().Exec(`INSERT INTO placements (employer_id, year, person_id, status, created_at, updated_at)
            VALUES (1, 2025, 2, 'draft', $1, $1)`, t0); err == nil || !db.IsUniqueViolation(err) {
			t.Fatalf("two live placements of one person: %v", err)
		}
		// Migrating again changes nothing.
		if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("second migrate: %v %v", applied, err)
		}
	})
}
