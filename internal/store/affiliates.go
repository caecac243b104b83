package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"quotacert/internal/apperr"
	"quotacert/internal/employer"
	"quotacert/internal/message"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// affiliateSelect reads an affiliate with its review state and the latest decided request (the
// reviewer's comment or the other unit's objection).
const affiliateSelect = `SELECT a.id, a.employer_id, a.credit_code, a.name, a.kind, a.locked, a.review, a.created_at,
    a.updated_at, a.deleted_at, COALESCE(r.status, ''), COALESCE(r.comment, ''), COALESCE(r.objected, FALSE), r.decided_at
    FROM affiliates a LEFT JOIN review_items r ON r.id = (SELECT MAX(x.id) FROM review_items x
        WHERE x.affiliate_id = a.id AND x.decided_at IS NOT NULL) `

func scanAffiliate(sc interface{ Scan(...any) error }) (employer.Affiliate, error) {
	var a employer.Affiliate
	var deleted, decided sql.NullTime
	err := sc.Scan(&a.ID, &a.EmployerID, &a.CreditCode, &a.Name, &a.Kind, &a.Locked, &a.Review, &a.CreatedAt, &a.UpdatedAt,
		&deleted, &a.Decision.Status, &a.Decision.Comment, &a.Decision.Objected, &decided)
	a.Deleted, a.Decision.DecidedAt = deleted.Valid, decided.Time
	return a, err
}

// Affiliates lists an employer's live affiliates with their live attachments, oldest first.
func (tx EmployerTx) Affiliates(ctx context.Context, employerID int64) ([]employer.Affiliate, error) {
	rows, err := tx.tx.QueryContext(ctx, affiliateSelect+`
        WHERE a.employer_id = $1 AND a.deleted_at IS NULL ORDER BY a.id`, employerID)
	if err != nil {
		return nil, fmt.Errorf("list affiliates of employer %d: %w", employerID, err)
	}
	out := []employer.Affiliate{}
	for rows.Next() {
		a, err := scanAffiliate(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan affiliate: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list affiliates of employer %d: %w", employerID, err)
	}
	for i := range out {
		if out[i].Files, err = tx.affiliateFiles(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Affiliate loads an affiliate of the employer, deleted ones included, with its live attachments.
func (tx EmployerTx) Affiliate(ctx context.Context, employerID, id int64) (employer.Affiliate, bool, error) {
	a, err := scanAffiliate(tx.tx.QueryRowContext(ctx, affiliateSelect+`
        WHERE a.id = $1 AND a.employer_id = $2`, id, employerID))
	if isNoRows(err) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("load affiliate %d: %w", id, err)
	}
	a.Files, err = tx.affiliateFiles(ctx, a.ID)
	return a, err == nil, err
}

// LiveAffiliateByCode finds the employer's live affiliate with a credit code.
func (tx EmployerTx) LiveAffiliateByCode(ctx context.Context, employerID int64, creditCode string) (employer.Affiliate, bool, error) {
	a, err := scanAffiliate(tx.tx.QueryRowContext(ctx, affiliateSelect+`
        WHERE a.employer_id = $1 AND a.credit_code = $2 AND a.deleted_at IS NULL`, employerID, creditCode))
	if isNoRows(err) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("find affiliate by code: %w", err)
	}
	a.Files, err = tx.affiliateFiles(ctx, a.ID)
	return a, err == nil, err
}

func (tx EmployerTx) affiliateFiles(ctx context.Context, affiliateID int64) ([]employer.FileRef, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT f.id, f.name, f.size FROM affiliate_files af
        JOIN files f ON f.id = af.file_id WHERE af.affiliate_id = $1 AND af.deleted_at IS NULL
        ORDER BY f.created_at, f.id`, affiliateID)
	if err != nil {
		return nil, fmt.Errorf("list files of affiliate %d: %w", affiliateID, err)
	}
	defer rows.Close()
	out := []employer.FileRef{}
	for rows.Next() {
		var f employer.FileRef
		if err := rows.Scan(&f.ID, &f.Name, &f.Size); err != nil {
			return nil, fmt.Errorf("scan affiliate file: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// InsertAffiliate adds an affiliate and returns its id. Two live affiliates of one employer with
// the same credit code are refused by a unique index; the service checks first, this is the
// backstop for two requests racing.
func (tx EmployerTx) InsertAffiliate(ctx context.Context, a employer.Affiliate) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO affiliates (employer_id, credit_code, name, kind, locked, review, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		a.EmployerID, a.CreditCode, a.Name, a.Kind, a.Locked, string(a.Review), a.CreatedAt.UTC(), a.UpdatedAt.UTC()).Scan(&id)
	if err != nil {
		if tx.db.IsUniqueViolation(err) {
			return 0, apperr.Wrap(apperr.Conflict, "该统一社会信用代码的关联单位已添加", err)
		}
		return 0, fmt.Errorf("insert affiliate: %w", err)
	}
	return id, nil
}

// UpdateAffiliate stores an affiliate's code, name and kind. Its review state is not written here:
// a reviewer's decision committed meanwhile must stand; OpenAffiliateReview puts it back to pending.
func (tx EmployerTx) UpdateAffiliate(ctx context.Context, a employer.Affiliate) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE affiliates SET credit_code = $3, name = $4, kind = $5, updated_at = $6
        WHERE id = $1 AND employer_id = $2 AND deleted_at IS NULL`,
		a.ID, a.EmployerID, a.CreditCode, a.Name, a.Kind, a.UpdatedAt.UTC())
	if err != nil {
		if tx.db.IsUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, "该统一社会信用代码的关联单位已添加", err)
		}
		return fmt.Errorf("update affiliate %d: %w", a.ID, err)
	}
	return nil
}

// DeleteAffiliate soft-deletes an affiliate at the transaction's time.
func (tx EmployerTx) DeleteAffiliate(ctx context.Context, employerID, id int64) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE affiliates SET deleted_at = $3, updated_at = $3
        WHERE id = $1 AND employer_id = $2 AND deleted_at IS NULL`, id, employerID, tx.now)
	if err != nil {
		return fmt.Errorf("delete affiliate %d: %w", id, err)
	}
	return nil
}

// OpenAffiliateReview opens the review item of an affiliate request, naming the credit code asked
// for, and puts the affiliate's review back to pending. (Review due dates, DOMAIN.md §5, are counted
// from created_at.)
func (tx EmployerTx) OpenAffiliateReview(ctx context.Context, a employer.Affiliate, year int) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE affiliates SET review = $2 WHERE id = $1`, a.ID,
		string(rules.ReviewPending)); err != nil {
		return fmt.Errorf("affiliate review pending: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO review_items (kind, employer_id, year, affiliate_id, affiliate_code,
        status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, string(review.KindAffiliate), a.EmployerID, year, a.ID,
		a.CreditCode, string(rules.ReviewPending), tx.now); err != nil {
		return fmt.Errorf("open affiliate review: %w", err)
	}
	return nil
}

// WithdrawAffiliateReview deletes an affiliate's requests still pending; decided ones stay as history.
func (tx EmployerTx) WithdrawAffiliateReview(ctx context.Context, affiliateID int64) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM review_items WHERE affiliate_id = $1 AND kind = $2 AND status = $3`,
		affiliateID, string(review.KindAffiliate), string(rules.ReviewPending))
	if err != nil {
		return 0, fmt.Errorf("withdraw affiliate review: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SetAffiliateFiles makes ids the live attachments of an affiliate: others are soft-deleted (the
// link stays as history), new ones linked, previously removed ones revived.
func (tx EmployerTx) SetAffiliateFiles(ctx context.Context, affiliateID int64, ids []string) error {
	cur, err := tx.affiliateFiles(ctx, affiliateID)
	if err != nil {
		return err
	}
	for _, f := range cur {
		if !slices.Contains(ids, f.ID) {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE affiliate_files SET deleted_at = $3
                WHERE affiliate_id = $1 AND file_id = $2`, affiliateID, f.ID, tx.now); err != nil {
				return fmt.Errorf("unlink file from affiliate %d: %w", affiliateID, err)
			}
		}
	}
	for _, id := range ids {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO affiliate_files (affiliate_id, file_id) VALUES ($1, $2)
            ON CONFLICT (affiliate_id, file_id) DO UPDATE SET deleted_at = NULL`, affiliateID, id); err != nil {
			return fmt.Errorf("link file to affiliate %d: %w", affiliateID, err)
		}
	}
	return nil
}

// OwnedFiles returns the files among ids that the employer uploaded.
func (tx EmployerTx) OwnedFiles(ctx context.Context, employerID int64, ids []string) ([]employer.FileRef, error) {
	if len(ids) == 0 {
		return []employer.FileRef{}, nil
	}
	args := []any{employerID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, name, size FROM files WHERE employer_id = $1 AND id IN (`+
		placeholders(2, len(ids))+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("load owned files: %w", err)
	}
	defer rows.Close()
	out := []employer.FileRef{}
	for rows.Next() {
		var f employer.FileRef
		if err := rows.Scan(&f.ID, &f.Name, &f.Size); err != nil {
			return nil, fmt.Errorf("scan file: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// EmployerByCode finds the registered employer with a credit code.
func (tx EmployerTx) EmployerByCode(ctx context.Context, creditCode string) (int64, bool, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM employers WHERE credit_code = $1`, creditCode).Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("employer by code: %w", err)
	}
	return id, true, nil
}

// PostMessage posts a message to an employer and queues its mail, in this transaction.
func (tx EmployerTx) PostMessage(ctx context.Context, m message.New) error {
	return tx.postMessage(ctx, m)
}
