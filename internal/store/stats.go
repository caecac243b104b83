package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/rules"
	"quotacert/internal/stats"
)

// StatsTx is the statistics' port (stats.Tx) over one transaction.
type StatsTx struct{ *txn }

// StatsRunner runs each statistics use case in one transaction (stats.NewService).
func StatsRunner(db *DB) func(context.Context, func(stats.Tx) error) error {
	return runner(db, func(t *txn) stats.Tx { return StatsTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx StatsTx) Now() time.Time { return tx.now }

// OfficeRegion is the region an office serves.
func (tx StatsTx) OfficeRegion(ctx context.Context, office string) (string, error) {
	var r string
	err := tx.tx.QueryRowContext(ctx, `SELECT region FROM federation_offices WHERE code = $1`, office).Scan(&r)
	if err != nil {
		return "", fmt.Errorf("region of office %s: %w", office, err)
	}
	return r, nil
}

// Region loads a region.
func (tx StatsTx) Region(ctx context.Context, code string) (stats.Region, bool, error) {
	var r stats.Region
	var parent sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT code, name, parent FROM regions WHERE code = $1`, code).Scan(&r.Code, &r.Name, &parent)
	if isNoRows(err) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("region %s: %w", code, err)
	}
	r.Parent = parent.String
	return r, true, nil
}

// ChildRegions lists the regions directly below code, by code.
func (tx StatsTx) ChildRegions(ctx context.Context, code string) ([]stats.Region, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT code, name FROM regions WHERE parent = $1 ORDER BY code`, code)
	if err != nil {
		return nil, fmt.Errorf("regions below %s: %w", code, err)
	}
	defer rows.Close()
	var out []stats.Region
	for rows.Next() {
		r := stats.Region{Parent: code}
		if err := rows.Scan(&r.Code, &r.Name); err != nil {
			return nil, fmt.Errorf("scan region: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// QuotaBP is the quota ratio of a province and year.
func (tx StatsTx) QuotaBP(ctx context.Context, province string, year int) (int, bool, error) {
	var bp int
	err := tx.tx.QueryRowContext(ctx, `SELECT quota_basis_points FROM levy_parameters WHERE province = $1 AND year = $2`,
		province, year).Scan(&bp)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("quota of %s %d: %w", province, year, err)
	}
	return bp, true, nil
}

// Year loads a business year.
func (tx StatsTx) Year(ctx context.Context, year int) (rules.BusinessYear, bool, error) {
	return tx.businessYear(ctx, year)
}

// WorkCalendar is the working-day calendar of every year entered.
func (tx StatsTx) WorkCalendar(ctx context.Context) (rules.Calendar, error) {
	return tx.workCalendar(ctx)
}

// statsEmployers is the condition on employers e of a query: certified by an office of the
// subtree of $1, district under the prefix $3 (or none, at the top: $4 = 1).
const statsEmployers = `e.federation_office IN (SELECT code FROM sub)
    AND (e.district LIKE $3 OR ($4 = 1 AND e.district IS NULL))`

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// OldestPending is the opening time of the oldest pending review item of the query's employers.
func (tx StatsTx) OldestPending(ctx context.Context, q stats.Query) (time.Time, error) {
	var t time.Time
	err := tx.tx.QueryRowContext(ctx, subtreeCTE+`SELECT r.created_at FROM review_items r JOIN employers e ON e.id = r.employer_id
        WHERE r.year = $2 AND r.status = 'pending' AND `+statsEmployers+` ORDER BY r.created_at LIMIT 1`,
		q.Office, q.Year, q.Prefix+"%", boolInt(q.Top)).Scan(&t)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("oldest pending item: %w", err)
	}
	return t, nil
}

// Figures aggregates the year's figures of the query's employers by cell, in one statement: one
// row per employer is joined with its placements, declaration, valid letter, approved reopen
// requests, pending items and levy parameters (each pre-aggregated per employer), and the rows are
// summed per key. The levy estimate is rules.EstimateLevy written in integer SQL with the social
// average wage as the wage (the stored data has no average wage of the employer): the shortfall
// max(0, N×R×12 − D×12×10000) in 1/120000 persons, the gross rounded half-up to the fen, then the
// reduction (small enterprise exempt, quota met, outside the period full, ≥1% half, else 90%)
// rounded half-up. The test holds it to rules.EstimateLevy employer by employer.
func (tx StatsTx) Figures(ctx context.Context, q stats.Query) (map[stats.Cell]stats.Figures, error) {
	region := "COALESCE(e.district, '')"
	if len(q.Prefix) == 2 { // below a province: its cities
		region = "COALESCE(SUBSTR(e.district, 1, 4) || '00', '')"
	}
	query := subtreeCTE + `, per AS (
    SELECT ` + region + ` AS k, e.unit_nature AS nature, e.economy_type AS economy,
        CASE WHEN e.name <> '' AND e.unit_nature <> '' AND e.federation_office IS NOT NULL AND e.tax_office IS NOT NULL
              AND e.district IS NOT NULL AND e.contact_name <> '' AND e.contact_phone <> '' AND e.employee_count > 0
              AND e.address <> '' THEN 1 ELSE 0 END AS complete,
        COALESCE(p.draft, 0) AS draft, COALESCE(p.pending, 0) AS pending,
        COALESCE(p.confirmed, 0) AS confirmed, COALESCE(p.rejected, 0) AS rejected,
        CASE WHEN d.status IN ('submitted', 'reopen-requested') THEN 1 ELSE 0 END AS submitted,
        CASE WHEN ro.n > 0 THEN 1 ELSE 0 END AS reopened,
        CASE WHEN l.id IS NOT NULL THEN 1 ELSE 0 END AS certified,
        COALESCE(l.persons, 0) AS persons, COALESCE(l.counted_months, 0) AS counted,
        CAST(COALESCE(l.weight_months, 0) AS BIGINT) AS wm,
        CASE WHEN l.id IS NOT NULL AND lp.year IS NOT NULL THEN 1 ELSE 0 END AS levied,
        CAST(e.employee_count AS BIGINT) AS n,
        CASE WHEN e.unit_nature = '企业' THEN 1 ELSE 0 END AS enterprise,
        CAST(COALESCE(lp.quota_basis_points, 0) AS BIGINT) AS bp,
        CAST(COALESCE(lp.social_avg_wage_fen, 0) AS BIGINT) AS wage,
        COALESCE(ri.n, 0) AS pend, COALESCE(ri.late, 0) AS late
    FROM employers e
    LEFT JOIN (SELECT employer_id,
            SUM(CASE WHEN status = 'draft' THEN 1 ELSE 0 END) AS draft,
            SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
            SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed,
            SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected
        FROM placements WHERE year = $2 AND deleted_at IS NULL GROUP BY employer_id) p ON p.employer_id = e.id
    LEFT JOIN declarations d ON d.employer_id = e.id AND d.year = $2
    LEFT JOIN letters l ON l.declaration_id = d.id AND l.status = 'valid'
    LEFT JOIN (SELECT employer_id, COUNT(*) AS n FROM review_items
        WHERE kind = 'reopen' AND status = 'approved' AND year = $2 GROUP BY employer_id) ro ON ro.employer_id = e.id
    LEFT JOIN (SELECT employer_id, COUNT(*) AS n, SUM(CASE WHEN created_at < $6 THEN 1 ELSE 0 END) AS late
        FROM review_items WHERE status = 'pending' AND year = $2 GROUP BY employer_id) ri ON ri.employer_id = e.id
    LEFT JOIN levy_parameters lp ON lp.province = SUBSTR(e.district, 1, 2) || '0000' AND lp.year = $2
    WHERE ` + statsEmployers + `
), short AS (
    SELECT per.*, CASE WHEN n * bp * 12 > wm * 10000 THEN n * bp * 12 - wm * 10000 ELSE 0 END AS sf FROM per
), gross AS (
    SELECT short.*, (sf * wage * 2 + 120000) / 240000 AS gross,
        CASE WHEN $5 = 1 AND enterprise = 1 AND n <= 30 THEN 0
             WHEN sf = 0 THEN 0
             WHEN $5 = 0 THEN 100
             WHEN wm * 100 >= 12 * n THEN 50
             ELSE 90 END AS pct
    FROM short
)
SELECT k, nature, economy, COUNT(*), SUM(complete), SUM(draft), SUM(pending), SUM(confirmed), SUM(rejected),
    SUM(submitted), SUM(reopened), SUM(certified), SUM(persons), SUM(counted), CAST(SUM(wm) AS BIGINT),
    CAST(SUM(CASE WHEN levied = 1 THEN (gross * pct * 2 + 100) / 200 ELSE 0 END) AS BIGINT), SUM(levied),
    SUM(CASE WHEN levied = 1 AND sf = 0 THEN 1 ELSE 0 END), SUM(pend), SUM(late)
FROM gross GROUP BY k, nature, economy`
	rows, err := tx.tx.QueryContext(ctx, query, q.Office, q.Year, q.Prefix+"%", boolInt(q.Top), boolInt(q.ReductionPeriod), q.OverdueBefore.UTC())
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	out := map[stats.Cell]stats.Figures{}
	for rows.Next() {
		var c stats.Cell
		var f stats.Figures
		var wm, levy int64
		if err := rows.Scan(&c.Region, &c.Nature, &c.Economy, &f.Employers, &f.ProfilesComplete, &f.PlacementsDraft, &f.PlacementsPending,
			&f.PlacementsConfirmed, &f.PlacementsRejected, &f.Submitted, &f.Reopened, &f.Certified,
			&f.CertifiedPersons, &f.CountedMonths, &wm, &levy, &f.LevyEstimated, &f.AtQuota,
			&f.PendingReviews, &f.PendingOverdue); err != nil {
			return nil, fmt.Errorf("scan statistics: %w", err)
		}
		f.WeightMonths, f.LevyDue = rules.WeightMonths(wm), rules.Fen(levy)
		out[c] = f
	}
	return out, rows.Err()
}

// SubmissionMonths counts the query's declarations submitted and letters issued in each bucket
// [Months[i], Months[i+1]), with one statement each (a CASE picks the bucket).
func (tx StatsTx) SubmissionMonths(ctx context.Context, q stats.Query) ([]int, []int, error) {
	n := len(q.Months) - 1
	if n < 1 {
		return nil, nil, fmt.Errorf("statistics: no month buckets")
	}
	args := []any{q.Office, q.Year, q.Prefix + "%", boolInt(q.Top)}
	bucket := func(col string) string {
		var b strings.Builder
		b.WriteString("CASE")
		for i := range n {
			fmt.Fprintf(&b, " WHEN %s >= $%d AND %s < $%d THEN %d", col, 5+i, col, 6+i, i)
		}
		b.WriteString(" ELSE -1 END")
		return b.String()
	}
	for _, t := range q.Months {
		args = append(args, t.UTC())
	}
	count := func(sqlText string) ([]int, error) {
		rows, err := tx.tx.QueryContext(ctx, sqlText, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]int, n)
		for rows.Next() {
			var b, c int
			if err := rows.Scan(&b, &c); err != nil {
				return nil, err
			}
			if b >= 0 && b < n {
				out[b] = c
			}
		}
		return out, rows.Err()
	}
	sub, err := count(subtreeCTE + `SELECT ` + bucket("d.submitted_at") + ` AS b, COUNT(*) FROM declarations d
        JOIN employers e ON e.id = d.employer_id
        WHERE d.year = $2 AND d.status IN ('submitted', 'reopen-requested') AND ` + statsEmployers + ` GROUP BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("submissions by month: %w", err)
	}
	cert, err := count(subtreeCTE + `SELECT ` + bucket("l.issued_at") + ` AS b, COUNT(*) FROM letters l
        JOIN declarations d ON d.id = l.declaration_id JOIN employers e ON e.id = d.employer_id
        WHERE d.year = $2 AND l.status = 'valid' AND ` + statsEmployers + ` GROUP BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("letters by month: %w", err)
	}
	return sub, cert, nil
}
