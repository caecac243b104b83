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

// BenchmarkSaveMonths saves the months of 50 persons of one employer in turn (placement.Service.
// SaveMonths: the reading transaction, the official records, the verification and the writing
// transaction, which takes the employer-year's lock and saves the twelve months in place) on both
// databases.
func BenchmarkSaveMonths(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			clock := storetest.NewClock(now)
			opt := storetest.Options{Now: clock.Now, Steps: []store.Step{refdata.Step()}}
			var db *store.DB
			if dialect == "sqlite" {
				db = storetest.SQLite(b, opt)
			} else {
				db = storetest.Postgres(b, opt)
			}
			e := setup(b, db)
			svc := e.svc.WithDisclosureLimits(placement.DisclosureLimits{PerEmployer: 1000, PerAddress: 1000, Window: time.Hour})
			ctx := context.Background()
			var ids []int64
			for i, person := range validIDs(50) {
				id, err := svc.Create(ctx, e.emp, 2025, input(person, fmt.Sprintf("测试%d", i), 3))
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, id)
			}
			for i := 0; b.Loop(); i++ {
				if _, err := svc.SaveMonths(ctx, e.emp, ids[i%len(ids)], placement.SaveInput{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
