package stats_test

import (
	"context"
	"testing"
	"time"

	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/stats"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// seedLarge writes n employers over the counties of Jilin with a year 2025 of placements,
// declarations (two in three), letters (one in two) and pending items (one in ten), in a few
// set-based statements (PostgreSQL's generate_series).
func seedLarge(b *testing.B, db *store.DB, n int) {
	b.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO employers (id, credit_code, name, federation_office, tax_office, district, contact_name, contact_phone,
            employee_count, address, unit_nature, economy_type, created_at, updated_at)
         SELECT g, 'C' || g, '单位' || g, o.code, '12201020000', o.code, '张三', '13812345678', 20 + g % 500, '地址',
             (ARRAY['企业','机关','事业单位','社会团体','民办非企业'])[1 + g % 5], (ARRAY['国有','集体','私营','外商投资','港澳台投资','其他',''])[1 + g % 7],
             now(), now()
         FROM generate_series(1, $1) g
         JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i, COUNT(*) OVER () AS k FROM federation_offices
               WHERE code NOT LIKE '%00') o ON o.i = g % o.k`,
		`INSERT INTO persons (id, id_hash, id_sealed, id_masked, name, gender, created_at)
         SELECT g, 'h' || g, '\x01', 'm', '某', '男', now() FROM generate_series(1, $1) g`,
		`INSERT INTO placements (id, employer_id, year, person_id, status, created_at, updated_at)
         SELECT g, g, 2025, g, (ARRAY['draft','pending','confirmed','rejected'])[1 + g % 4], now(), now() FROM generate_series(1, $1) g`,
		`INSERT INTO declarations (id, employer_id, year, status, submitted_at)
         SELECT g, g, 2025, 'submitted', TIMESTAMP '2026-03-01' + (g % 200) * INTERVAL '1 day' FROM generate_series(1, $1) g WHERE g % 3 > 0`,
		`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months, weight_months, federation_office, issued_at)
         SELECT d.id, 'JL-' || d.id, 'v' || d.id, 'valid', 2, 20, 30, e.federation_office, d.submitted_at + INTERVAL '3 days'
         FROM declarations d JOIN employers e ON e.id = d.employer_id WHERE d.id % 2 = 0 AND d.id <= $1`,
		`INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
         SELECT 'reopen', g, 2025, 'x', 'pending', now() - (g % 60) * INTERVAL '1 day' FROM generate_series(1, $1) g WHERE g % 10 = 0`,
		`ANALYZE`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q, n); err != nil {
			if q == `ANALYZE` {
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
				continue
			}
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// BenchmarkStatistics100k is the province's statistics page at 100,000 employers on PostgreSQL
// (the report: three breakdowns, the months, the oldest pending item), against a baseline measured
// in the same run: the review dashboard's tallies of the same year (the queries the reviewer's
// landing page ran before this issue).
func BenchmarkStatistics100k(b *testing.B) {
	db := storetest.Postgres(b, storetest.Options{Now: timeNowFunc, Steps: []store.Step{refdata.Step()}})
	seedLarge(b, db, 100_000)
	ctx := context.Background()
	province := staff("220000")
	b.Run("baseline=review.Dashboard", func(b *testing.B) {
		svc := review.NewService(store.ReviewRunner(db), nil, timeNowFunc)
		for b.Loop() {
			if _, err := svc.Dashboard(ctx, province, 2025); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats.Report", func(b *testing.B) {
		svc := stats.NewService(store.StatsRunner(db), timeNowFunc)
		for b.Loop() {
			rep, err := svc.Report(ctx, province, 2025, "")
			if err != nil {
				b.Fatal(err)
			}
			if rep.Total.Employers != 100_000 {
				b.Fatalf("report counts %d employers", rep.Total.Employers)
			}
		}
	})
}

func timeNowFunc() time.Time { return now }
