package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"quotacert/internal/exchange"
	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/store/storetest"
)

// BenchmarkImportWages imports a generated 50,000-row wages file per iteration, with 500-row and
// the default 5,000-row batches (scripts/bench-import.sh runs the full million-row comparison
// against the databases' own bulk paths). Iterations after the first re-import the same keys, so
// they measure the upsert path; run with -benchtime 1x for a first load.
func BenchmarkImportWages(b *testing.B) {
	var file bytes.Buffer
	const rows = 50000
	if err := exchangegen.Wages(&file, rows); err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{500, exchange.DefaultBatchSize} {
		for _, dialect := range []string{"sqlite", "postgres"} {
			b.Run(fmt.Sprintf("%s/batch%d", dialect, size), func(b *testing.B) {
				db := storetest.SQLite(b, storetest.Options{})
				if dialect == "postgres" {
					db = storetest.Postgres(b, storetest.Options{})
				}
				svc := newService(b, db).WithBatchSize(size)
				for i := 0; i < b.N; i++ {
					res, err := svc.Import(context.Background(), system, exchange.Wages, "w.csv", bytes.NewReader(file.Bytes()), exchange.Options{})
					if err != nil || res.Rows != rows {
						b.Fatal(err, res.Errors)
					}
				}
				b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
