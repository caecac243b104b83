package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/placement"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// residentID builds a valid ID number (GB 11643 check character) for a generated person.
func residentID(birth string, seq int) string {
	base := "220102" + birth + fmt.Sprintf("%03d", seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

// eachDialect runs a benchmark on SQLite and on PostgreSQL (skipped without QUOTACERT_TEST_PG).
func eachDialect(b *testing.B, opt storetest.Options, fn func(b *testing.B, db *store.DB)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			if dialect == "sqlite" {
				fn(b, storetest.SQLite(b, opt))
			} else {
				fn(b, storetest.Postgres(b, opt))
			}
		})
	}
}

// BenchmarkPlacementPages measures the list page and the grid page of an employer with 1,000
// placements (the months of half of them saved), from request to last byte over loopback: ns/op
// is the mean, p50-ms and p99-ms the median and the 99th percentile of the requests.
func BenchmarkPlacementPages(b *testing.B) {
	clock := storetest.NewClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))
	eachDialect(b, storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}, func(b *testing.B, db *store.DB) {
		// A large employer's clerk opening a thousand persons exceeds the disclosure limit, which
		// is counted all the same, with budgets above it.
		s, svc := newPlacementSite(b, db, clock, placement.DisclosureLimits{PerEmployer: 5000, PerAddress: 5000, Window: time.Hour})
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		var empID, userID int64
		if err := db.SQL().QueryRow(`SELECT id FROM employers WHERE credit_code = $1`, empCode).Scan(&empID); err != nil {
			b.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT id FROM users WHERE employer_id = $1`, empID).Scan(&userID); err != nil {
			b.Fatal(err)
		}
		a := actor.Actor{UserID: userID, Name: empCode, Role: actor.Employer, EmployerID: empID}
		ctx := context.Background()
		var ids []int64
		for i := range 1000 {
			birth := fmt.Sprintf("19%02d%02d%02d", 70+i%25, 1+i%12, 1+i%28)
			id, err := svc.Create(ctx, a, 2025, placement.Input{IDNumber: residentID(birth, 100+i%900), Name: fmt.Sprintf("测试%d", i),
				Category: 1 + i%7, Level: 1 + i%4, Contracts: []placement.ContractInput{{Start: "2020-01-01", FileIDs: []string{file}}}})
			if err != nil {
				b.Fatalf("create %d: %v", i, err)
			}
			if i%2 == 0 {
				if _, err := svc.SaveMonths(ctx, a, id, placement.SaveInput{}); err != nil {
					b.Fatalf("save %d: %v", i, err)
				}
			}
			ids = append(ids, id)
		}
		measure := func(path func(i int) string, want string) func(b *testing.B) {
			return func(b *testing.B) {
				sub := *s
				sub.t = b // failures are reported by the benchmark that meets them
				c := &client{s: &sub, c: c.c}
				var d []time.Duration
				for i := 0; b.Loop(); i++ {
					t0 := time.Now()
					status, body, _ := c.get(path(i))
					d = append(d, time.Since(t0))
					if status != http.StatusOK || !strings.Contains(body, want) {
						b.Fatalf("%s: %d", path(i), status)
					}
				}
				slices.Sort(d)
				b.ReportMetric(float64(d[len(d)/2])/float64(time.Millisecond), "p50-ms")
				b.ReportMetric(float64(d[min(len(d)-1, (len(d)*99+99)/100-1)])/float64(time.Millisecond), "p99-ms")
			}
		}
		b.Run("list-1000-rows", measure(func(int) string { return "/placements?year=2025" }, `id="sum-persons">1000 人`))
		b.Run("grid", measure(func(i int) string { return fmt.Sprintf("/placements/%d", ids[(i*37)%len(ids)]) }, "逐月核验结果"))
	})
}
