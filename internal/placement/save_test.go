package placement_test

import (
	"context"
	"sync/atomic"
	"testing"

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
