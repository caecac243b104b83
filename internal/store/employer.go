package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
)

// EmployerTx is the employer port (employer.Tx): profile, affiliates, reference look-ups, over one
// transaction.
type EmployerTx struct{ *txn }

// EmployerRunner runs each employer use case in one transaction (employer.NewService).
func EmployerRunner(db *DB) func(context.Context, func(employer.Tx) error) error {
	return runner(db, func(t *txn) employer.Tx { return EmployerTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx EmployerTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx EmployerTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// Profile loads an employer's profile; an unknown id is a not-found error.
func (tx EmployerTx) Profile(ctx context.Context, id int64) (employer.Profile, error) {
	return tx.employerProfile(ctx, id)
}

func (tx *txn) employerProfile(ctx context.Context, id int64) (employer.Profile, error) {
	var p employer.Profile
	var fed, tax, district sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT id, credit_code, name, federation_office, tax_office, district,
        contact_name, contact_phone, employee_count, address, unit_nature, economy_type, contact_email, updated_at
        FROM employers WHERE id = $1`, id).Scan(&p.ID, &p.CreditCode, &p.Name, &fed, &tax, &district,
		&p.ContactName, &p.ContactPhone, &p.EmployeeCount, &p.Address, &p.UnitNature, &p.EconomyType, &p.ContactEmail, &p.UpdatedAt)
	if isNoRows(err) {
		return p, apperr.Wrap(apperr.NotFound, "单位信息不存在", fmt.Errorf("employer %d", id))
	}
	if err != nil {
		return p, fmt.Errorf("load employer %d: %w", id, err)
	}
	p.FederationOffice, p.TaxOffice, p.District = fed.String, tax.String, district.String
	return p, nil
}

// UpdateProfile stores every changeable field of p (never the credit code).
func (tx EmployerTx) UpdateProfile(ctx context.Context, p employer.Profile) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE employers SET name = $2, federation_office = $3, tax_office = $4,
        district = $5, contact_name = $6, contact_phone = $7, employee_count = $8, address = $9,
        unit_nature = $10, economy_type = $11, contact_email = $12, updated_at = $13 WHERE id = $1`,
		p.ID, p.Name, nullIfEmpty(p.FederationOffice), nullIfEmpty(p.TaxOffice), nullIfEmpty(p.District),
		p.ContactName, p.ContactPhone, p.EmployeeCount, p.Address, p.UnitNature, p.EconomyType, p.ContactEmail, p.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update employer %d: %w", p.ID, err)
	}
	return nil
}

// Region loads one division; found is false for an unknown code.
func (tx EmployerTx) Region(ctx context.Context, code string) (employer.Region, bool, error) {
	var r employer.Region
	var parent sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT code, name, parent FROM regions WHERE code = $1`, code).
		Scan(&r.Code, &r.Name, &parent)
	if isNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("load region %s: %w", code, err)
	}
	r.Parent = parent.String
	return r, true, nil
}

// RegionChildren lists the divisions directly under parent (empty = the top level), by code.
func (tx EmployerTx) RegionChildren(ctx context.Context, parent string) ([]employer.Region, error) {
	q := `SELECT code, name, COALESCE(parent, '') FROM regions WHERE parent = $1 ORDER BY code`
	args := []any{parent}
	if parent == "" {
		q, args = `SELECT code, name, '' FROM regions WHERE parent IS NULL ORDER BY code`, nil
	}
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list regions under %q: %w", parent, err)
	}
	defer rows.Close()
	out := []employer.Region{}
	for rows.Next() {
		var r employer.Region
		if err := rows.Scan(&r.Code, &r.Name, &r.Parent); err != nil {
			return nil, fmt.Errorf("scan region: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// officeTables maps an office kind to its table; only these names ever reach the SQL text.
var officeTables = map[string]string{employer.OfficeFederation: "federation_offices", employer.OfficeTax: "tax_offices"}

// Offices lists the offices of a kind, only those serving one of regions when regions is not nil,
// ordered from the top of the tree down (region code, then office code).
func (tx EmployerTx) Offices(ctx context.Context, kind string, regions []string) ([]employer.Office, error) {
	table, ok := officeTables[kind]
	if !ok {
		return nil, fmt.Errorf("unknown office kind %q", kind)
	}
	q := `SELECT code, name, region FROM ` + table
	var args []any
	if regions != nil {
		if len(regions) == 0 {
			return []employer.Office{}, nil
		}
		q += ` WHERE region IN (` + placeholders(1, len(regions)) + `)`
		for _, r := range regions {
			args = append(args, r)
		}
	}
	q += ` ORDER BY region, code`
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	defer rows.Close()
	out := []employer.Office{}
	for rows.Next() {
		var o employer.Office
		if err := rows.Scan(&o.Code, &o.Name, &o.Region); err != nil {
			return nil, fmt.Errorf("scan office: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Office loads one office of a kind; found is false for an unknown code.
func (tx EmployerTx) Office(ctx context.Context, kind, code string) (employer.Office, bool, error) {
	table, ok := officeTables[kind]
	if !ok {
		return employer.Office{}, false, fmt.Errorf("unknown office kind %q", kind)
	}
	var o employer.Office
	err := tx.tx.QueryRowContext(ctx, `SELECT code, name, region FROM `+table+` WHERE code = $1`, code).
		Scan(&o.Code, &o.Name, &o.Region)
	if isNoRows(err) {
		return o, false, nil
	}
	if err != nil {
		return o, false, fmt.Errorf("load %s %s: %w", table, code, err)
	}
	return o, true, nil
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// nullIfEmpty stores an unset reference as NULL so foreign keys accept it.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
