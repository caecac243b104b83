package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// The placement port's saved months and claims (claims are the review items of kind claim).

// SavedMonths returns a placement's saved grid, January first.
func (tx PlacementTx) SavedMonths(ctx context.Context, placementID int64) ([]placement.SavedMonth, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT month, passed, selected, weight, pending_cert FROM placement_months
        WHERE placement_id = $1 ORDER BY month`, placementID)
	if err != nil {
		return nil, fmt.Errorf("saved months: %w", err)
	}
	defer rows.Close()
	var out []placement.SavedMonth
	for rows.Next() {
		var m placement.SavedMonth
		if err := rows.Scan(&m.Month, &m.Passed, &m.Selected, &m.Weight, &m.PendingCert); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MonthsTakenElsewhere lists which of months the person has selected at another placement.
func (tx PlacementTx) MonthsTakenElsewhere(ctx context.Context, personID, placementID int64, months []string) ([]string, error) {
	if len(months) == 0 {
		return nil, nil
	}
	args := []any{personID, placementID}
	for _, m := range months {
		args = append(args, m)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT month FROM placement_months WHERE person_id = $1 AND placement_id <> $2
        AND selected AND month IN (`+placeholders(3, len(months))+`) ORDER BY month`, args...)
	if err != nil {
		return nil, fmt.Errorf("months taken elsewhere: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReplaceMonths makes a placement's saved grid the given months, updating each month in place (an
// upsert on the primary key) and deleting the months no longer given. It used to delete the grid
// and insert it again: two saves of one placement at once (a double click, two tabs) then collided
// on the primary key, and that collision was reported as "该月已由其他单位申报" (issue 13). Now the
// year lock orders such saves, and the only unique index an upsert can still violate is the one
// person-month, one employer index: a month another employer selected meanwhile, which is what the
// message says.
func (tx PlacementTx) ReplaceMonths(ctx context.Context, placementID, personID int64, months []placement.SavedMonth) error {
	keep := []any{placementID}
	for _, m := range months {
		keep = append(keep, m.Month)
	}
	del := `DELETE FROM placement_months WHERE placement_id = $1`
	if len(months) > 0 {
		del += ` AND month NOT IN (` + placeholders(2, len(months)) + `)`
	}
	if _, err := tx.tx.ExecContext(ctx, del, keep...); err != nil {
		return fmt.Errorf("delete months: %w", err)
	}
	if len(months) == 0 {
		return nil
	}
	// One statement for the year's months: a round trip each made the twelve upserts most of a
	// save's statements (PostgreSQL, BenchmarkScale). A month saved as it was is left alone: a save
	// usually changes a month or two of the twelve, and every row updated is a new row version
	// (PostgreSQL) and a row for the triggers to look at; the upsert was most of a save's time there.
	values := make([]string, len(months))
	args := make([]any, 0, 7*len(months))
	for i, m := range months {
		values[i] = "(" + placeholders(len(args)+1, 7) + ")"
		args = append(args, placementID, personID, m.Month, m.Passed, m.Selected, m.Weight, m.PendingCert)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO placement_months (placement_id, person_id, month, passed, selected, weight, pending_cert)
        VALUES `+strings.Join(values, ", ")+`
        ON CONFLICT (placement_id, month) DO UPDATE SET person_id = excluded.person_id, passed = excluded.passed,
            selected = excluded.selected, weight = excluded.weight, pending_cert = excluded.pending_cert
        WHERE (placement_months.person_id, placement_months.passed, placement_months.selected, placement_months.weight,
            placement_months.pending_cert) IS DISTINCT FROM
            (excluded.person_id, excluded.passed, excluded.selected, excluded.weight, excluded.pending_cert)`, args...)
	if err != nil {
		if tx.db.IsUniqueViolation(err) {
			// The service refuses months another employer has selected, naming them; this is
			// the race of two saves at once, which the statement cannot attribute to a month.
			var selected []string
			for _, m := range months {
				if m.Selected {
					selected = append(selected, m.Month)
				}
			}
			return apperr.Wrap(apperr.Conflict, "所选月份中有月份刚由其他单位申报（"+strings.Join(selected, "、")+"），请刷新后重新选择", err)
		}
		return fmt.Errorf("save months: %w", err)
	}
	return nil
}

// Claims lists a placement's claims with their evidence, each month's oldest first (a rejected month
// claimed again has a claim per request).
func (tx PlacementTx) Claims(ctx context.Context, placementID int64) ([]placement.Claim, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT r.id, r.employer_id, r.year, r.month, r.note, r.status, r.comment,
        r.decided_at, f.file_id FROM review_items r LEFT JOIN review_item_files f ON f.review_item_id = r.id
        WHERE r.placement_id = $1 AND r.kind = $2 ORDER BY r.month, r.id, f.file_id`, placementID, string(review.KindClaim))
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	defer rows.Close()
	var out []placement.Claim
	for rows.Next() {
		var c placement.Claim
		var decided sql.NullTime
		var file sql.NullString
		if err := rows.Scan(&c.ID, &c.EmployerID, &c.Year, &c.Month, &c.Note, &c.Status, &c.Comment, &decided, &file); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != c.ID {
			c.PlacementID, c.DecidedAt = placementID, decided.Time
			out = append(out, c)
		}
		if file.Valid {
			out[len(out)-1].FileIDs = append(out[len(out)-1].FileIDs, file.String)
		}
	}
	return out, rows.Err()
}

// UpsertClaim gives the claim of a month still waiting for review the new evidence, or opens a new
// claim when none waits: a decided claim is never changed, so a rejected month claimed again is a new
// review item and the rejection stays with its comment (issue 13).
func (tx PlacementTx) UpsertClaim(ctx context.Context, c placement.Claim) error {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM review_items WHERE placement_id = $1 AND month = $2 AND kind = $3
        AND status = $4`, c.PlacementID, c.Month, string(review.KindClaim), string(rules.ReviewPending)).Scan(&id)
	switch {
	case isNoRows(err):
		err = tx.tx.QueryRowContext(ctx, `INSERT INTO review_items (kind, employer_id, year, placement_id, month, note, status, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			string(review.KindClaim), c.EmployerID, c.Year, c.PlacementID, c.Month, c.Note, string(c.Status), tx.now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert claim: %w", err)
		}
	case err != nil:
		return fmt.Errorf("find claim: %w", err)
	default:
		if _, err := tx.tx.ExecContext(ctx, `UPDATE review_items SET note = $2 WHERE id = $1`, id, c.Note); err != nil {
			return fmt.Errorf("update claim: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM review_item_files WHERE review_item_id = $1`, id); err != nil {
			return fmt.Errorf("replace claim files: %w", err)
		}
	}
	for _, f := range uniqStrings(c.FileIDs) {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO review_item_files (review_item_id, file_id, check_name) VALUES ($1, $2, $3)`,
			id, f, c.FileChecks[f]); err != nil {
			return fmt.Errorf("insert claim file: %w", err)
		}
	}
	return nil
}

// DeleteClaims withdraws the claims of the given months still waiting for review; decided ones
// are history and stay.
func (tx PlacementTx) DeleteClaims(ctx context.Context, placementID int64, months []string) error {
	if len(months) == 0 {
		return nil
	}
	args := []any{placementID}
	for _, m := range months {
		args = append(args, m)
	}
	args = append(args, string(review.KindClaim), string(rules.ReviewPending))
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM review_items WHERE placement_id = $1 AND month IN (`+
		placeholders(2, len(months))+`) AND kind = $`+strconv.Itoa(len(args)-1)+` AND status = $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return fmt.Errorf("delete claims: %w", err)
	}
	return nil
}

// PendingReviewItems counts a placement's claims and certificates still waiting for review.
func (tx PlacementTx) PendingReviewItems(ctx context.Context, placementID int64) (int, error) {
	return tx.pendingReviewItems(ctx, placementID)
}

func (tx *txn) pendingReviewItems(ctx context.Context, placementID int64) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_items WHERE placement_id = $1 AND status = $2`,
		placementID, string(rules.ReviewPending)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pending review items: %w", err)
	}
	return n, nil
}
