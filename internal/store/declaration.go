package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/declaration"
	"quotacert/internal/employer"
	"quotacert/internal/placement"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// DeclarationTx is the declaration port (declaration.Tx): declarations, letters, reopen requests, tax
// results, over one transaction.
type DeclarationTx struct{ *txn }

// DeclarationRunner runs each declaration use case in one transaction (declaration.NewService).
func DeclarationRunner(db *DB) func(context.Context, func(declaration.Tx) error) error {
	return runner(db, func(t *txn) declaration.Tx { return DeclarationTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx DeclarationTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx DeclarationTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// BusinessYear loads a business year; an unknown year is not found.
func (tx DeclarationTx) BusinessYear(ctx context.Context, year int) (rules.BusinessYear, error) {
	y, found, err := tx.businessYear(ctx, year)
	if err == nil && !found {
		err = apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
	}
	return y, err
}

// PledgeText is the text of a pledge version.
func (tx DeclarationTx) PledgeText(ctx context.Context, version string) (string, error) {
	var body string
	err := tx.tx.QueryRowContext(ctx, `SELECT body FROM pledges WHERE version = $1`, version).Scan(&body)
	if err != nil {
		return "", fmt.Errorf("pledge %s: %w", version, err)
	}
	return body, nil
}

const declarationSelect = `SELECT id, employer_id, year, status, submitted_at, COALESCE(submitted_by, 0),
    COALESCE(pledge_version, ''), client_addr FROM declarations `

func scanDeclaration(row *sql.Row) (declaration.Declaration, error) {
	var d declaration.Declaration
	var at sql.NullTime
	err := row.Scan(&d.ID, &d.EmployerID, &d.Year, &d.Status, &at, &d.SubmittedBy, &d.PledgeVersion, &d.ClientAddr)
	d.SubmittedAt = at.Time
	return d, err
}

// Declaration loads an employer's declaration of a year; found is false when none exists yet.
func (tx DeclarationTx) Declaration(ctx context.Context, employerID int64, year int) (declaration.Declaration, bool, error) {
	d, err := scanDeclaration(tx.tx.QueryRowContext(ctx, declarationSelect+`WHERE employer_id = $1 AND year = $2`, employerID, year))
	if isNoRows(err) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("load declaration: %w", err)
	}
	return d, true, nil
}

// EnsureDeclaration creates the open declaration of a year when there is none and returns it. A
// concurrent creation is absorbed by ON CONFLICT.
func (tx DeclarationTx) EnsureDeclaration(ctx context.Context, employerID int64, year int) (declaration.Declaration, error) {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO declarations (employer_id, year, status) VALUES ($1, $2, $3)
        ON CONFLICT (employer_id, year) DO NOTHING`, employerID, year, string(rules.DeclarationOpen)); err != nil {
		return declaration.Declaration{}, fmt.Errorf("create declaration: %w", err)
	}
	d, ok, err := tx.Declaration(ctx, employerID, year)
	if err == nil && !ok {
		err = fmt.Errorf("declaration of employer %d year %d vanished", employerID, year)
	}
	return d, err
}

// MarkSubmitted moves an open declaration to submitted with the pledge record; false when it was
// not open any more (a concurrent submit won: the row lock makes the loser see that).
func (tx DeclarationTx) MarkSubmitted(ctx context.Context, id, userID int64, pledgeVersion, clientAddr string) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE declarations SET status = $6, submitted_at = $2, submitted_by = $3,
        pledge_version = $4, client_addr = $5 WHERE id = $1 AND status = $7`, id, tx.now, nullID(userID), pledgeVersion, clientAddr,
		string(rules.DeclarationSubmitted), string(rules.DeclarationOpen))
	if err != nil {
		return false, fmt.Errorf("submit declaration: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// LockYearAffiliates locks the affiliates the year's placements name (DOMAIN.md §6); it returns
// how many it locked now.
func (tx DeclarationTx) LockYearAffiliates(ctx context.Context, employerID int64, year int) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE affiliates SET locked = TRUE, updated_at = $3
        WHERE employer_id = $1 AND NOT locked AND id IN (SELECT affiliate_id FROM placements
            WHERE employer_id = $1 AND year = $2 AND affiliate_id IS NOT NULL AND deleted_at IS NULL)`, employerID, year, tx.now)
	if err != nil {
		return 0, fmt.Errorf("lock affiliates: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// InsertLetter issues a letter. Its number is JL<year>-<row id, 6 digits>: unique by construction,
// so two employers submitting at once never clash, and not guessable into anything useful (the
// verify code is the secret).
func (tx DeclarationTx) InsertLetter(ctx context.Context, l declaration.Letter) (declaration.Letter, error) {
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO letters (declaration_id, number, verify_code, status, persons,
        counted_months, weight_months, federation_office, issued_at) VALUES ($1, $2, $2, $8, $3, $4, $5, $6, $7) RETURNING id`,
		l.DeclarationID, l.VerifyCode, l.Persons, l.CountedMonths, int64(l.WeightMonths), l.FederationOffice, tx.now, l.Status).Scan(&l.ID)
	if err != nil {
		return l, fmt.Errorf("insert letter: %w", err)
	}
	number := fmt.Sprintf("JL%d-%06d", l.Year, l.ID)
	if _, err := tx.tx.ExecContext(ctx, `UPDATE letters SET number = $2 WHERE id = $1`, l.ID, number); err != nil {
		return l, fmt.Errorf("number letter: %w", err)
	}
	return tx.letterWhere(ctx, `l.id = $1`, l.ID)
}

const letterSelect = `SELECT l.id, l.declaration_id, l.number, l.verify_code, l.status, l.persons, l.counted_months,
    l.weight_months, l.federation_office, COALESCE(f.name, ''), l.issued_at, l.cancelled_at, d.year, e.name, e.credit_code,
    COALESCE(e.tax_office, ''), COALESCE(t.name, '')
    FROM letters l JOIN declarations d ON d.id = l.declaration_id JOIN employers e ON e.id = d.employer_id
    LEFT JOIN federation_offices f ON f.code = l.federation_office LEFT JOIN tax_offices t ON t.code = e.tax_office `

func (tx DeclarationTx) letterWhere(ctx context.Context, cond string, args ...any) (declaration.Letter, error) {
	var l declaration.Letter
	var wm int64
	var cancelled sql.NullTime
	err := tx.tx.QueryRowContext(ctx, letterSelect+`WHERE `+cond, args...).Scan(&l.ID, &l.DeclarationID, &l.Number,
		&l.VerifyCode, &l.Status, &l.Persons, &l.CountedMonths, &wm, &l.FederationOffice, &l.OfficeName, &l.IssuedAt,
		&cancelled, &l.Year, &l.EmployerName, &l.CreditCode, &l.TaxOffice, &l.TaxOfficeName)
	if isNoRows(err) {
		return l, apperr.NotFoundf("年审认证确认书")
	}
	if err != nil {
		return l, fmt.Errorf("load letter: %w", err)
	}
	l.WeightMonths, l.CancelledAt = rules.WeightMonths(wm), cancelled.Time
	return l, nil
}

// ValidLetter loads a declaration's valid letter, if any.
func (tx DeclarationTx) ValidLetter(ctx context.Context, declarationID int64) (declaration.Letter, bool, error) {
	l, err := tx.letterWhere(ctx, `l.declaration_id = $1 AND l.status = $2`, declarationID, declaration.LetterValid)
	if apperr.CodeOf(err) == apperr.NotFound {
		return l, false, nil
	}
	return l, err == nil, err
}

// LetterByCode finds a letter (valid or cancelled) by its verification code.
func (tx DeclarationTx) LetterByCode(ctx context.Context, code string) (declaration.Letter, error) {
	return tx.letterWhere(ctx, `l.verify_code = $1`, code)
}

// InsertReopenRequest opens a review item of kind reopen with the employer's reason.
func (tx DeclarationTx) InsertReopenRequest(ctx context.Context, employerID int64, year int, reason string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, string(review.KindReopen), employerID, year, reason,
		string(rules.ReviewPending), tx.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert reopen request: %w", err)
	}
	return id, nil
}

// ReopenRequests lists an employer's reopen requests of a year, newest first.
func (tx DeclarationTx) ReopenRequests(ctx context.Context, employerID int64, year int) ([]declaration.ReopenRequest, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, note, status, comment, created_at, decided_at FROM review_items
        WHERE employer_id = $1 AND year = $2 AND kind = $3 ORDER BY created_at DESC, id DESC`, employerID, year, string(review.KindReopen))
	if err != nil {
		return nil, fmt.Errorf("reopen requests: %w", err)
	}
	defer rows.Close()
	var out []declaration.ReopenRequest
	for rows.Next() {
		var r declaration.ReopenRequest
		var decided sql.NullTime
		if err := rows.Scan(&r.ID, &r.Reason, &r.Status, &r.Comment, &r.CreatedAt, &decided); err != nil {
			return nil, err
		}
		r.DecidedAt = decided.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// Results lists the letters of a year (valid and cancelled) of employers in an office subtree, for
// the tax bureau, ordered by credit code and issue.
func (tx DeclarationTx) Results(ctx context.Context, office string, year int) ([]declaration.Result, error) {
	rows, err := tx.tx.QueryContext(ctx, subtreeCTE+`SELECT e.credit_code, e.name, COALESCE(e.tax_office, ''), COALESCE(t.name, ''),
        l.persons, l.counted_months, l.weight_months, l.number, l.status
        FROM letters l JOIN declarations d ON d.id = l.declaration_id JOIN employers e ON e.id = d.employer_id
        LEFT JOIN tax_offices t ON t.code = e.tax_office
        WHERE d.year = $2 AND l.federation_office IN (SELECT code FROM sub)
        ORDER BY e.credit_code, l.issued_at, l.id`, office, year)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer rows.Close()
	var out []declaration.Result
	for rows.Next() {
		var r declaration.Result
		var wm int64
		if err := rows.Scan(&r.CreditCode, &r.Name, &r.TaxOffice, &r.TaxOfficeName, &r.Persons, &r.CountedMonths, &wm,
			&r.LetterNumber, &r.Status); err != nil {
			return nil, err
		}
		r.WeightMonths = rules.WeightMonths(wm)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LevyParameters loads a province's levy figures of a year.
func (tx DeclarationTx) LevyParameters(ctx context.Context, province string, year int) (declaration.LevyParameters, bool, error) {
	p := declaration.LevyParameters{Province: province}
	var wage int64
	err := tx.tx.QueryRowContext(ctx, `SELECT quota_basis_points, social_avg_wage_fen FROM levy_parameters
        WHERE province = $1 AND year = $2`, province, year).Scan(&p.QuotaBasisPoints, &wage)
	if isNoRows(err) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("levy parameters: %w", err)
	}
	p.SocialAverageWage = rules.Fen(wage)
	return p, true, nil
}

// CertificateHolders lists the year's placements with the person's sealed ID number and the
// placement's manual certificates.
func (tx DeclarationTx) CertificateHolders(ctx context.Context, employerID int64, year int) ([]declaration.Holder, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT p.id, s.id_sealed FROM placements p JOIN persons s ON s.id = p.person_id
        WHERE p.employer_id = $1 AND p.year = $2 AND p.deleted_at IS NULL ORDER BY p.id`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("certificate holders: %w", err)
	}
	var out []declaration.Holder
	for rows.Next() {
		var h declaration.Holder
		if err := rows.Scan(&h.PlacementID, &h.IDSealed); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Certificates, err = tx.manualCertificates(ctx, out[i].PlacementID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EmployerProfile loads the employer's profile (its completeness is a blocker).
func (tx DeclarationTx) EmployerProfile(ctx context.Context, id int64) (employer.Profile, error) {
	return tx.employerProfile(ctx, id)
}

// ListPlacements lists the employer's placements of a year with their saved months.
func (tx DeclarationTx) ListPlacements(ctx context.Context, employerID int64, year int) ([]placement.ListRow, error) {
	return tx.listPlacements(ctx, employerID, year)
}

// SetDeclarationStatus moves a declaration from one status to another; false when it was not in
// the from status.
func (tx DeclarationTx) SetDeclarationStatus(ctx context.Context, employerID int64, year int, from, to rules.DeclarationStatus) (bool, error) {
	return tx.setDeclarationStatus(ctx, employerID, year, from, to)
}
