package store_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// TestAdminScopeBackfill runs the backfill statements of migration 0100 over rows written before
// it, on both databases: audit entries get their actor's and object's offices where their account
// or object tells, and notices for everyone or for a region get the root's or that region's office.
func TestAdminScopeBackfill(t *testing.T) {
	raw, err := os.ReadFile("migrations/0100_admin_scope.sql")
	if err != nil {
		t.Fatal(err)
	}
	var backfill []string
	for _, stmt := range strings.Split(string(raw), ";") {
		if i := strings.Index(stmt, "UPDATE "); i >= 0 {
			backfill = append(backfill, stmt[i:])
		}
	}
	if len(backfill) != 7 {
		t.Fatalf("%d backfill statements in 0100", len(backfill))
	}
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var emp, empUser, rev, pl int64
		if err := db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, federation_office, created_at, updated_at)
            VALUES ('91220101MA14U8XK2R', '单位', '220202', $1, $1) RETURNING id`, t0).Scan(&emp); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`INSERT INTO users (username, role, employer_id, password_hash, created_at, updated_at)
            VALUES ('91220101MA14U8XK2R', 'employer', $1, 'x', $2, $2) RETURNING id`, emp, t0).Scan(&empUser); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`INSERT INTO users (username, role, office, password_hash, created_at, updated_at)
            VALUES ('ngrev', 'reviewer', '220102', 'x', $1, $1) RETURNING id`, t0).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`INSERT INTO persons (id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES ('h', $1, 'm', '张三', '男', $2) RETURNING id`, []byte("x"), t0).Scan(&pl); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`INSERT INTO placements (employer_id, year, person_id, status, created_at, updated_at)
            VALUES ($1, 2025, $2, 'draft', $3, $3) RETURNING id`, emp, pl, t0).Scan(&pl); err != nil {
			t.Fatal(err)
		}
		entry := func(actor any, name, objType, objID string) {
			exec(`INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, outcome)
                VALUES ($1, $2, $3, 'x', $4, $5, 'success')`, t0, actor, name, objType, objID)
		}
		entry(empUser, "91220101MA14U8XK2R", "employer", "")        // an employer's own action
		entry(rev, "ngrev", "placement", strconv.FormatInt(pl, 10)) // a 南关区 reviewer on a 昌邑区 placement
		entry(nil, "system:import", "import", "1")                  // the command line
		entry(rev, "ngrev", "user", strconv.FormatInt(empUser, 10)) // on the employer's account
		exec(`INSERT INTO notices (title, body, region, created_at, updated_at) VALUES ('全省', 'x', NULL, $1, $1), ('长春', 'x', '220100', $1, $1)`, t0)
		exec(`UPDATE audit_log SET actor_office = NULL, subject_office = NULL`)
		exec(`UPDATE notices SET office = NULL`)
		for _, q := range backfill {
			exec(q)
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT actor_name || ' ' || object_type || ' ' || COALESCE(actor_office, '-') || ' ' || COALESCE(subject_office, '-')
            FROM audit_log ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		rows.Close()
		want := []string{"91220101MA14U8XK2R employer 220202 220202", "ngrev placement 220102 220202", "system:import import - -",
			"ngrev user 220102 220202"}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("audit backfill:\n%s\nwant\n%s", strings.Join(got, "; "), strings.Join(want, "; "))
		}
		var all, city string
		if err := db.SQL().QueryRow(`SELECT (SELECT office FROM notices WHERE title = '全省'), (SELECT office FROM notices WHERE title = '长春')`).Scan(&all, &city); err != nil {
			t.Fatal(err)
		}
		if all != "220000" || city != "220100" {
			t.Errorf("notice targets: %s, %s", all, city)
		}
	})
}
