package store

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/overview"
)

// OverviewTx is the home page's port (overview.Tx), over one transaction.
type OverviewTx struct{ *txn }

// OverviewRunner runs each overview use case in one transaction (overview.NewService).
func OverviewRunner(db *DB) func(context.Context, func(overview.Tx) error) error {
	return runner(db, func(t *txn) overview.Tx { return OverviewTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx OverviewTx) Now() time.Time { return tx.now }

// OpenBusinessYear is the latest year whose declaration window contains day.
func (tx OverviewTx) OpenBusinessYear(ctx context.Context, day string) (int, string, string, bool, error) {
	var y int
	var open, close string
	err := tx.tx.QueryRowContext(ctx, `SELECT year, window_open, window_close FROM business_years
        WHERE window_open <= $1 AND window_close >= $1 ORDER BY year DESC LIMIT 1`, day).Scan(&y, &open, &close)
	if isNoRows(err) {
		return 0, "", "", false, nil
	}
	if err != nil {
		return 0, "", "", false, fmt.Errorf("open business year on %s: %w", day, err)
	}
	return y, open, close, true, nil
}

// PlacementCountsByStatus counts an employer's placements of a year by status.
func (tx OverviewTx) PlacementCountsByStatus(ctx context.Context, employerID int64, year int) (map[string]int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM placements WHERE employer_id = $1 AND year = $2
        GROUP BY status`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("count placements: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("scan placement count: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}
