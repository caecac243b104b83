package store

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/overview"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// OverviewTx is the home page's port (overview.Tx), over one transaction.
type OverviewTx struct{ *txn }

// OverviewRunner runs each overview use case in one transaction (overview.NewService).
func OverviewRunner(db *DB) func(context.Context, func(overview.Tx) error) error {
	return runner(db, func(t *txn) overview.Tx { return OverviewTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx OverviewTx) Now() time.Time { return tx.now }

// Years lists the business years, newest first.
func (tx OverviewTx) Years(ctx context.Context) ([]rules.BusinessYear, error) {
	return tx.businessYears(ctx)
}

// PlacementCountsByStatus counts an employer's placements of a year by status.
func (tx OverviewTx) PlacementCountsByStatus(ctx context.Context, employerID int64, year int) (map[placement.Status]int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM placements WHERE employer_id = $1 AND year = $2
        AND deleted_at IS NULL GROUP BY status`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("count placements: %w", err)
	}
	defer rows.Close()
	out := map[placement.Status]int{}
	for rows.Next() {
		var s placement.Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("scan placement count: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}
