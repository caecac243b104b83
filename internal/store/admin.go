package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/admin"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// AdminTx is the administrator's port (admin.Tx): the configuration data of DOMAIN.md §7, over one
// transaction.
type AdminTx struct{ *txn }

// AdminRunner runs each admin use case in one transaction (admin.NewService).
func AdminRunner(db *DB) func(context.Context, func(admin.Tx) error) error {
	return runner(db, func(t *txn) admin.Tx { return AdminTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx AdminTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx AdminTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// Regions lists every region by code.
func (tx AdminTx) Regions(ctx context.Context) ([]admin.Region, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT code, name, COALESCE(parent, '') FROM regions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	return dictCollect(rows, func(r *admin.Region) []any { return []any{&r.Code, &r.Name, &r.Parent} })
}

// Region loads one region; found is false for an unknown code.
func (tx AdminTx) Region(ctx context.Context, code string) (admin.Region, bool, error) {
	var r admin.Region
	err := tx.tx.QueryRowContext(ctx, `SELECT code, name, COALESCE(parent, '') FROM regions WHERE code = $1`, code).
		Scan(&r.Code, &r.Name, &r.Parent)
	return r, dictFound(err), dictNotFoundOK(err, "load region "+code)
}

// InsertRegion adds a region.
func (tx AdminTx) InsertRegion(ctx context.Context, r admin.Region) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO regions (code, name, parent) VALUES ($1, $2, $3)`, r.Code, r.Name, noticeNullable(r.Parent))
	return dictWrap(err, "insert region "+r.Code)
}

// UpdateRegion renames or re-parents a region.
func (tx AdminTx) UpdateRegion(ctx context.Context, r admin.Region) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE regions SET name = $2, parent = $3 WHERE code = $1`, r.Code, r.Name, noticeNullable(r.Parent))
	return dictWrap(err, "update region "+r.Code)
}

// officeTable is the table of an office kind; kind comes from the admin package's constants only.
func officeTable(kind string) (string, error) {
	switch kind {
	case admin.Federation:
		return "federation_offices", nil
	case admin.Tax:
		return "tax_offices", nil
	}
	return "", fmt.Errorf("unknown office kind %q", kind)
}

func parentColumn(kind string) string {
	if kind == admin.Federation {
		return "COALESCE(parent, '')"
	}
	return "''"
}

// Offices lists the offices of a kind by code.
func (tx AdminTx) Offices(ctx context.Context, kind string) ([]admin.Office, error) {
	t, err := officeTable(kind)
	if err != nil {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT code, name, `+parentColumn(kind)+`, region FROM `+t+` ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t, err)
	}
	return dictCollect(rows, func(o *admin.Office) []any { return []any{&o.Code, &o.Name, &o.Parent, &o.Region} })
}

// Office loads one office; found is false for an unknown code.
func (tx AdminTx) Office(ctx context.Context, kind, code string) (admin.Office, bool, error) {
	var o admin.Office
	t, err := officeTable(kind)
	if err != nil {
		return o, false, err
	}
	err = tx.tx.QueryRowContext(ctx, `SELECT code, name, `+parentColumn(kind)+`, region FROM `+t+` WHERE code = $1`, code).
		Scan(&o.Code, &o.Name, &o.Parent, &o.Region)
	return o, dictFound(err), dictNotFoundOK(err, "load office "+code)
}

// InsertOffice adds an office.
func (tx AdminTx) InsertOffice(ctx context.Context, kind string, o admin.Office) error {
	if kind == admin.Federation {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO federation_offices (code, name, parent, region) VALUES ($1, $2, $3, $4)`,
			o.Code, o.Name, noticeNullable(o.Parent), o.Region)
		return dictWrap(err, "insert federation office "+o.Code)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO tax_offices (code, name, region) VALUES ($1, $2, $3)`, o.Code, o.Name, o.Region)
	return dictWrap(err, "insert tax office "+o.Code)
}

// UpdateOffice changes an office's name, region and (federation) parent.
func (tx AdminTx) UpdateOffice(ctx context.Context, kind string, o admin.Office) error {
	if kind == admin.Federation {
		_, err := tx.tx.ExecContext(ctx, `UPDATE federation_offices SET name = $2, parent = $3, region = $4 WHERE code = $1`,
			o.Code, o.Name, noticeNullable(o.Parent), o.Region)
		return dictWrap(err, "update federation office "+o.Code)
	}
	_, err := tx.tx.ExecContext(ctx, `UPDATE tax_offices SET name = $2, region = $3 WHERE code = $1`, o.Code, o.Name, o.Region)
	return dictWrap(err, "update tax office "+o.Code)
}

// MinimumWages lists every minimum-wage version by region and month.
func (tx AdminTx) MinimumWages(ctx context.Context) ([]admin.MinimumWage, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT region, from_month, amount_fen FROM minimum_wages ORDER BY region, from_month`)
	if err != nil {
		return nil, fmt.Errorf("list minimum wages: %w", err)
	}
	return dictCollect(rows, func(m *admin.MinimumWage) []any { return []any{&m.Region, &m.From, &m.AmountFen} })
}

// MinimumWage loads one version; found is false when there is none.
func (tx AdminTx) MinimumWage(ctx context.Context, region, from string) (admin.MinimumWage, bool, error) {
	var m admin.MinimumWage
	err := tx.tx.QueryRowContext(ctx, `SELECT region, from_month, amount_fen FROM minimum_wages WHERE region = $1 AND from_month = $2`,
		region, from).Scan(&m.Region, &m.From, &m.AmountFen)
	return m, dictFound(err), dictNotFoundOK(err, "load minimum wage")
}

// InsertMinimumWage adds a version.
func (tx AdminTx) InsertMinimumWage(ctx context.Context, m admin.MinimumWage) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO minimum_wages (region, from_month, amount_fen) VALUES ($1, $2, $3)`,
		m.Region, m.From, m.AmountFen)
	return dictWrap(err, "insert minimum wage")
}

// UpdateMinimumWage changes a version's amount.
func (tx AdminTx) UpdateMinimumWage(ctx context.Context, m admin.MinimumWage) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE minimum_wages SET amount_fen = $3 WHERE region = $1 AND from_month = $2`,
		m.Region, m.From, m.AmountFen)
	return dictWrap(err, "update minimum wage")
}

// DeleteMinimumWage removes a version.
func (tx AdminTx) DeleteMinimumWage(ctx context.Context, region, from string) error {
	_, err := tx.tx.ExecContext(ctx, `DELETE FROM minimum_wages WHERE region = $1 AND from_month = $2`, region, from)
	return dictWrap(err, "delete minimum wage")
}

// LatestDeclaredYear is the latest year with a declaration in one of statuses.
func (tx AdminTx) LatestDeclaredYear(ctx context.Context, statuses []rules.DeclarationStatus) (int, bool, error) {
	if len(statuses) == 0 {
		return 0, false, nil
	}
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	var y sql.NullInt64
	err := tx.tx.QueryRowContext(ctx, `SELECT MAX(year) FROM declarations WHERE status IN (`+placeholders(1, len(args))+`)`, args...).Scan(&y)
	if err != nil {
		return 0, false, fmt.Errorf("latest declared year: %w", err)
	}
	return int(y.Int64), y.Valid, nil
}

// Years lists the business years, newest first.
func (tx AdminTx) Years(ctx context.Context) ([]rules.BusinessYear, error) {
	return tx.businessYears(ctx)
}

// Year loads one business year; found is false for an unknown year.
func (tx AdminTx) Year(ctx context.Context, year int) (rules.BusinessYear, bool, error) {
	return tx.businessYear(ctx, year)
}

// InsertYear adds a business year.
func (tx AdminTx) InsertYear(ctx context.Context, y rules.BusinessYear) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO business_years (`+yearColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		y.Year, y.WindowOpen.String(), y.WindowClose.String(), y.PledgeVersion, y.CertValidAtSubmission)
	return dictWrap(err, fmt.Sprintf("insert business year %d", y.Year))
}

// UpdateYear stores a business year's window, pledge version and switch.
func (tx AdminTx) UpdateYear(ctx context.Context, y rules.BusinessYear) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE business_years SET window_open = $2, window_close = $3, pledge_version = $4,
        cert_valid_at_submission = $5 WHERE year = $1`, y.Year, y.WindowOpen.String(), y.WindowClose.String(), y.PledgeVersion,
		y.CertValidAtSubmission)
	return dictWrap(err, fmt.Sprintf("update business year %d", y.Year))
}

// Pledges lists every pledge version, newest first.
func (tx AdminTx) Pledges(ctx context.Context) ([]admin.Pledge, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT version, body, created_at FROM pledges ORDER BY created_at DESC, version DESC`)
	if err != nil {
		return nil, fmt.Errorf("list pledges: %w", err)
	}
	return dictCollect(rows, func(p *admin.Pledge) []any { return []any{&p.Version, &p.Body, &p.CreatedAt} })
}

// Pledge loads one pledge version; found is false for an unknown version.
func (tx AdminTx) Pledge(ctx context.Context, version string) (admin.Pledge, bool, error) {
	var p admin.Pledge
	err := tx.tx.QueryRowContext(ctx, `SELECT version, body, created_at FROM pledges WHERE version = $1`, version).
		Scan(&p.Version, &p.Body, &p.CreatedAt)
	return p, dictFound(err), dictNotFoundOK(err, "load pledge "+version)
}

// InsertPledge adds a pledge version.
func (tx AdminTx) InsertPledge(ctx context.Context, p admin.Pledge) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO pledges (version, body, created_at) VALUES ($1, $2, $3)`, p.Version, p.Body, p.CreatedAt.UTC())
	return dictWrap(err, "insert pledge "+p.Version)
}

// Levies lists the levy parameters, newest year first.
func (tx AdminTx) Levies(ctx context.Context) ([]admin.Levy, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT province, year, quota_basis_points, social_avg_wage_fen FROM levy_parameters
        ORDER BY year DESC, province`)
	if err != nil {
		return nil, fmt.Errorf("list levy parameters: %w", err)
	}
	return dictCollect(rows, func(l *admin.Levy) []any {
		return []any{&l.Province, &l.Year, &l.QuotaBasisPoints, &l.SocialAvgWageFen}
	})
}

// Levy loads the parameters of a province and year; found is false when there are none.
func (tx AdminTx) Levy(ctx context.Context, province string, year int) (admin.Levy, bool, error) {
	var l admin.Levy
	err := tx.tx.QueryRowContext(ctx, `SELECT province, year, quota_basis_points, social_avg_wage_fen FROM levy_parameters
        WHERE province = $1 AND year = $2`, province, year).Scan(&l.Province, &l.Year, &l.QuotaBasisPoints, &l.SocialAvgWageFen)
	return l, dictFound(err), dictNotFoundOK(err, "load levy parameters")
}

// SaveLevy creates or replaces the parameters of a province and year.
func (tx AdminTx) SaveLevy(ctx context.Context, l admin.Levy) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO levy_parameters (province, year, quota_basis_points, social_avg_wage_fen)
        VALUES ($1, $2, $3, $4) ON CONFLICT (province, year) DO UPDATE
        SET quota_basis_points = excluded.quota_basis_points, social_avg_wage_fen = excluded.social_avg_wage_fen`,
		l.Province, l.Year, l.QuotaBasisPoints, l.SocialAvgWageFen)
	return dictWrap(err, "save levy parameters")
}

// dictCollect scans every row into a T through the column pointers cols gives for it.
func dictCollect[T any](rows *sql.Rows, cols func(*T) []any) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(cols(&v)...); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// dictFound reports whether a single-row query found its row.
func dictFound(err error) bool { return err == nil }

// dictNotFoundOK passes a missing row as no error (the caller reads found) and wraps any other error.
func dictNotFoundOK(err error, what string) error {
	if err == nil || isNoRows(err) {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// dictWrap adds context to a statement's error.
func dictWrap(err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// OfficePath returns a federation office and the offices above it, nearest first (scope.Tree).
func (tx AdminTx) OfficePath(ctx context.Context, code string) ([]scope.Office, error) {
	return tx.officePath(ctx, code)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx AdminTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// WorkCalendarYears lists the years with an arrangement in the working-day calendar.
func (tx AdminTx) WorkCalendarYears(ctx context.Context) ([]int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT DISTINCT CAST(SUBSTR(day, 1, 4) AS INTEGER) FROM work_calendar ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("work calendar years: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, fmt.Errorf("scan work calendar year: %w", err)
		}
		out = append(out, y)
	}
	return out, rows.Err()
}

// WorkCalendar loads one year's arrangement (empty when not entered).
func (tx AdminTx) WorkCalendar(ctx context.Context, year int) (rules.YearCalendar, error) {
	cals, err := tx.workCalendars(ctx, year)
	if err != nil || len(cals) == 0 {
		return rules.YearCalendar{Year: year}, err
	}
	return cals[0], nil
}

// ReplaceWorkCalendar replaces one year's days with y's.
func (tx AdminTx) ReplaceWorkCalendar(ctx context.Context, y rules.YearCalendar) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM work_calendar WHERE day LIKE $1`, fmt.Sprintf("%04d-%%", y.Year)); err != nil {
		return fmt.Errorf("clear work calendar %d: %w", y.Year, err)
	}
	for _, list := range []struct {
		days    []rules.Date
		workday bool
	}{{y.Holidays, false}, {y.Workdays, true}} {
		for _, d := range list.days {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO work_calendar (day, workday) VALUES ($1, $2)`, d.String(), list.workday); err != nil {
				return fmt.Errorf("insert work calendar day %s: %w", d, err)
			}
		}
	}
	return nil
}
