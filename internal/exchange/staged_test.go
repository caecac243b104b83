package exchange_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/store"
)

// wageLine is one wages row of the p-th generated person.
func wageLine(p int, month int, yuan int) string {
	return fmt.Sprintf("%s,%s,2025-%02d,%d\n", exchangegen.PersonID(p), codeE, month, yuan)
}

// TestStagedMergeNewExistingAndRepeated covers the merge's three outcomes on both databases: all
// keys new (PostgreSQL's plain INSERT), some keys existing (the upsert after the savepoint), and a
// repeated key among existing and new ones (rejected, nothing written, the repeat reported with its
// first line).
func TestStagedMergeNewExistingAndRepeated(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		svc = svc.WithBatchSize(2) // several batches, so several COPYs / INSERT chunks
		const head = "idNumber,creditCode,month,amount\n"
		first := head + wageLine(1, 1, 100) + wageLine(1, 2, 100) + wageLine(2, 1, 100) + wageLine(2, 2, 100)
		mustImport(t, svc, exchange.Wages, first)
		if n := count(t, db, `SELECT COUNT(*) FROM registry_wages`); n != 4 {
			t.Fatalf("first file: %d rows", n)
		}
		// Overlap: one existing key with a new amount, two new keys.
		second := head + wageLine(3, 1, 300) + wageLine(2, 2, 250) + wageLine(3, 2, 300)
		res := mustImport(t, svc, exchange.Wages, second)
		if n := count(t, db, `SELECT COUNT(*) FROM registry_wages`); n != 6 || res.Rows != 3 {
			t.Fatalf("second file: %d rows in table, %d read", n, res.Rows)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM registry_wages WHERE amount_fen = 25000 AND import_id = $1`, res.ImportID); n != 1 {
			t.Fatalf("existing key not updated by the second file: %d", n)
		}
		before := snapshot(t, db)
		// A repeat of an existing key (lines 2 and 4) and of a new key (lines 3 and 6).
		third := head + wageLine(1, 1, 1) + wageLine(4, 1, 1) + wageLine(1, 1, 2) + wageLine(4, 2, 1) + wageLine(4, 1, 3)
		res, err := importString(t, svc, exchange.Wages, "third.csv", third)
		if apperr.CodeOf(err) != apperr.Invalid || res.ErrorCount != 2 {
			t.Fatalf("third file: %v %+v", err, res.Errors)
		}
		want := []string{"row 4: idNumber+creditCode+month: 与第 2 行重复（同一记录出现多次）",
			"row 6: idNumber+creditCode+month: 与第 3 行重复（同一记录出现多次）"}
		for i, w := range want {
			if res.Errors[i].String() != w {
				t.Errorf("error %d = %q, want %q", i, res.Errors[i].String(), w)
			}
		}
		sameState(t, snapshot(t, db), before)
		// The staging table went with the rolled-back transaction: the next import works.
		mustImport(t, svc, exchange.Wages, head+wageLine(5, 1, 1))
	})
}

// TestRepeatsBeyondTheListedErrors: repeats found at the end are merged with the row errors found
// while streaming, in file order, capped at MaxListedErrors, and all of them are counted.
func TestRepeatsBeyondTheListedErrors(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		const n = 1200
		var b strings.Builder
		b.WriteString("idNumber,creditCode,month,amount\n")
		for round := 0; round < 2; round++ { // lines 2..1201, then the same keys on 1202..2401
			for i := 0; i < n; i++ {
				b.WriteString(wageLine(i/12, i%12+1, 100))
			}
		}
		b.WriteString(exchangegen.PersonID(1) + "," + codeE + ",2025-13,1\n") // line 2402: bad month
		res, err := importString(t, svc.WithBatchSize(100), exchange.Wages, "w.csv", b.String())
		if apperr.CodeOf(err) != apperr.Invalid || res.ErrorCount != n+1 || len(res.Errors) != exchange.MaxListedErrors {
			t.Fatalf("%v: %d errors, %d listed", err, res.ErrorCount, len(res.Errors))
		}
		if got := res.Errors[0].String(); got != "row 1202: idNumber+creditCode+month: 与第 2 行重复（同一记录出现多次）" {
			t.Fatalf("first listed error %q", got)
		}
		for i := 1; i < len(res.Errors); i++ {
			if res.Errors[i].Row <= res.Errors[i-1].Row {
				t.Fatalf("errors out of file order at %d: %d after %d", i, res.Errors[i].Row, res.Errors[i-1].Row)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM registry_wages`); n != 0 {
			t.Fatalf("%d rows written by a rejected file", n)
		}
	})
}

// cancellingReader cancels the import's context once half of the file has been read, as a server
// shutting down or a client going away would.
type cancellingReader struct {
	r      io.Reader
	after  int
	read   int
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 4096)])
	c.read += n
	if c.read >= c.after {
		c.cancel()
	}
	return n, err
}

// TestImportCancelledMidFile: a cancelled import (reading and staging in two goroutines) returns
// the cancellation, not a rejection, and leaves the previous state intact.
func TestImportCancelledMidFile(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		mustImport(t, svc, exchange.Wages, goodFiles[exchange.Wages])
		before := snapshot(t, db)
		var file strings.Builder
		if err := exchangegen.Wages(&file, 20000); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &cancellingReader{r: strings.NewReader(file.String()), after: file.Len() / 2, cancel: cancel}
		_, err := svc.WithBatchSize(500).Import(ctx, system, exchange.Wages, "w.csv", r, exchange.Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled import: %v", err)
		}
		sameState(t, snapshot(t, db), before)
	})
}
