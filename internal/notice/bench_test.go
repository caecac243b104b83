package notice_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"quotacert/internal/actor"
	"quotacert/internal/notice"
	"quotacert/internal/refdata"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
)

// BenchmarkSearch measures a keyword search over 2 000 published notices of about 1 000
// characters each (a decade of a province's notices), on both databases.
func BenchmarkSearch(b *testing.B) {
	for _, open := range []struct {
		name string
		fn   func(testing.TB, storetest.Options) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(open.name, func(b *testing.B) {
			db := open.fn(b, storetest.Options{Steps: []store.Step{refdata.Step()}})
			ctx := context.Background()
			body := strings.Repeat("用人单位应当按照规定的比例安排残疾人就业。", 50)
			err := db.InTx(ctx, func(tx *store.Tx) error {
				for i := range 2000 {
					if _, err := tx.Exec(ctx, `INSERT INTO notices (title, body, published_at, created_at, updated_at)
                        VALUES ($1, $2, $3, $3, $3)`, fmt.Sprintf("第%d号通知", i), body, tx.Now()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			svc := notice.NewService(store.NoticeRunner(db))
			a := actor.Actor{Name: "rev", Role: actor.Reviewer}
			b.ResetTimer()
			for b.Loop() {
				if _, err := svc.List(ctx, a, "申报", 1, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
