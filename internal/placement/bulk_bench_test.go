package placement_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// genID builds a valid resident ID number (GB 11643 check character) for generated person i.
func genID(i int) string {
	base := fmt.Sprintf("220102%04d%02d%02d%03d", 1970+i%30, 1+i%12, 1+i%28, 100+i/360%900)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for k, w := range weights {
		sum += int(base[k]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// BenchmarkBulkRegistration registers 500 persons in a year three ways and reports the cost per
// person: one by one as the form and the API do (Create, one transaction each: the baseline), by
// one Excel import (one transaction), and by copying last year's list (one transaction). The
// ratios to the baseline are the figures of issue 17.
func BenchmarkBulkRegistration(b *testing.B) {
	const n = 500
	ctx := context.Background()
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			opt := storetest.Options{Now: func() time.Time { return now }, Steps: []store.Step{refdata.Step()}}
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b, opt)
			} else {
				db = storetest.Postgres(b, opt)
			}
			e := setup(b, db)
			ids := make([]string, n)
			seen := map[string]bool{}
			for i, k := 0, 0; i < n; k++ {
				if id := genID(k); !seen[id] {
					seen[id], ids[i] = true, id
					i++
				}
			}
			input := func(i int, files []string) placement.Input {
				return placement.Input{IDNumber: ids[i], Name: fmt.Sprintf("测试%d", i), Category: 1 + i%7, Level: 1 + i%4,
					Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: files}}}
			}
			clear := func(b *testing.B, year int) {
				b.Helper()
				if _, err := db.SQL().Exec(`DELETE FROM placements WHERE year = $1`, year); err != nil {
					b.Fatal(err)
				}
			}
			perPerson := func(b *testing.B) { b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/person") }
			b.Run("one-by-one", func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					clear(b, 2025)
					b.StartTimer()
					for i := range n {
						if _, err := e.svc.Create(ctx, e.emp, 2025, input(i, []string{"f-1"})); err != nil {
							b.Fatal(err)
						}
					}
				}
				perPerson(b)
			})
			b.Run("excel-import", func(b *testing.B) {
				rows := make([]placement.ImportRow, n)
				for i := range rows {
					rows[i] = placement.ImportRow{Line: i + 2, Input: input(i, nil)}
				}
				for range b.N {
					b.StopTimer()
					clear(b, 2025)
					b.StartTimer()
					if res, err := e.svc.Import(ctx, e.emp, 2025, placement.ImportInput{FileName: "b.xlsx", Rows: rows}); err != nil || len(res.Created) != n {
						b.Fatalf("%v %v", err, res.Errors)
					}
				}
				perPerson(b)
			})
			b.Run("copy-last-year", func(b *testing.B) {
				clear(b, 2024)
				for i := range n {
					if _, err := e.svc.Create(ctx, e.emp, 2024, input(i, []string{"f-1"})); err != nil {
						b.Fatal(err)
					}
				}
				b.ResetTimer() // last year's list is the situation, not the work
				for range b.N {
					b.StopTimer()
					clear(b, 2025)
					b.StartTimer()
					if res, err := e.svc.Copy(ctx, e.emp, 2025, placement.CopyInput{FromYear: 2024}); err != nil || len(res.Created) != n {
						b.Fatalf("%v %+v", err, res.Skipped)
					}
				}
				perPerson(b)
			})
		})
	}
}
