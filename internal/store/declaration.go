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

// InsertLetter issues a letter with its snapshot: the letter row, the employer as it is now
// (letter_snapshots) and the certified persons (letter_persons), in this transaction. Its number
// is JL<year>-<row id, 6 digits>: unique by construction, so two employers submitting at once
// never clash, and not guessable into anything useful (the verify code is the secret).
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
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO letter_snapshots (letter_id, employer_name, credit_code, district,
        district_name, federation_office, federation_office_name, tax_office, tax_office_name, employees)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, l.ID, l.EmployerName, l.CreditCode, l.District, l.DistrictName,
		l.FederationOffice, l.OfficeName, l.TaxOffice, l.TaxOfficeName, l.Employees); err != nil {
		return l, fmt.Errorf("letter snapshot: %w", err)
	}
	for i, p := range l.Certified {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO letter_persons (letter_id, position, name, id_masked,
            certificate_kind, category, level, grade, counted_months, weight_months)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, l.ID, i+1, p.Name, p.IDMasked, string(p.CertificateKind),
			p.Category, p.Level, p.Grade, p.CountedMonths, int64(p.WeightMonths)); err != nil {
			return l, fmt.Errorf("letter person %d: %w", i+1, err)
		}
	}
	return tx.letterWhere(ctx, `l.id = $1`, l.ID)
}

// letterSelect reads a letter with its snapshot; nothing here comes from the live employer or
// offices (issue 13: an edit after submission must not change an issued letter).
const letterSelect = `SELECT l.id, l.declaration_id, l.number, l.verify_code, l.status, l.persons, l.counted_months,
    l.weight_months, l.federation_office, l.issued_at, l.cancelled_at, d.year, COALESCE(l.pdf_file, ''), l.pdf_sha256,
    s.employer_name, s.credit_code, s.tax_office, s.tax_office_name, s.district, s.district_name, s.federation_office_name,
    s.employees
    FROM letters l JOIN declarations d ON d.id = l.declaration_id JOIN letter_snapshots s ON s.letter_id = l.id `

func (tx DeclarationTx) letterWhere(ctx context.Context, cond string, args ...any) (declaration.Letter, error) {
	var l declaration.Letter
	var wm int64
	var cancelled sql.NullTime
	err := tx.tx.QueryRowContext(ctx, letterSelect+`WHERE `+cond, args...).Scan(&l.ID, &l.DeclarationID, &l.Number,
		&l.VerifyCode, &l.Status, &l.Persons, &l.CountedMonths, &wm, &l.FederationOffice, &l.IssuedAt,
		&cancelled, &l.Year, &l.PDFFile, &l.PDFSHA256, &l.EmployerName, &l.CreditCode, &l.TaxOffice, &l.TaxOfficeName,
		&l.District, &l.DistrictName, &l.OfficeName, &l.Employees)
	if isNoRows(err) {
		return l, apperr.NotFoundf("年审认证确认书")
	}
	if err != nil {
		return l, fmt.Errorf("load letter: %w", err)
	}
	l.WeightMonths, l.CancelledAt = rules.WeightMonths(wm), cancelled.Time
	l.Certified, err = tx.letterPersons(ctx, l.ID)
	return l, err
}

// LetterPersons loads a letter's certified persons in its order.
func (tx DeclarationTx) LetterPersons(ctx context.Context, letterID int64) ([]declaration.CertifiedPerson, error) {
	return tx.letterPersons(ctx, letterID)
}

// letterPersons loads a letter's certified persons in its order.
func (tx DeclarationTx) letterPersons(ctx context.Context, letterID int64) ([]declaration.CertifiedPerson, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT name, id_masked, certificate_kind, category, level, grade, counted_months,
        weight_months FROM letter_persons WHERE letter_id = $1 ORDER BY position`, letterID)
	if err != nil {
		return nil, fmt.Errorf("letter persons: %w", err)
	}
	defer rows.Close()
	var out []declaration.CertifiedPerson
	for rows.Next() {
		var p declaration.CertifiedPerson
		var wm int64
		if err := rows.Scan(&p.Name, &p.IDMasked, &p.CertificateKind, &p.Category, &p.Level, &p.Grade, &p.CountedMonths, &wm); err != nil {
			return nil, fmt.Errorf("letter persons: %w", err)
		}
		p.WeightMonths = rules.WeightMonths(wm)
		out = append(out, p)
	}
	return out, rows.Err()
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

// LetterOfYear loads the valid letter of an employer's year, else its latest cancelled one.
func (tx DeclarationTx) LetterOfYear(ctx context.Context, employerID int64, year int) (declaration.Letter, bool, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT l.id FROM letters l JOIN declarations d ON d.id = l.declaration_id
        WHERE d.employer_id = $1 AND d.year = $2 ORDER BY CASE WHEN l.status = $3 THEN 0 ELSE 1 END, l.id DESC LIMIT 1`,
		employerID, year, declaration.LetterValid).Scan(&id)
	if isNoRows(err) {
		return declaration.Letter{}, false, nil
	}
	if err != nil {
		return declaration.Letter{}, false, fmt.Errorf("letter of year: %w", err)
	}
	l, err := tx.letterWhere(ctx, `l.id = $1`, id)
	return l, err == nil, err
}

// RecordIssuedPDF inserts the issued PDF's attachment row and points the letter at it, unless a
// concurrent first download did so first: false then, and the row is taken out again. The
// conditional update is the arbiter (on PostgreSQL the second waits for the first's row lock and
// then sees pdf_file set).
func (tx DeclarationTx) RecordIssuedPDF(ctx context.Context, letterID int64, f declaration.IssuedFile) (bool, error) {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO files (id, employer_id, uploaded_by, name, size, blob, content_type, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, nullID(f.EmployerID), nullID(f.UploadedBy), f.Name, f.Size, f.Blob,
		f.ContentType, tx.now); err != nil {
		return false, fmt.Errorf("issued letter file: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE letters SET pdf_file = $2, pdf_sha256 = $3 WHERE id = $1 AND pdf_file IS NULL`,
		letterID, f.ID, f.SHA256)
	if err != nil {
		return false, fmt.Errorf("record issued letter: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err == nil, err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM files WHERE id = $1`, f.ID); err != nil {
		return false, fmt.Errorf("drop unused letter file: %w", err)
	}
	return false, nil
}

// BlobOfFile is the blob name of an attachment ("" for an unknown id).
func (tx DeclarationTx) BlobOfFile(ctx context.Context, fileID string) (string, error) {
	var name string
	err := tx.tx.QueryRowContext(ctx, `SELECT blob FROM files WHERE id = $1`, fileID).Scan(&name)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("file %s: %w", fileID, err)
	}
	return name, nil
}

// BlobInUse reports whether any attachment row refers to the blob.
func (tx DeclarationTx) BlobInUse(ctx context.Context, name string) (bool, error) {
	return AttachmentTx(tx).BlobInUse(ctx, name)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx DeclarationTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// PlacementCertificates returns the certificate each of the year's placements is registered with.
func (tx DeclarationTx) PlacementCertificates(ctx context.Context, employerID int64, year int) (map[int64]declaration.Certificate, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, certificate_kind, COALESCE(category, 0), COALESCE(level, 0), COALESCE(grade, 0)
        FROM placements WHERE employer_id = $1 AND year = $2 AND deleted_at IS NULL`, employerID, year)
	if err != nil {
		return nil, fmt.Errorf("placement certificates: %w", err)
	}
	defer rows.Close()
	out := map[int64]declaration.Certificate{}
	for rows.Next() {
		var id int64
		var c declaration.Certificate
		if err := rows.Scan(&id, &c.Kind, &c.Category, &c.Level, &c.Grade); err != nil {
			return nil, fmt.Errorf("placement certificates: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// SnapshotNames reads the names a letter keeps: the district's full name (province, city and
// district, as the regions tree spells them) and the two offices' names.
func (tx DeclarationTx) SnapshotNames(ctx context.Context, district, federationOffice, taxOffice string) (declaration.SnapshotNames, error) {
	var n declaration.SnapshotNames
	for code, depth := district, 0; code != "" && depth < 4; depth++ {
		var name string
		var parent sql.NullString
		err := tx.tx.QueryRowContext(ctx, `SELECT name, parent FROM regions WHERE code = $1`, code).Scan(&name, &parent)
		if isNoRows(err) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("region %s: %w", code, err)
		}
		n.District = name + n.District
		code = parent.String
	}
	for _, q := range []struct {
		table, code string
		into        *string
	}{{"federation_offices", federationOffice, &n.FederationOffice}, {"tax_offices", taxOffice, &n.TaxOffice}} {
		if q.code == "" {
			continue
		}
		err := tx.tx.QueryRowContext(ctx, `SELECT name FROM `+q.table+` WHERE code = $1`, q.code).Scan(q.into)
		if err != nil && !isNoRows(err) {
			return n, fmt.Errorf("%s %s: %w", q.table, q.code, err)
		}
	}
	return n, nil
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
