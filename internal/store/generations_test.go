package store_test

import (
	"context"
	"strings"
	"testing"

	"quotacert/internal/placement"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestViewGenerationsFollowEveryInput writes to each table a grid or the list is computed from,
// on both databases, and checks which stamps move: the grid of the placement written (A), the
// list of its employer, and the grid of the same person's placement at another employer (B,
// whose "该月已由其他单位申报" depends on A's months). A kept page shows again only while its stamp
// stays, so a write that moves no stamp it should would show a stale page.
func TestViewGenerationsFollowEveryInput(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO regions (code, name) VALUES ('229901', '测试区') ON CONFLICT (code) DO NOTHING`)
		exec(`INSERT INTO pledges (version, body, created_at) VALUES ('vg', '承诺', $1)`, t0)
		exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2091, '2092-01-01', '2092-12-31', 'vg')`)
		exec(`INSERT INTO employers (id, credit_code, name, created_at, updated_at) VALUES
            (901, '91220101MA14U8XK2R', '甲单位', $1, $1), (902, '91220101MA14U8XL0D', '乙单位', $1, $1)`, t0)
		exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES (901, 'vh1', $1, 'm1', '甲', '男', $2)`, []byte("x"), t0)
		exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at) VALUES
            (901, 901, 2091, 901, 'confirmed', $1, $1), (902, 902, 2091, 901, 'confirmed', $1, $1)`, t0)
		exec(`INSERT INTO files (id, employer_id, name, size, blob, content_type, created_at) VALUES ('vgf', 901, 'f.png', 1, 'b', 'image/png', $1)`, t0)

		type stamps struct{ grid, list, other placement.Stamp }
		read := func() stamps {
			t.Helper()
			var out stamps
			err := store.PlacementRunner(db)(ctx, func(tx placement.Tx) error {
				a, err := tx.Peek(ctx, 0, 901)
				if err != nil {
					return err
				}
				l, err := tx.Peek(ctx, 901, 0)
				if err != nil {
					return err
				}
				b, err := tx.Peek(ctx, 0, 902)
				out = stamps{a.Stamp, l.Stamp, b.Stamp}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		const grid, list, other = 1, 2, 4
		cases := []struct {
			name  string
			write string
			moves int // which stamps move
		}{
			{"persons", `UPDATE persons SET name = '甲乙' WHERE id = 901`, grid | list | other},
			{"placements", `UPDATE placements SET status = 'pending' WHERE id = 901`, grid | list | other},
			{"placement_months", `INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight)
                VALUES (901, 901, '2091-01', TRUE, TRUE, 1)`, grid | list | other},
			{"contracts", `INSERT INTO contracts (id, placement_id, start_date) VALUES (901, 901, '2090-01-01')`, grid | list},
			{"contract_files", `INSERT INTO contract_files (contract_id, file_id) VALUES (901, 'vgf')`, grid | list},
			{"manual_certificates", `INSERT INTO manual_certificates (id, placement_id, cert_hash, cert_sealed, cert_masked, category, level, issued)
                VALUES (901, 901, 'c', '', 'c*', 1, 1, '2090-01-01')`, grid | list},
			{"manual_certificate_files", `INSERT INTO manual_certificate_files (manual_certificate_id, file_id) VALUES (901, 'vgf')`, grid | list},
			{"review_items (claim)", `INSERT INTO review_items (id, kind, employer_id, year, placement_id, month, status, created_at)
                VALUES (901, 'claim', 901, 2091, 901, '2091-02', 'pending', '2026-03-02')`, grid | list},
			{"review_item_files", `INSERT INTO review_item_files (review_item_id, file_id) VALUES (901, 'vgf')`, grid | list},
			{"review_items (the employer's)", `INSERT INTO review_items (id, kind, employer_id, year, status, created_at)
                VALUES (902, 'reopen', 901, 2091, 'pending', '2026-03-02')`, grid | list},
			{"employers", `UPDATE employers SET contact_name = '王芳' WHERE id = 901`, grid | list},
			{"affiliates", `INSERT INTO affiliates (id, employer_id, credit_code, name, kind, created_at, updated_at)
                VALUES (901, 901, '91220101MA14U8XM9A', '子公司', 'subsidiary', '2026-03-02', '2026-03-02')`, grid | list},
			{"affiliate_files", `INSERT INTO affiliate_files (affiliate_id, file_id) VALUES (901, 'vgf')`, grid | list},
			{"declarations", `INSERT INTO declarations (employer_id, year, status) VALUES (901, 2091, 'open')`, grid | list},
			{"another employer's declaration", `INSERT INTO declarations (employer_id, year, status) VALUES (902, 2091, 'open')`, other},
			{"business_years", `UPDATE business_years SET window_close = '2092-12-30' WHERE year = 2091`, grid | list | other},
			{"minimum_wages", `INSERT INTO minimum_wages (region, from_month, amount_fen) VALUES ('229901', '2091-01', 190000)`, grid | list | other},
			{"regions", `UPDATE regions SET name = '测试新区' WHERE code = '229901'`, grid | list | other},
			{"registry_persons", `INSERT INTO registry_persons (person_hash, person_sealed) VALUES ('vh1', '')`, grid | list | other},
			{"registry_certificates", `INSERT INTO registry_certificates (cert_hash, cert_sealed, cert_masked, person_hash, person_sealed,
                name, gender, category, level, issued, status) VALUES ('c', '', 'c*', 'vh1', '', '甲', '男', 1, 1, '2090-01-01', '有效')`, grid | list | other},
			{"registry_wages", `INSERT INTO registry_wages (person_hash, credit_code, month, amount_fen) VALUES ('vh1', '91220101MA14U8XK2R', '2091-01', 300000)`, grid | list | other},
			{"registry_social", `INSERT INTO registry_social (person_hash, credit_code, month) VALUES ('vh1', '91220101MA14U8XK2R', '2091-01')`, grid | list | other},
			{"registry_medical", `INSERT INTO registry_medical (person_hash, credit_code, month) VALUES ('vh1', '91220101MA14U8XK2R', '2091-01')`, grid | list | other},
			{"a deletion", `DELETE FROM placement_months WHERE placement_id = 901`, grid | list | other},
			{"what no page reads", `INSERT INTO pledges (version, body, created_at) VALUES ('vg2', '承诺', '2026-03-02')`, 0},
		}
		covered := map[string]bool{}
		for _, c := range cases {
			before := read()
			exec(c.write)
			after := read()
			got := 0
			if after.grid != before.grid {
				got |= grid
			}
			if after.list != before.list {
				got |= list
			}
			if after.other != before.other {
				got |= other
			}
			if got != c.moves {
				t.Errorf("%s: moved %03b, want %03b (before %+v, after %+v)", c.name, got, c.moves, before, after)
			}
			table, _, _ := strings.Cut(c.name, " ")
			covered[table] = true
		}
		// Every table the generations follow is written above, and has its triggers (a SQLite
		// table rebuild drops them).
		for _, table := range db.GenTables() {
			if !covered[table] {
				t.Errorf("no case writes %s", table)
			}
			for _, name := range db.GenTriggerNames(table) {
				var n int
				q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = $1 AND tbl_name = $2`
				if db.Dialect() == "postgres" {
					// This schema's only: other tests migrate schemas of the same database at once.
					q = `SELECT COUNT(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE g.tgname = $1 AND c.relname = $2 AND n.nspname = current_schema()`
				}
				if err := db.SQL().QueryRowContext(ctx, q, name, table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 1 {
					t.Errorf("trigger %s on %s: %d", name, table, n)
				}
			}
		}
	})
}
