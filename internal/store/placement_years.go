package store

import (
	"context"
	"fmt"

	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Years lists the business years with their declaration windows, newest first, for the
// year switcher of the placement pages.
func (tx PlacementTx) Years(ctx context.Context) ([]placement.BusinessYear, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT year, window_open, window_close FROM business_years ORDER BY year DESC`)
	if err != nil {
		return nil, fmt.Errorf("list business years: %w", err)
	}
	defer rows.Close()
	var out []placement.BusinessYear
	for rows.Next() {
		var y placement.BusinessYear
		var open, close string
		if err := rows.Scan(&y.Year, &open, &close); err != nil {
			return nil, fmt.Errorf("scan business year: %w", err)
		}
		if y.WindowOpen, err = rules.ParseDate(open); err != nil {
			return nil, fmt.Errorf("business year %d window_open %q: %w", y.Year, open, err)
		}
		if y.WindowClose, err = rules.ParseDate(close); err != nil {
			return nil, fmt.Errorf("business year %d window_close %q: %w", y.Year, close, err)
		}
		out = append(out, y)
	}
	return out, rows.Err()
}
