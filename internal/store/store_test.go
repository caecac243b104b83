package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/audit"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// storetest already migrated from empty; a second run must apply nothing.
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n == 0 {
			t.Fatalf("schema_migrations rows = %d, %v", n, err)
		}
		// Every table of the domain exists and is empty.
		for _, table := range []string{"regions", "federation_offices", "tax_offices", "minimum_wages",
			"business_years", "employers", "users", "sessions", "affiliates", "files", "registry_certificates",
			"registry_wages", "registry_social", "registry_medical", "persons", "placements", "contracts",
			"manual_certificates", "placement_months", "review_items", "declarations", "letters", "notices",
			"audit_log", "imports", "levy_parameters", "pledges", "captchas", "throttles"} {
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
	})
}

func TestExtraStepRunsOnce(t *testing.T) {
	storetest.Each(t, storetest.Options{}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		calls := 0
		step := store.Step{Name: "test-step", Apply: func(ctx context.Context, tx *store.Tx) error {
			calls++
			_, err := tx.Exec(ctx, `INSERT INTO regions (code, name) VALUES ('990000', '测试省')`)
			return err
		}}
		for i := 0; i < 2; i++ {
			if _, err := db.Migrate(ctx, step); err != nil {
				t.Fatal(err)
			}
		}
		if calls != 1 {
			t.Fatalf("step ran %d times", calls)
		}
		failing := store.Step{Name: "failing", Apply: func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO regions (code, name) VALUES ('980000', '半途')`); err != nil {
				return err
			}
			return errors.New("boom")
		}}
		if _, err := db.Migrate(ctx, failing); err == nil {
			t.Fatal("failing step reported success")
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM regions WHERE code = '980000'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatal("failed step left a partial write")
		}
	})
}

func TestTransactionRollsBackWithAudit(t *testing.T) {
	clock := storetest.NewClock(t0)
	storetest.Each(t, storetest.Options{Now: clock.Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := actor.Actor{UserID: 0, Name: "tester", ClientAddr: "127.0.0.1"}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(ctx, audit.For(a, "test.fail", "thing", "1")); err != nil {
				return err
			}
			return errors.New("use case failed")
		})
		if err == nil {
			t.Fatal("want error")
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if !tx.Now().Equal(t0) {
				t.Errorf("tx.Now = %v, want %v", tx.Now(), t0)
			}
			return tx.AppendAudit(ctx, audit.For(a, "test.ok", "thing", "2"))
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []audit.Entry
		err = db.InTx(ctx, func(tx *store.Tx) error {
			got, err = tx.AuditSince(ctx, t0.Add(-time.Hour), 10)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Action != "test.ok" || !got[0].At.Equal(t0) || got[0].Outcome != audit.Success ||
			got[0].ClientAddr != "127.0.0.1" {
			t.Fatalf("audit = %+v", got)
		}
	})
}

// TestOnePersonMonthPerEmployer checks the database itself refuses a second employer counting the
// same person-month (DOMAIN.md §4), whatever the code above it does.
func TestOnePersonMonthPerEmployer(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: storetest.NewClock(t0).Now}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) error {
			return db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err })
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(exec(`INSERT INTO pledges (version, body, created_at) VALUES ('v1', '承诺', $1)`, t0))
		must(exec(`INSERT INTO business_years (year, window_open, window_close, pledge_version) VALUES (2025, '2026-03-01', '2026-10-31', 'v1')`))
		for i, code := range []string{"91350100M000100Y43", "911100001000044477"} {
			must(exec(`INSERT INTO employers (id, credit_code, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`,
				i+1, code, "单位", t0))
		}
		must(exec(`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
            VALUES (1, 'h', $1, '110105********002X', '张三', '女', $2)`, []byte{1}, t0))
		for e := 1; e <= 2; e++ {
			must(exec(`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at)
                VALUES ($1, $1, 2025, 1, 'draft', $2, $2)`, e, t0))
		}
		must(exec(`INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight) VALUES (1, 1, '2025-01', TRUE, TRUE, 1)`))
		// Not selected at the second employer: allowed.
		must(exec(`INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight) VALUES (2, 1, '2025-01', TRUE, FALSE, 0)`))
		err := exec(`UPDATE placement_months SET selected = TRUE WHERE placement_id = 2 AND month = '2025-01'`)
		if err == nil || !db.IsUniqueViolation(err) {
			t.Fatalf("second employer selecting the same month: err = %v, want unique violation", err)
		}
	})
}
