package placement_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// countingSource is the real Source, counting the reads of official records: one per verification.
type countingSource struct {
	exchange.Source
	records atomic.Int32
}

func (c *countingSource) Records(ctx context.Context, id string, payers []string, from, to rules.Month) (exchange.Records, error) {
	c.records.Add(1)
	return c.Source.Records(ctx, id, payers, from, to)
}

// TestRoundTrips holds the use cases of the grid to their budget: a months save reads the placement,
// reads the official records once and writes (three transactions, one verification); opening the
// grid takes two.
func TestRoundTrips(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		src := &countingSource{Source: e.source}
		svc := placement.NewService(store.PlacementRunner(e.db), src, e.prot, e.now)
		id, err := svc.Create(ctx, e.emp, 2025, input(p06, "吴秀兰", 3, placement.ContractInput{Start: "2022-01-01", FileIDs: []string{"f-1"}}))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			in       placement.SaveInput
			tx, read int
		}{
			{"selection", placement.SaveInput{}, 3, 1},
			{"claim", placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02", FileIDs: []string{"f-2"}}}}, 3, 1},
			// A refused claim never reaches the writing transaction.
			{"refused", placement.SaveInput{Months: []placement.MonthInput{{Month: "2025-02"}}}, 2, 1},
		} {
			tx0, read0 := e.db.Transactions(), src.records.Load()
			_, err := svc.SaveMonths(ctx, e.emp, id, c.in)
			if (err != nil) != (c.name == "refused") {
				t.Fatalf("%s: %v", c.name, err)
			}
			if tx, read := e.db.Transactions()-tx0, src.records.Load()-read0; tx != uint64(c.tx) || read != int32(c.read) {
				t.Errorf("%s: %d transactions and %d reads of official records, want %d and %d", c.name, tx, read, c.tx, c.read)
			}
		}
		tx0, read0 := e.db.Transactions(), src.records.Load()
		if _, err := svc.Get(ctx, e.emp, id); err != nil {
			t.Fatal(err)
		}
		if tx, read := e.db.Transactions()-tx0, src.records.Load()-read0; tx != 2 || read != 1 {
			t.Errorf("get: %d transactions and %d reads, want 2 and 1", tx, read)
		}
	})
}

// changingSource is the real Source that runs change before each of its first times reads of
// official records: a write that lands between a save's check and its year lock.
type changingSource struct {
	exchange.Source
	change  func(n int32)
	times   int32
	records atomic.Int32
}

func (c *changingSource) Records(ctx context.Context, id string, payers []string, from, to rules.Month) (exchange.Records, error) {
	if n := c.records.Add(1); n <= c.times {
		c.change(n)
	}
	return c.Source.Records(ctx, id, payers, from, to)
}

// TestSaveVerifiesWhatItWrites: a save verifies outside its write transaction, so a write between
// the verification and the year lock — here the contract shortened to the first quarter, as an edit
// in another tab would — must not leave months selected on the old verification. The save finds
// its stamp changed under the lock and verifies again: every month it stores as selected passes
// on the data that is there.
func TestSaveVerifiesWhatItWrites(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var id int64
		src := &changingSource{Source: e.source, times: 1, change: func(int32) {
			if _, err := e.db.SQL().ExecContext(ctx, `UPDATE contracts SET end_date = '2025-03-31' WHERE placement_id = $1`, id); err != nil {
				t.Error(err)
			}
		}}
		svc := placement.NewService(store.PlacementRunner(e.db), src, e.prot, e.now)
		var err error
		id, err = svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3, placement.ContractInput{Start: "2020-01-01", FileIDs: []string{"f-1"}}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{}); err != nil {
			t.Fatal(err)
		}
		if n := src.records.Load(); n != 2 {
			t.Errorf("%d reads of official records, want 2 (the save verified again after the change)", n)
		}
		v, err := svc.Get(ctx, e.emp, id)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.db.SQL().QueryContext(ctx, `SELECT month FROM placement_months WHERE placement_id = $1 AND selected ORDER BY month`, id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var selected []string
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				t.Fatal(err)
			}
			selected = append(selected, m)
		}
		if len(selected) == 0 {
			t.Fatal("no month selected: p01 passes the first quarter")
		}
		for _, m := range selected {
			for _, mv := range v.Months {
				if mv.Month.String() == m && !mv.Passed {
					t.Errorf("month %s stored as selected, but it fails on the data saved over (contract %+v)", m, v.Contracts)
				}
			}
		}
	})
}

// TestSaveOnChangingDataIsAConflict: a save whose data changes under it at every attempt gives up
// after saveAttempts with a 409 on the months (the page shows the grid again as it is now, with the
// clerk's choices), and writes nothing.
func TestSaveOnChangingDataIsAConflict(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var id int64
		src := &changingSource{Source: e.source, times: 100, change: func(n int32) {
			end := fmt.Sprintf("2025-%02d-28", 12-n)
			if _, err := e.db.SQL().ExecContext(ctx, `UPDATE contracts SET end_date = $2 WHERE placement_id = $1`, id, end); err != nil {
				t.Error(err)
			}
		}}
		svc := placement.NewService(store.PlacementRunner(e.db), src, e.prot, e.now)
		var err error
		id, err = svc.Create(ctx, e.emp, 2025, input(p01, "刘喆", 3, placement.ContractInput{Start: "2020-01-01", FileIDs: []string{"f-1"}}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.SaveMonths(ctx, e.emp, id, placement.SaveInput{})
		if e := apperr.As(err); e.Code != apperr.Conflict || !strings.Contains(e.Message, "请核对后重新保存") || e.Fields["months"] == "" {
			t.Fatalf("save on data changing at every attempt: %v, want a conflict", err)
		}
		if n := src.records.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
		var months int
		if err := e.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_months WHERE placement_id = $1`, id).Scan(&months); err != nil {
			t.Fatal(err)
		}
		if months != 0 {
			t.Errorf("%d months written by a refused save", months)
		}
	})
}
