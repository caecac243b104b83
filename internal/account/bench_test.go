package account_test

import (
	"context"
	"testing"
	"time"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// auditRows is the size of the benchmark's audit log: a few months of a province's activity.
const auditRows = 200_000

// BenchmarkSearchAudit measures the first page of the audit search (the count and 50 entries) over
// 200 000 entries spread evenly over the 70 offices of the Jilin tree, on both databases: the root
// admin's (every entry: the baseline), a city admin's (吉林市, 10 offices: 1 in 7 entries) and a
// district admin's (昌邑区: 1 in 70), and the district's again without the two scope indexes, to
// show what they are for.
func BenchmarkSearchAudit(b *testing.B) {
	for _, open := range []struct {
		name string
		fn   func(testing.TB, storetest.Options) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			db := open.fn(b, storetest.Options{Steps: []store.Step{refdata.Step()}})
			ctx := context.Background()
			// Entry i is acted by (or on) the i-th office of the tree, in turn; one in ten also names
			// another office's object.
			_, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_log (at, actor_name, action, outcome, actor_office, subject_office)
                WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1),
                    o (k, code) AS (SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code FROM federation_offices)
                SELECT $2, 'user', 'login', 'success', a.code, CASE WHEN n.i % 10 = 0 THEN s.code END
                FROM n JOIN o a ON a.k = n.i % 70 JOIN o s ON s.k = (n.i / 70) % 70`, auditRows, time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
			if err != nil {
				b.Fatal(err)
			}
			cfg := account.DefaultConfig()
			cfg.Secrets = testSecrets(b)
			svc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
			if err != nil {
				b.Fatal(err)
			}
			search := func(b *testing.B, office string) {
				a := actor.Actor{Name: "adm", Role: actor.Admin, Office: office}
				var total int
				for b.Loop() {
					p, err := svc.SearchAudit(ctx, a, account.AuditQuery{}, 1)
					if err != nil {
						b.Fatal(err)
					}
					total = p.Total
				}
				b.ReportMetric(float64(total), "entries")
			}
			b.Run("root", func(b *testing.B) { search(b, "220000") })
			b.Run("city", func(b *testing.B) { search(b, "220200") })
			b.Run("district", func(b *testing.B) { search(b, "220202") })
			if _, err := db.SQL().ExecContext(ctx, `DROP INDEX audit_log_actor_office`); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `DROP INDEX audit_log_subject_office`); err != nil {
				b.Fatal(err)
			}
			b.Run("district-without-indexes", func(b *testing.B) { search(b, "220202") })
		})
	}
}
