package store

import (
	"context"
	"fmt"

	"quotacert/internal/rules"
)

// lockYear is the one lock of an employer's business year (issue 13): every write that touches the
// year — placement create, edit, months save, re-register, delete, review decisions on its items
// (an affiliate's objection included), submission, reopening — calls it first, through its port's
// LockYear, so that such writes run one after the other and each reads, after the lock, what the
// one before it committed.
//
// The lock is the year's declaration row: created open when missing (ON CONFLICT: a concurrent
// creator waits for the first and then finds it), then locked — PostgreSQL SELECT … FOR UPDATE, held
// to the end of the transaction; SQLite begins every transaction IMMEDIATE, so its single writer
// already serialises them and the SELECT only confirms the row. Without the lock, under READ
// COMMITTED a submission and a months save could each check the other's old state and both commit
// (write skew: a submitted year with a placement that is not 已确认). A year that does not exist has
// no row to lock; the use case refuses it afterwards.
func (tx *txn) lockYear(ctx context.Context, employerID int64, year int) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO declarations (employer_id, year, status)
        SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM business_years WHERE year = $2)
        ON CONFLICT (employer_id, year) DO NOTHING`, employerID, year, string(rules.DeclarationOpen)); err != nil {
		return fmt.Errorf("lock employer %d year %d: %w", employerID, year, err)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM declarations WHERE employer_id = $1 AND year = $2`+tx.db.dialect.ForUpdate,
		employerID, year)
	if err != nil {
		return fmt.Errorf("lock employer %d year %d: %w", employerID, year, err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock employer %d year %d: %w", employerID, year, err)
	}
	return nil
}

// LockYear locks the employer's business year for a placement write (lockYear).
func (tx PlacementTx) LockYear(ctx context.Context, employerID int64, year int) error {
	return tx.lockYear(ctx, employerID, year)
}

// LockYear locks the employer's business year for a review decision on one of its items (lockYear).
func (tx ReviewTx) LockYear(ctx context.Context, employerID int64, year int) error {
	return tx.lockYear(ctx, employerID, year)
}

// LockYear locks the employer's business year for submission or a reopen request (lockYear).
func (tx DeclarationTx) LockYear(ctx context.Context, employerID int64, year int) error {
	return tx.lockYear(ctx, employerID, year)
}
