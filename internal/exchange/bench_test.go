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

// BenchmarkImportHostileWorkbook imports the hostile workbook of issue 14: 1 MB of XLSX whose one
// amount cell unzips to 1,000,000,000 bytes (before the guard: 26–58 s and 4.1 GB of memory through
// `quotacert import`, 58–69 s and 4.2 GB through POST /admin/imports). It must be refused in a few
// milliseconds with a few megabytes (see -benchmem).
func BenchmarkImportHostileWorkbook(b *testing.B) {
	var file bytes.Buffer
	if err := exchangegen.HugeCell(&file, 1_000_000_000); err != nil {
		b.Fatal(err)
	}
	svc := newService(b, storetest.SQLite(b, storetest.Options{}))
	b.ReportAllocs()
	for b.Loop() {
		res, err := svc.Import(context.Background(), system, exchange.Wages, "huge.xlsx", bytes.NewReader(file.Bytes()), exchange.Options{})
		if err == nil || res.ErrorCount != 1 {
			b.Fatalf("hostile workbook: %v %v", err, res.Errors)
		}
	}
	b.ReportMetric(float64(file.Len())/1e6, "MB-file")
}
