package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/declaration"
	"quotacert/internal/message"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// ReviewTx is the review port (review.Tx): the queue, decisions and their effects, the dashboard, over one
// transaction.
type ReviewTx struct{ *txn }

// ReviewRunner runs each review use case in one transaction (review.NewService).
func ReviewRunner(db *DB) func(context.Context, func(review.Tx) error) error {
	return runner(db, func(t *txn) review.Tx { return ReviewTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx ReviewTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx ReviewTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

const reviewItemSelect = `SELECT r.id, r.kind, r.employer_id, e.credit_code, e.name, COALESCE(e.federation_office, ''),
    COALESCE(e.district, ''), COALESCE(g.name, ''), r.year, COALESCE(r.placement_id, 0), COALESCE(s.name, ''),
    COALESCE(s.id_masked, ''), COALESCE(r.month, ''), COALESCE(r.manual_certificate_id, 0), r.note,
    COALESCE(r.affiliate_id, 0), COALESCE(r.affiliate_code, ''), COALESCE(af.name, ''), COALESCE(af.kind, ''), r.status,
    r.created_at, COALESCE(u.username, ''), r.decided_at, r.comment, r.objected, p.deleted_at IS NOT NULL
    FROM review_items r JOIN employers e ON e.id = r.employer_id
    LEFT JOIN regions g ON g.code = e.district
    LEFT JOIN placements p ON p.id = r.placement_id
    LEFT JOIN persons s ON s.id = p.person_id
    LEFT JOIN affiliates af ON af.id = r.affiliate_id
    LEFT JOIN users u ON u.id = r.decided_by `

func scanReviewItems(rows *sql.Rows) ([]review.Item, error) {
	defer rows.Close()
	var out []review.Item
	for rows.Next() {
		var it review.Item
		var kind string
		var decided sql.NullTime
		if err := rows.Scan(&it.ID, &kind, &it.EmployerID, &it.EmployerCode, &it.EmployerName, &it.EmployerOffice,
			&it.District, &it.DistrictName, &it.Year, &it.PlacementID, &it.PersonName, &it.PersonMasked, &it.Month,
			&it.ManualCertificateID, &it.Note, &it.AffiliateID, &it.AffiliateCode, &it.AffiliateName, &it.AffiliateKind,
			&it.Status, &it.CreatedAt, &it.DecidedBy, &decided, &it.Comment, &it.Objected, &it.PlacementDeleted); err != nil {
			return nil, fmt.Errorf("scan review item: %w", err)
		}
		it.Kind, it.DecidedAt = review.Kind(kind), decided.Time
		out = append(out, it)
	}
	return out, rows.Err()
}

// likePattern escapes a user's search text for LIKE … ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Queue lists the review items of employers certified by q.Office or an office below it.
func (tx ReviewTx) Queue(ctx context.Context, q review.Query) ([]review.Item, error) {
	where, args, err := tx.queueWhere(ctx, q)
	if err != nil {
		return nil, err
	}
	// The page's bounds are in the text (numbers, checked by the service): a generic plan of a
	// prepared statement that does not know them walked the whole queue (1.6 s at 100,000 items
	// instead of 2.6 ms with them).
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+where+
		fmt.Sprintf(` ORDER BY r.created_at, r.id LIMIT %d OFFSET %d`, max(q.Limit, 0), max(q.Offset, 0)), args...)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	return scanReviewItems(rows)
}

// QueueCount counts the items of the queue's filter, all pages.
func (tx ReviewTx) QueueCount(ctx context.Context, q review.Query) (int, error) {
	if countedQueue(q) {
		return tx.queueCountFromCounters(ctx, q)
	}
	where, args, err := tx.queueWhere(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_items r
        JOIN employers e ON e.id = r.employer_id `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count review queue: %w", err)
	}
	return n, nil
}

// queueWhere is the queue's filter: the reviewer's subtree and the filter's fields, each
// condition only when its field is set. One text with an "empty, or equal" test of every field let
// PostgreSQL settle, after a few runs of the prepared statement, on a generic plan that ignored the
// filter's values: a province's first page then took 2 s instead of 2 ms. The subtree (subtreeIn)
// is matched against the office each item keeps (0930): a county's page is then a range of one
// index, a province's the queue order.
func (tx ReviewTx) queueWhere(ctx context.Context, q review.Query) (string, []any, error) {
	inSubtree, args, err := tx.subtreeIn(ctx, q.Office, "r.office", nil)
	if err != nil {
		return "", nil, err
	}
	where := `
        WHERE ` + inSubtree
	and := func(cond string, vals ...any) {
		for _, v := range vals {
			args = append(args, v)
			cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)), 1)
		}
		where += "\n          AND " + cond
	}
	if q.Status != "" {
		and("r.status = ?", string(q.Status))
	}
	if q.Kind != "" {
		and("r.kind = ?", string(q.Kind))
	}
	if q.Employer != "" {
		and(`(e.credit_code = ? OR e.name LIKE ? ESCAPE '\')`, q.Employer, likePattern(q.Employer))
	}
	if q.District != "" {
		and("e.district LIKE ?", q.District+"%")
	}
	if q.Year != 0 {
		and("r.year = ?", q.Year)
	}
	if !q.CreatedBefore.IsZero() {
		and("r.created_at < ?", q.CreatedBefore.UTC())
	}
	return where, args, nil
}

// Item loads one review item.
func (tx ReviewTx) Item(ctx context.Context, id int64) (review.Item, error) {
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+`WHERE r.id = $1`, id)
	if err != nil {
		return review.Item{}, fmt.Errorf("review item %d: %w", id, err)
	}
	items, err := scanReviewItems(rows)
	if err != nil {
		return review.Item{}, err
	}
	if len(items) == 0 {
		return review.Item{}, apperr.NotFoundf("审核事项")
	}
	return items[0], nil
}

// PlacementItems lists every review item of a placement, oldest first (the item history).
func (tx ReviewTx) PlacementItems(ctx context.Context, placementID int64) ([]review.Item, error) {
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+`WHERE r.placement_id = $1 ORDER BY r.created_at, r.id`, placementID)
	if err != nil {
		return nil, fmt.Errorf("placement review items: %w", err)
	}
	return scanReviewItems(rows)
}

// ReopenItems lists an employer's reopen requests of a year, oldest first.
func (tx ReviewTx) ReopenItems(ctx context.Context, employerID int64, year int) ([]review.Item, error) {
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+`WHERE r.employer_id = $1 AND r.year = $2 AND r.kind = $3
        ORDER BY r.created_at, r.id`, employerID, year, string(review.KindReopen))
	if err != nil {
		return nil, fmt.Errorf("reopen items: %w", err)
	}
	return scanReviewItems(rows)
}

// ItemFiles lists an item's evidence: a claim's files or a manual certificate's images.
func (tx ReviewTx) ItemFiles(ctx context.Context, it review.Item) ([]review.File, error) {
	var rows *sql.Rows
	var err error
	switch it.Kind {
	case review.KindClaim:
		rows, err = tx.tx.QueryContext(ctx, `SELECT f.id, f.name, f.content_type, x.check_name FROM review_item_files x
            JOIN files f ON f.id = x.file_id WHERE x.review_item_id = $1 ORDER BY f.created_at, f.id`, it.ID)
	case review.KindCertificate:
		rows, err = tx.tx.QueryContext(ctx, `SELECT f.id, f.name, f.content_type, '' FROM manual_certificate_files x
            JOIN files f ON f.id = x.file_id WHERE x.manual_certificate_id = $1 ORDER BY f.created_at, f.id`, it.ManualCertificateID)
	case review.KindAffiliate:
		// The agreement or proof as the affiliate has it now (attachments may be added meanwhile).
		rows, err = tx.tx.QueryContext(ctx, `SELECT f.id, f.name, f.content_type, '' FROM affiliate_files x
            JOIN files f ON f.id = x.file_id WHERE x.affiliate_id = $1 AND x.deleted_at IS NULL
            ORDER BY f.created_at, f.id`, it.AffiliateID)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("review item files: %w", err)
	}
	defer rows.Close()
	var out []review.File
	for rows.Next() {
		var f review.File
		if err := rows.Scan(&f.ID, &f.Name, &f.ContentType, &f.Check); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Decide records a decision on a pending item; false when it was no longer pending (a
// concurrent decision won), so two reviewers cannot both decide.
func (tx ReviewTx) Decide(ctx context.Context, id int64, status rules.ReviewStatus, by int64, comment string) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE review_items SET status = $2, decided_by = $3, decided_at = $4, comment = $5
        WHERE id = $1 AND status = $6`, id, string(status), nullID(by), tx.now, comment, string(rules.ReviewPending))
	if err != nil {
		return false, fmt.Errorf("decide review item %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Placement loads what decisions need of a placement: status, office, declaration status.
func (tx ReviewTx) Placement(ctx context.Context, id int64) (review.Placement, error) {
	var p review.Placement
	var status string
	err := tx.tx.QueryRowContext(ctx, `SELECT p.id, p.employer_id, p.year, p.status, COALESCE(e.federation_office, ''),
        COALESCE(d.status, $2) FROM placements p JOIN employers e ON e.id = p.employer_id
        LEFT JOIN declarations d ON d.employer_id = p.employer_id AND d.year = p.year WHERE p.id = $1 AND p.deleted_at IS NULL`, id, string(rules.DeclarationOpen)).
		Scan(&p.ID, &p.EmployerID, &p.Year, &status, &p.EmployerOffice, &p.Declaration)
	if isNoRows(err) {
		return p, apperr.NotFoundf("安置人员")
	}
	if err != nil {
		return p, fmt.Errorf("review placement %d: %w", id, err)
	}
	p.Status = placement.Status(status)
	return p, nil
}

// ReleaseMonth deselects a month (a rejected claim): it no longer counts and no longer blocks the
// person-month at other employers.
func (tx ReviewTx) ReleaseMonth(ctx context.Context, placementID int64, month string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE placement_months SET selected = FALSE, weight = 0, pending_cert = FALSE
        WHERE placement_id = $1 AND month = $2`, placementID, month); err != nil {
		return fmt.Errorf("release month %s: %w", month, err)
	}
	return nil
}

// SetManualCertificateReview records the federation's decision on a manual certificate.
func (tx ReviewTx) SetManualCertificateReview(ctx context.Context, certID int64, review rules.ReviewStatus) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE manual_certificates SET review = $2 WHERE id = $1`, certID, string(review)); err != nil {
		return fmt.Errorf("manual certificate review: %w", err)
	}
	return nil
}

// PendingCertificates counts a placement's manual certificates still under review.
func (tx ReviewTx) PendingCertificates(ctx context.Context, placementID int64) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM manual_certificates WHERE placement_id = $1 AND review = $2`,
		placementID, string(rules.ReviewPending)).Scan(&n); err != nil {
		return 0, fmt.Errorf("pending certificates: %w", err)
	}
	return n, nil
}

// CountCertificateMonths clears the mark of the months saved on a certificate under review, so they
// count as saved.
func (tx ReviewTx) CountCertificateMonths(ctx context.Context, placementID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE placement_months SET pending_cert = FALSE WHERE placement_id = $1 AND pending_cert`,
		placementID); err != nil {
		return fmt.Errorf("count certificate months: %w", err)
	}
	return nil
}

// ReleaseCertificateMonths deselects the months saved on a certificate under review.
func (tx ReviewTx) ReleaseCertificateMonths(ctx context.Context, placementID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE placement_months SET selected = FALSE, weight = 0, pending_cert = FALSE
        WHERE placement_id = $1 AND pending_cert`, placementID); err != nil {
		return fmt.Errorf("release certificate months: %w", err)
	}
	return nil
}

// ClosePendingItems rejects a returned placement's pending items with the reviewer's comment; it
// returns how many it closed.
func (tx ReviewTx) ClosePendingItems(ctx context.Context, placementID int64, by int64, comment string) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE review_items SET status = $5, decided_by = $2, decided_at = $3, comment = $4
        WHERE placement_id = $1 AND status = $6`, placementID, nullID(by), tx.now, comment,
		string(rules.ReviewRejected), string(rules.ReviewPending))
	if err != nil {
		return 0, fmt.Errorf("close review items: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RejectPendingCertificates rejects a placement's manual certificates still under review.
func (tx ReviewTx) RejectPendingCertificates(ctx context.Context, placementID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE manual_certificates SET review = $2 WHERE placement_id = $1 AND review = $3`,
		placementID, string(rules.ReviewRejected), string(rules.ReviewPending)); err != nil {
		return fmt.Errorf("reject pending certificates: %w", err)
	}
	return nil
}

// ReleaseAllMonths deselects every month of a returned placement.
func (tx ReviewTx) ReleaseAllMonths(ctx context.Context, placementID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE placement_months SET selected = FALSE, weight = 0, pending_cert = FALSE
        WHERE placement_id = $1`, placementID); err != nil {
		return fmt.Errorf("release months: %w", err)
	}
	return nil
}

// SetDeclarationStatus moves a declaration from one status to another; false when it was not in
// the from status (so concurrent transitions cannot both apply).
func (tx ReviewTx) SetDeclarationStatus(ctx context.Context, employerID int64, year int, from, to rules.DeclarationStatus) (bool, error) {
	return tx.setDeclarationStatus(ctx, employerID, year, from, to)
}

func (tx *txn) setDeclarationStatus(ctx context.Context, employerID int64, year int, from, to rules.DeclarationStatus) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE declarations SET status = $4 WHERE employer_id = $1 AND year = $2 AND status = $3`,
		employerID, year, string(from), string(to))
	if err != nil {
		return false, fmt.Errorf("declaration status: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CancelLetter cancels the valid letter of an employer's year; the row is kept for the tax export.
func (tx ReviewTx) CancelLetter(ctx context.Context, employerID int64, year int) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE letters SET status = $4, cancelled_at = $3
        WHERE status = $5 AND declaration_id IN (SELECT id FROM declarations WHERE employer_id = $1 AND year = $2)`,
		employerID, year, tx.now, declaration.LetterCancelled, declaration.LetterValid); err != nil {
		return fmt.Errorf("cancel letter: %w", err)
	}
	return nil
}

// Tallies counts a year's placements and declarations by district and status, and its pending
// review items by kind, in an office subtree.
func (tx ReviewTx) Tallies(ctx context.Context, office string, year int) (review.Tallies, error) {
	var t review.Tallies
	var err error
	if t.Placements, err = tx.tallies(ctx, subtreeCTE+`SELECT COALESCE(e.district, ''), COALESCE(g.name, ''), p.status, COUNT(*)
        FROM placements p JOIN employers e ON e.id = p.employer_id LEFT JOIN regions g ON g.code = e.district
        WHERE p.year = $2 AND p.deleted_at IS NULL AND e.federation_office IN (SELECT code FROM sub)
        GROUP BY e.district, g.name, p.status ORDER BY e.district`, office, year); err != nil {
		return t, fmt.Errorf("dashboard placements: %w", err)
	}
	// An open row alone is not a declaration anyone started: the lock of the employer-year (lock.go)
	// creates one for every year any write touches, even a refused one, and a year whose persons
	// were all deleted keeps it. It counts once the year has a live placement or was ever submitted
	// (an approved reopen request makes the year open again and keeps its submitted_at).
	if t.Declarations, err = tx.tallies(ctx, subtreeCTE+`SELECT COALESCE(e.district, ''), COALESCE(g.name, ''), d.status, COUNT(*)
        FROM declarations d JOIN employers e ON e.id = d.employer_id LEFT JOIN regions g ON g.code = e.district
        WHERE d.year = $2 AND e.federation_office IN (SELECT code FROM sub)
          AND (d.status <> $3 OR d.submitted_at IS NOT NULL OR EXISTS (SELECT 1 FROM placements p
              WHERE p.employer_id = d.employer_id AND p.year = d.year AND p.deleted_at IS NULL))
        GROUP BY e.district, g.name, d.status ORDER BY e.district`, office, year, string(rules.DeclarationOpen)); err != nil {
		return t, fmt.Errorf("dashboard declarations: %w", err)
	}
	items, err := tx.tallies(ctx, subtreeCTE+`SELECT '', '', r.kind, COUNT(*) FROM review_items r JOIN employers e ON e.id = r.employer_id
        WHERE r.year = $2 AND r.status = $3 AND e.federation_office IN (SELECT code FROM sub) GROUP BY r.kind`,
		office, year, string(rules.ReviewPending))
	if err != nil {
		return t, fmt.Errorf("dashboard items: %w", err)
	}
	t.PendingItems = map[review.Kind]int{}
	for _, n := range items {
		t.PendingItems[review.Kind(n.Status)] = n.N
	}
	return t, nil
}

func (tx ReviewTx) tallies(ctx context.Context, q string, args ...any) ([]review.Tally, error) {
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Tally
	for rows.Next() {
		var n review.Tally
		if err := rows.Scan(&n.District, &n.DistrictName, &n.Status, &n.N); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx ReviewTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// SelectedMonths counts a placement's selected months.
func (tx ReviewTx) SelectedMonths(ctx context.Context, placementID int64) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placement_months WHERE placement_id = $1 AND selected`,
		placementID).Scan(&n); err != nil {
		return 0, fmt.Errorf("selected months: %w", err)
	}
	return n, nil
}

// PendingItems counts a placement's review items still waiting for a decision.
func (tx ReviewTx) PendingItems(ctx context.Context, placementID int64) (int, error) {
	return tx.pendingReviewItems(ctx, placementID)
}

// SetPlacementStatus changes a placement's status (and the reason when a reviewer returns it).
func (tx ReviewTx) SetPlacementStatus(ctx context.Context, id int64, s placement.Status, returnReason string) error {
	return tx.setPlacementStatus(ctx, id, s, returnReason)
}

// AffiliateItems lists an affiliate's requests, oldest first.
func (tx ReviewTx) AffiliateItems(ctx context.Context, affiliateID int64) ([]review.Item, error) {
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+`WHERE r.affiliate_id = $1 AND r.kind = $2
        ORDER BY r.created_at, r.id`, affiliateID, string(review.KindAffiliate))
	if err != nil {
		return nil, fmt.Errorf("affiliate review items: %w", err)
	}
	return scanReviewItems(rows)
}

// RegisteredUnit finds the registered employer with a credit code, with its district and office names.
func (tx ReviewTx) RegisteredUnit(ctx context.Context, creditCode string) (review.Unit, bool, error) {
	var u review.Unit
	err := tx.tx.QueryRowContext(ctx, `SELECT e.credit_code, e.name, COALESCE(g.name, ''), COALESCE(o.name, ''), e.created_at
        FROM employers e LEFT JOIN regions g ON g.code = e.district
        LEFT JOIN federation_offices o ON o.code = e.federation_office WHERE e.credit_code = $1`, creditCode).
		Scan(&u.CreditCode, &u.Name, &u.DistrictName, &u.OfficeName, &u.CreatedAt)
	if isNoRows(err) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("registered unit: %w", err)
	}
	return u, true, nil
}

// SetAffiliateReview records the outcome of an affiliate's review.
func (tx ReviewTx) SetAffiliateReview(ctx context.Context, affiliateID int64, status rules.ReviewStatus) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE affiliates SET review = $2 WHERE id = $1`, affiliateID, string(status)); err != nil {
		return fmt.Errorf("affiliate review: %w", err)
	}
	return nil
}

// AffiliateRequests lists the requests of live affiliates whose credit code is the employer's own,
// newest first.
func (tx ReviewTx) AffiliateRequests(ctx context.Context, employerID int64) ([]review.Item, error) {
	rows, err := tx.tx.QueryContext(ctx, reviewItemSelect+`WHERE r.kind = $2 AND af.deleted_at IS NULL
          AND r.affiliate_code = (SELECT credit_code FROM employers WHERE id = $1)
        ORDER BY r.created_at DESC, r.id DESC`, employerID, string(review.KindAffiliate))
	if err != nil {
		return nil, fmt.Errorf("affiliate requests: %w", err)
	}
	return scanReviewItems(rows)
}

// Object rejects a pending request on its unit's objection; false when it was no longer pending.
func (tx ReviewTx) Object(ctx context.Context, id int64, by int64, reason string) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE review_items SET status = $2, decided_by = $3, decided_at = $4, comment = $5,
        objected = TRUE WHERE id = $1 AND status = $6`, id, string(rules.ReviewRejected), nullID(by), tx.now, reason,
		string(rules.ReviewPending))
	if err != nil {
		return false, fmt.Errorf("object to review item %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// WorkCalendar is the working-day calendar of every year entered.
func (tx ReviewTx) WorkCalendar(ctx context.Context) (rules.Calendar, error) {
	return tx.workCalendar(ctx)
}

// PendingOpenedBefore counts the year's pending items of employers in the subtree opened before t.
func (tx ReviewTx) PendingOpenedBefore(ctx context.Context, office string, year int, t time.Time) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, subtreeCTE+`SELECT COUNT(*) FROM review_items r JOIN employers e ON e.id = r.employer_id
        WHERE r.year = $2 AND r.status = $3 AND r.created_at < $4 AND e.federation_office IN (SELECT code FROM sub)`,
		office, year, string(rules.ReviewPending), t.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pending items opened before %s: %w", t, err)
	}
	return n, nil
}

// PostMessage posts a message to an employer and queues its mail, in this transaction.
func (tx ReviewTx) PostMessage(ctx context.Context, m message.New) error {
	return tx.postMessage(ctx, m)
}
