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

// BenchmarkGet opens the grids of 200 persons of one employer (placement.Service.Get: the
// transaction, the official records, the verification) on both databases: first-view opens each
// person once in a new disclosure window (run it with -benchtime 200x to keep every open a first
// one), re-read opens them again in the same window (the usual case: a clerk going back to a grid).
func BenchmarkGet(b *testing.B) {
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
			for i, person := range validIDs(200) {
				id, err := svc.Create(ctx, e.emp, 2025, input(person, fmt.Sprintf("测试%d", i), 3))
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, id)
			}
			clock.Advance(2 * time.Hour) // a new window: nobody is counted yet
			open := func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := svc.Get(ctx, e.emp, ids[i%len(ids)]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.Run("first-view", open)
			b.Run("re-read", open)
		})
	}
}
