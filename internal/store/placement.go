package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// PlacementTx is the placement port (placement.Tx) over one transaction: persons, placements, contracts
// and manual certificates here; saved months and claims in months.go.
type PlacementTx struct{ *txn }

// PlacementRunner runs each placement use case in one transaction (placement.NewService).
func PlacementRunner(db *DB) func(context.Context, func(placement.Tx) error) error {
	return runner(db, func(t *txn) placement.Tx { return PlacementTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx PlacementTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx PlacementTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

func nullDate(d rules.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func parseNullDate(s sql.NullString) (rules.Date, error) {
	if !s.Valid || s.String == "" {
		return rules.Date{}, nil
	}
	return rules.ParseDate(s.String)
}

// Employer loads the profile of a placement's employer.
func (tx PlacementTx) Employer(ctx context.Context, id int64) (employer.Profile, error) {
	return tx.employerProfile(ctx, id)
}

// Payers lists the employer itself and its affiliates in force (not deleted) with their review;
// which of them count is the placement domain's decision (Payer.Counts).
func (tx PlacementTx) Payers(ctx context.Context, employerID int64) ([]placement.Payer, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT credit_code, 0, name, '', '' FROM employers WHERE id = $1
        UNION ALL SELECT credit_code, id, name, kind, review FROM affiliates WHERE employer_id = $1 AND deleted_at IS NULL
        ORDER BY 2`, employerID)
	if err != nil {
		return nil, fmt.Errorf("payers: %w", err)
	}
	defer rows.Close()
	var out []placement.Payer
	for rows.Next() {
		var p placement.Payer
		if err := rows.Scan(&p.CreditCode, &p.AffiliateID, &p.Name, &p.Kind, &p.Review); err != nil {
			return nil, fmt.Errorf("scan payer: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DisclosureWindows reads buckets' windows: when each opened, with lock how many persons were
// disclosed since, and which of the given persons are among them (primary-key look-ups, so the cost
// does not grow with the window). With lock it first locks each row, in the order given: an upsert
// that changes nothing when the row exists, so PostgreSQL holds the row lock to the end of the
// transaction (SQLite runs one writer at a time anyway).
func (tx PlacementTx) DisclosureWindows(ctx context.Context, buckets, personHashes []string, lock bool) ([]placement.DisclosureWindow, error) {
	if !lock && len(personHashes) > 0 {
		return tx.disclosuresSeen(ctx, buckets, personHashes)
	}
	out := make([]placement.DisclosureWindow, len(buckets))
	for i, b := range buckets {
		var err error
		if out[i], err = tx.disclosureWindow(ctx, b, personHashes, lock); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// disclosureWindow is DisclosureWindows of one bucket.
func (tx PlacementTx) disclosureWindow(ctx context.Context, bucket string, personHashes []string, lock bool) (placement.DisclosureWindow, error) {
	var w placement.DisclosureWindow
	var err error
	if lock {
		err = tx.tx.QueryRowContext(ctx, `INSERT INTO disclosure_windows (bucket, opened_at) VALUES ($1, $2)
            ON CONFLICT (bucket) DO UPDATE SET opened_at = disclosure_windows.opened_at RETURNING opened_at`,
			bucket, tx.now).Scan(&w.OpenedAt)
	} else {
		err = tx.tx.QueryRowContext(ctx, `SELECT opened_at FROM disclosure_windows WHERE bucket = $1`, bucket).Scan(&w.OpenedAt)
		if isNoRows(err) {
			return w, nil
		}
	}
	if err != nil {
		return w, fmt.Errorf("disclosure window: %w", err)
	}
	if lock {
		if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosures WHERE bucket = $1 AND disclosed_at >= $2`,
			bucket, w.OpenedAt.UTC()).Scan(&w.Persons); err != nil {
			return w, fmt.Errorf("count disclosures: %w", err)
		}
	}
	if len(personHashes) == 0 {
		return w, nil
	}
	args := []any{bucket, w.OpenedAt.UTC()}
	for _, h := range personHashes {
		args = append(args, h)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT person_hash FROM disclosures WHERE bucket = $1 AND disclosed_at >= $2
        AND person_hash IN (`+placeholders(3, len(personHashes))+`)`, args...)
	if err != nil {
		return w, fmt.Errorf("disclosures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return w, fmt.Errorf("scan disclosure: %w", err)
		}
		w.Seen = append(w.Seen, h)
	}
	return w, rows.Err()
}

// disclosuresSeen is DisclosureWindows without lock in one query (a grid's re-read asks it of
// every bucket): each window's opening with the persons' last disclosures, compared here.
func (tx PlacementTx) disclosuresSeen(ctx context.Context, buckets, personHashes []string) ([]placement.DisclosureWindow, error) {
	args := make([]any, 0, len(buckets)+len(personHashes))
	for _, b := range buckets {
		args = append(args, b)
	}
	for _, h := range personHashes {
		args = append(args, h)
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT w.bucket, w.opened_at, d.person_hash, d.disclosed_at FROM disclosure_windows w
        LEFT JOIN disclosures d ON d.bucket = w.bucket AND d.person_hash IN (`+placeholders(len(buckets)+1, len(personHashes))+`)
        WHERE w.bucket IN (`+placeholders(1, len(buckets))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("disclosure windows: %w", err)
	}
	defer rows.Close()
	out := make([]placement.DisclosureWindow, len(buckets))
	for rows.Next() {
		var bucket string
		var h sql.NullString
		var opened time.Time
		var at sql.NullTime
		if err := rows.Scan(&bucket, &opened, &h, &at); err != nil {
			return nil, fmt.Errorf("scan disclosure: %w", err)
		}
		for i, b := range buckets {
			if b != bucket {
				continue
			}
			out[i].OpenedAt = opened
			if h.Valid && !at.Time.Before(opened) {
				out[i].Seen = append(out[i].Seen, h.String)
			}
		}
	}
	return out, rows.Err()
}

// RecordDisclosures adds the persons disclosed now to a bucket's window; with reset the window
// opens again at openedAt and the rows of the old one are deleted.
func (tx PlacementTx) RecordDisclosures(ctx context.Context, bucket string, openedAt time.Time, reset bool, personHashes []string) error {
	if reset {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE disclosure_windows SET opened_at = $2 WHERE bucket = $1`,
			bucket, openedAt.UTC()); err != nil {
			return fmt.Errorf("disclosure window: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM disclosures WHERE bucket = $1 AND disclosed_at < $2`,
			bucket, openedAt.UTC()); err != nil {
			return fmt.Errorf("forget disclosures: %w", err)
		}
	}
	for _, h := range personHashes {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO disclosures (bucket, person_hash, disclosed_at) VALUES ($1, $2, $3)
            ON CONFLICT (bucket, person_hash) DO UPDATE SET disclosed_at = $3`, bucket, h, tx.now); err != nil {
			return fmt.Errorf("record disclosure: %w", err)
		}
	}
	return nil
}

// Affiliate loads a live affiliate of the employer with its attachment count.
func (tx PlacementTx) Affiliate(ctx context.Context, employerID, affiliateID int64) (placement.Affiliate, error) {
	var a placement.Affiliate
	err := tx.tx.QueryRowContext(ctx, `SELECT a.id, a.kind,
        (SELECT COUNT(*) FROM affiliate_files f WHERE f.affiliate_id = a.id AND f.deleted_at IS NULL)
        FROM affiliates a WHERE a.id = $1 AND a.employer_id = $2 AND a.deleted_at IS NULL`, affiliateID, employerID).
		Scan(&a.ID, &a.Kind, &a.Files)
	if isNoRows(err) {
		return a, apperr.NotFoundf("关联单位")
	}
	if err != nil {
		return a, fmt.Errorf("load affiliate %d: %w", affiliateID, err)
	}
	return a, nil
}

// FilesOwned counts how many of the distinct file ids belong to the employer.
func (tx PlacementTx) FilesOwned(ctx context.Context, employerID int64, ids []string) (int, error) {
	seen := map[string]bool{}
	args := []any{employerID}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	if len(args) == 1 {
		return 0, nil
	}
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM files WHERE employer_id = $1 AND id IN (`+
		placeholders(2, len(args)-1)+`)`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count files: %w", err)
	}
	return n, nil
}

// YearState reports whether the business year exists and the employer's declaration status.
func (tx PlacementTx) YearState(ctx context.Context, employerID int64, year int) (placement.YearState, error) {
	var st placement.YearState
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM business_years WHERE year = $1`, year).Scan(&n); err != nil {
		return st, fmt.Errorf("business year: %w", err)
	}
	st.Exists = n > 0
	st.Declaration = rules.DeclarationOpen
	err := tx.tx.QueryRowContext(ctx, `SELECT status FROM declarations WHERE employer_id = $1 AND year = $2`,
		employerID, year).Scan(&st.Declaration)
	if err != nil && !isNoRows(err) {
		return st, fmt.Errorf("declaration status: %w", err)
	}
	return st, nil
}

// MinimumWages returns the whole minimum-wage table (a few dozen rows).
func (tx PlacementTx) MinimumWages(ctx context.Context) ([]rules.MinimumWage, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT region, from_month, amount_fen FROM minimum_wages ORDER BY region, from_month`)
	if err != nil {
		return nil, fmt.Errorf("minimum wages: %w", err)
	}
	defer rows.Close()
	var out []rules.MinimumWage
	for rows.Next() {
		var region, from string
		var fen int64
		if err := rows.Scan(&region, &from, &fen); err != nil {
			return nil, err
		}
		m, err := rules.ParseMonth(from)
		if err != nil {
			return nil, fmt.Errorf("stored minimum wage month %q: %w", from, err)
		}
		out = append(out, rules.MinimumWage{Region: region, From: m, Amount: rules.Fen(fen)})
	}
	return out, rows.Err()
}

// UpsertPerson stores a person by the keyed hash of the ID number and returns its id.
func (tx PlacementTx) UpsertPerson(ctx context.Context, p placement.Person) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO persons (id_hash, id_sealed, id_masked, name, gender, created_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (id_hash) DO UPDATE SET name = excluded.name, id_sealed = excluded.id_sealed
        RETURNING id`, p.IDHash, p.IDSealed, p.IDMasked, p.Name, p.Gender, tx.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("upsert person: %w", err)
	}
	return id, nil
}

// InsertPlacement inserts a placement; the same person twice in one year is a conflict.
func (tx PlacementTx) InsertPlacement(ctx context.Context, p placement.Placement) (int64, error) {
	var id int64
	g := p.Graduate
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO placements (employer_id, year, person_id, status, dispatched,
        affiliate_id, female_retirement_age, category, level, graduate_school, graduate_degree, graduate_major,
        graduate_date, graduate_diploma, created_at, updated_at, certificate_kind, grade)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17) RETURNING id`,
		p.EmployerID, p.Year, p.Person.ID, string(p.Status), p.Dispatched, nullID(p.AffiliateID), p.FemaleRetirementAge,
		nullPositive(p.Category), nullPositive(p.Level), g.School, g.Degree, g.Major, nullDate(g.Graduated), g.DiplomaNumber,
		tx.now, certKind(p.CertificateKind), nullPositive(p.Grade)).Scan(&id)
	if err != nil {
		if tx.db.IsUniqueViolation(err) {
			return 0, apperr.Wrap(apperr.Conflict, "该人员本业务年度已登记，请勿重复添加", err)
		}
		return 0, fmt.Errorf("insert placement: %w", err)
	}
	return id, nil
}

// UpdatePlacement stores the editable fields of a placement.
func (tx PlacementTx) UpdatePlacement(ctx context.Context, p placement.Placement) error {
	g := p.Graduate
	_, err := tx.tx.ExecContext(ctx, `UPDATE placements SET dispatched = $2, affiliate_id = $3,
        female_retirement_age = $4, category = $5, level = $6, graduate_school = $7, graduate_degree = $8,
        graduate_major = $9, graduate_date = $10, graduate_diploma = $11, updated_at = $12,
        certificate_kind = $13, grade = $14 WHERE id = $1`,
		p.ID, p.Dispatched, nullID(p.AffiliateID), p.FemaleRetirementAge, nullPositive(p.Category), nullPositive(p.Level),
		g.School, g.Degree, g.Major, nullDate(g.Graduated), g.DiplomaNumber, tx.now, certKind(p.CertificateKind),
		nullPositive(p.Grade))
	if err != nil {
		return fmt.Errorf("update placement %d: %w", p.ID, err)
	}
	return nil
}

// ReplaceContracts replaces a placement's contracts and their attachments.
func (tx PlacementTx) ReplaceContracts(ctx context.Context, placementID int64, cs []placement.Contract) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM contracts WHERE placement_id = $1`, placementID); err != nil {
		return fmt.Errorf("delete contracts: %w", err)
	}
	for _, c := range cs {
		var id int64
		if err := tx.tx.QueryRowContext(ctx, `INSERT INTO contracts (placement_id, start_date, end_date) VALUES ($1, $2, $3) RETURNING id`,
			placementID, c.Start.String(), nullDate(c.End)).Scan(&id); err != nil {
			return fmt.Errorf("insert contract: %w", err)
		}
		for _, f := range uniqStrings(c.FileIDs) {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO contract_files (contract_id, file_id) VALUES ($1, $2)`, id, f); err != nil {
				return fmt.Errorf("insert contract file: %w", err)
			}
		}
	}
	return nil
}

// InsertManualCertificate stores a historical certificate with its images and returns its id.
func (tx PlacementTx) InsertManualCertificate(ctx context.Context, placementID int64, c placement.ManualCertificate) (int64, error) {
	var id int64
	if err := tx.tx.QueryRowContext(ctx, `INSERT INTO manual_certificates (placement_id, cert_hash, cert_sealed, cert_masked,
        category, level, issued, valid_until, review, kind, grade) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		placementID, c.Hash, c.Sealed, c.Masked, nullPositive(c.Category), nullPositive(c.Level), c.Issued.String(),
		nullDate(c.ValidUntil), string(c.Review), certKind(c.Kind), nullPositive(c.Grade)).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert manual certificate: %w", err)
	}
	for _, f := range uniqStrings(c.FileIDs) {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO manual_certificate_files (manual_certificate_id, file_id) VALUES ($1, $2)`, id, f); err != nil {
			return 0, fmt.Errorf("insert certificate file: %w", err)
		}
	}
	return id, nil
}

// OpenCertificateReview opens the review item of a manual certificate.
func (tx PlacementTx) OpenCertificateReview(ctx context.Context, p placement.Placement, certificateID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO review_items (kind, employer_id, year, placement_id, manual_certificate_id,
        status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, string(review.KindCertificate), p.EmployerID, p.Year, p.ID,
		certificateID, string(rules.ReviewPending), tx.now); err != nil {
		return fmt.Errorf("open certificate review: %w", err)
	}
	return nil
}

// DeletePendingManualCertificates removes the certificates still under review (their review items
// go with them); decided ones are history and stay.
func (tx PlacementTx) DeletePendingManualCertificates(ctx context.Context, placementID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM manual_certificates WHERE placement_id = $1 AND review = $2`,
		placementID, string(rules.ReviewPending)); err != nil {
		return fmt.Errorf("delete pending certificates: %w", err)
	}
	return nil
}

// PlacementIDFor finds the employer's placement of a person in a year.
func (tx PlacementTx) PlacementIDFor(ctx context.Context, employerID int64, year int, personHash string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT p.id FROM placements p JOIN persons s ON s.id = p.person_id
        WHERE p.employer_id = $1 AND p.year = $2 AND s.id_hash = $3 AND p.deleted_at IS NULL`, employerID, year, personHash).Scan(&id)
	if isNoRows(err) {
		return 0, apperr.NotFoundf("安置人员")
	}
	if err != nil {
		return 0, fmt.Errorf("find placement: %w", err)
	}
	return id, nil
}

// LoadPlacement loads a placement with its person, contracts and manual certificates. The person's
// birth date is not stored (it follows from the sealed ID number: placement.Service opens it).
func (tx PlacementTx) LoadPlacement(ctx context.Context, id int64) (placement.Placement, error) {
	var p placement.Placement
	var status string
	var affiliate sql.NullInt64
	var category, level, grade sql.NullInt64
	var grad sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT p.id, p.employer_id, p.year, p.status, p.dispatched, p.affiliate_id,
        p.female_retirement_age, p.category, p.level, p.graduate_school, p.graduate_degree, p.graduate_major,
        p.graduate_date, p.graduate_diploma, p.return_reason, p.created_at, p.updated_at,
        s.id, s.id_hash, s.id_sealed, s.id_masked, s.name, s.gender, p.certificate_kind, p.grade, p.draft_reason
        FROM placements p JOIN persons s ON s.id = p.person_id WHERE p.id = $1 AND p.deleted_at IS NULL`, id).Scan(
		&p.ID, &p.EmployerID, &p.Year, &status, &p.Dispatched, &affiliate, &p.FemaleRetirementAge, &category, &level,
		&p.Graduate.School, &p.Graduate.Degree, &p.Graduate.Major, &grad, &p.Graduate.DiplomaNumber, &p.ReturnReason,
		&p.CreatedAt, &p.UpdatedAt, &p.Person.ID, &p.Person.IDHash, &p.Person.IDSealed, &p.Person.IDMasked,
		&p.Person.Name, &p.Person.Gender, &p.CertificateKind, &grade, &p.DraftReason)
	if isNoRows(err) {
		return p, apperr.NotFoundf("安置人员")
	}
	if err != nil {
		return p, fmt.Errorf("load placement %d: %w", id, err)
	}
	p.Status = placement.Status(status)
	p.AffiliateID, p.Category, p.Level, p.Grade = affiliate.Int64, int(category.Int64), int(level.Int64), int(grade.Int64)
	if p.Graduate.Graduated, err = parseNullDate(grad); err != nil {
		return p, fmt.Errorf("stored graduation date: %w", err)
	}
	if p.Contracts, err = tx.placementContracts(ctx, id); err != nil {
		return p, err
	}
	if p.Certificates, err = tx.manualCertificates(ctx, id); err != nil {
		return p, err
	}
	return p, nil
}

func (tx PlacementTx) placementContracts(ctx context.Context, id int64) ([]placement.Contract, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT c.id, c.start_date, c.end_date, f.file_id FROM contracts c
        LEFT JOIN contract_files f ON f.contract_id = c.id WHERE c.placement_id = $1 ORDER BY c.start_date, c.id, f.file_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load contracts: %w", err)
	}
	defer rows.Close()
	var out []placement.Contract
	for rows.Next() {
		var cid int64
		var start string
		var end, file sql.NullString
		if err := rows.Scan(&cid, &start, &end, &file); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != cid {
			c := placement.Contract{ID: cid}
			if c.Start, err = rules.ParseDate(start); err != nil {
				return nil, fmt.Errorf("stored contract start: %w", err)
			}
			if c.End, err = parseNullDate(end); err != nil {
				return nil, fmt.Errorf("stored contract end: %w", err)
			}
			out = append(out, c)
		}
		if file.Valid {
			out[len(out)-1].FileIDs = append(out[len(out)-1].FileIDs, file.String)
		}
	}
	return out, rows.Err()
}

func (tx *txn) manualCertificates(ctx context.Context, id int64) ([]placement.ManualCertificate, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT c.id, c.cert_hash, c.cert_sealed, c.cert_masked, COALESCE(c.category, 0),
        COALESCE(c.level, 0), c.issued, c.valid_until, c.review, f.file_id, c.kind, COALESCE(c.grade, 0) FROM manual_certificates c
        LEFT JOIN manual_certificate_files f ON f.manual_certificate_id = c.id WHERE c.placement_id = $1 ORDER BY c.id, f.file_id`, id)
	if err != nil {
		return nil, fmt.Errorf("load manual certificates: %w", err)
	}
	defer rows.Close()
	var out []placement.ManualCertificate
	for rows.Next() {
		var c placement.ManualCertificate
		var issued string
		var until, file sql.NullString
		if err := rows.Scan(&c.ID, &c.Hash, &c.Sealed, &c.Masked, &c.Category, &c.Level, &issued, &until, &c.Review, &file,
			&c.Kind, &c.Grade); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != c.ID {
			if c.Issued, err = rules.ParseDate(issued); err != nil {
				return nil, fmt.Errorf("stored issue date: %w", err)
			}
			if c.ValidUntil, err = parseNullDate(until); err != nil {
				return nil, fmt.Errorf("stored expiry date: %w", err)
			}
			out = append(out, c)
		}
		if file.Valid {
			out[len(out)-1].FileIDs = append(out[len(out)-1].FileIDs, file.String)
		}
	}
	return out, rows.Err()
}

// SetPlacementStatus changes a placement's status with the reason shown beside it.
func (tx PlacementTx) SetPlacementStatus(ctx context.Context, id int64, s placement.Status, reason string) error {
	return tx.setPlacementStatus(ctx, id, s, reason)
}

// setPlacementStatus stores a status with its reason: a rejected placement's is the reviewer's
// return reason, a draft's why it is incomplete (placement.Settle); any other status has none.
func (tx *txn) setPlacementStatus(ctx context.Context, id int64, s placement.Status, reason string) error {
	var returnReason, draftReason string
	switch s {
	case placement.Rejected:
		returnReason = reason
	case placement.Draft:
		draftReason = reason
	}
	_, err := tx.tx.ExecContext(ctx, `UPDATE placements SET status = $2, return_reason = $3, draft_reason = $5, updated_at = $4
        WHERE id = $1`, id, string(s), returnReason, tx.now, draftReason)
	if err != nil {
		return fmt.Errorf("set placement status: %w", err)
	}
	return nil
}

// DeletePlacement marks a placement deleted and keeps its row, months, certificates and review
// items (issue 13: a hard delete cascaded the review history away): the months are released, the
// review items and manual certificates still waiting are closed as rejected with comment and no
// reviewer; it returns how many items it closed.
func (tx PlacementTx) DeletePlacement(ctx context.Context, id int64, comment string) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE placements SET deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL`,
		id, tx.now)
	if err != nil {
		return 0, fmt.Errorf("delete placement %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return 0, apperr.NotFoundf("安置人员")
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE placement_months SET selected = FALSE, weight = 0, pending_cert = FALSE
        WHERE placement_id = $1`, id); err != nil {
		return 0, fmt.Errorf("release months of deleted placement %d: %w", id, err)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE manual_certificates SET review = $2 WHERE placement_id = $1 AND review = $3`,
		id, string(rules.ReviewRejected), string(rules.ReviewPending)); err != nil {
		return 0, fmt.Errorf("close certificates of deleted placement %d: %w", id, err)
	}
	res, err = tx.tx.ExecContext(ctx, `UPDATE review_items SET status = $2, decided_at = $3, comment = $4
        WHERE placement_id = $1 AND status = $5`, id, string(rules.ReviewRejected), tx.now, comment, string(rules.ReviewPending))
	if err != nil {
		return 0, fmt.Errorf("close review items of deleted placement %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ListPlacements lists an employer's placements of a year with their saved months.
func (tx PlacementTx) ListPlacements(ctx context.Context, employerID int64, year int) ([]placement.ListRow, error) {
	return tx.listPlacements(ctx, employerID, year)
}

func (tx *txn) listPlacements(ctx context.Context, employerID int64, year int) ([]placement.ListRow, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT p.id, s.id_masked, s.name, p.status, p.dispatched, p.draft_reason
        FROM placements p JOIN persons s ON s.id = p.person_id
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL ORDER BY p.id`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("list placements: %w", err)
	}
	var out []placement.ListRow
	at := map[int64]int{}
	for rows.Next() {
		var r placement.ListRow
		if err := rows.Scan(&r.ID, &r.IDMasked, &r.Name, &r.Status, &r.Dispatched, &r.DraftReason); err != nil {
			rows.Close()
			return nil, err
		}
		at[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list placements: %w", err)
	}
	// The saved months in a second query, so the list's columns are not repeated for each month, and
	// unsorted: sorting the year's months cost the list page a third of its time on SQLite.
	rows, err = tx.tx.QueryContext(ctx, `SELECT m.placement_id, m.month, m.passed, m.selected, m.weight, m.pending_cert
        FROM placement_months m JOIN placements p ON p.id = m.placement_id
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("list saved months: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m placement.SavedMonth
		if err := rows.Scan(&id, &m.Month, &m.Passed, &m.Selected, &m.Weight, &m.PendingCert); err != nil {
			return nil, err
		}
		if i, ok := at[id]; ok {
			out[i].Months = append(out[i].Months, m)
		}
	}
	return out, rows.Err()
}

func uniqStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx PlacementTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// Years lists the business years, newest first, for the year switcher of the placement pages.
func (tx PlacementTx) Years(ctx context.Context) ([]rules.BusinessYear, error) {
	return tx.businessYears(ctx)
}
