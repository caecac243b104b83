package store

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// ListSummary counts a year's placements in one aggregate query, grouped by status: the
// placements, their selected months and the weight of these, and the placements with at least one
// selected month. The counted figures are those of confirmed placements, the waiting months those
// of pending ones, as placement.Summarize counts them row by row (a test holds the two together).
func (tx PlacementTx) ListSummary(ctx context.Context, employerID int64, year int) (placement.Summary, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT p.status, COUNT(DISTINCT p.id), COUNT(m.placement_id),
            COALESCE(SUM(m.weight), 0), COUNT(DISTINCT m.placement_id)
        FROM placements p LEFT JOIN placement_months m ON m.placement_id = p.id AND m.selected
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL GROUP BY p.status`, employerID, year)
	if err != nil {
		return placement.Summary{}, fmt.Errorf("summarise placements: %w", err)
	}
	defer rows.Close()
	var s placement.Summary
	for rows.Next() {
		var status string
		var persons, months, withMonths int
		var weight int64
		if err := rows.Scan(&status, &persons, &months, &weight, &withMonths); err != nil {
			return placement.Summary{}, fmt.Errorf("summarise placements: %w", err)
		}
		s.Persons += persons
		switch placement.Status(status) {
		case placement.Confirmed:
			s.Confirmed, s.CountedMonths, s.WeightMonths, s.Counted = persons, months, rules.WeightMonths(weight), withMonths
		case placement.Pending:
			s.Pending, s.PendingMonths = persons, months
		case placement.Rejected:
			s.Rejected = persons
		default:
			s.Draft += persons
		}
	}
	if err := rows.Err(); err != nil {
		return placement.Summary{}, fmt.Errorf("summarise placements: %w", err)
	}
	return s, nil
}

// ListPlacementsPage lists one page of the placements matching f, with their saved months, and
// counts every placement that matches. The filter and the order are SQL, so a page costs the same
// whatever the size of the year.
func (tx PlacementTx) ListPlacementsPage(ctx context.Context, f placement.ListFilter) ([]placement.ListRow, int, error) {
	where := `p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL`
	args := []any{f.EmployerID, f.Year}
	if f.Q != "" {
		if f.Digits {
			// Digits and X hold no wildcard: the masked number ends with them.
			args = append(args, "%"+f.Q)
			where += fmt.Sprintf(` AND s.id_masked LIKE $%d`, len(args))
		} else {
			args = append(args, likePattern(f.Q))
			where += fmt.Sprintf(` AND s.name LIKE $%d ESCAPE '\'`, len(args))
		}
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		where += fmt.Sprintf(` AND p.status = $%d`, len(args))
	}
	order := `p.id`
	switch f.Sort {
	case "name":
		order = `s.name, p.id`
	case "status":
		order = `p.status, p.id`
	}
	var total int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placements p JOIN persons s ON s.id = p.person_id WHERE `+where,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count placements: %w", err)
	}
	n := len(args)
	rows, err := tx.tx.QueryContext(ctx, fmt.Sprintf(`SELECT p.id, s.id_masked, s.name, p.status, p.dispatched, p.draft_reason
        FROM placements p JOIN persons s ON s.id = p.person_id
        WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d`, where, order, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list placements: %w", err)
	}
	var out []placement.ListRow
	at := map[int64]int{}
	var ids []any
	for rows.Next() {
		var r placement.ListRow
		if err := rows.Scan(&r.ID, &r.IDMasked, &r.Name, &r.Status, &r.Dispatched, &r.DraftReason); err != nil {
			rows.Close()
			return nil, 0, err
		}
		at[r.ID] = len(out)
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list placements: %w", err)
	}
	if len(ids) == 0 {
		return out, total, nil
	}
	// The page's saved months in a second query: at most a page of placements, twelve months each.
	marks := make([]string, len(ids))
	for i := range ids {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err = tx.tx.QueryContext(ctx, `SELECT placement_id, month, passed, selected, weight, pending_cert
        FROM placement_months WHERE placement_id IN (`+strings.Join(marks, ",")+`)`, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("list saved months: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m placement.SavedMonth
		if err := rows.Scan(&id, &m.Month, &m.Passed, &m.Selected, &m.Weight, &m.PendingCert); err != nil {
			return nil, 0, err
		}
		if i, ok := at[id]; ok {
			out[i].Months = append(out[i].Months, m)
		}
	}
	return out, total, rows.Err()
}
