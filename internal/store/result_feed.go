package store

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/declaration"
	"quotacert/internal/rules"
)

// taxRegionSubtree is a condition: the tax office in column lies in the region subtree of the tax
// office bound to param; the depth bound keeps a corrupted tree from looping.
func taxRegionSubtree(column, param string) string {
	return column + ` IN (SELECT t2.code FROM tax_offices t2 WHERE t2.region IN (
        WITH RECURSIVE rsub (code, depth) AS (
            SELECT region, 0 FROM tax_offices WHERE code = ` + param + `
            UNION ALL
            SELECT r.code, rsub.depth + 1 FROM regions r JOIN rsub ON r.parent = rsub.code WHERE rsub.depth < 10)
        SELECT code FROM rsub))`
}

// feedFrom is the FROM and WHERE of the feed's rows in the scope after the change number after and
// at or after sinceUS, with its arguments.
func feedFrom(sc declaration.ResultScope, year int, after, sinceUS int64) (string, []any, error) {
	where := `d.year = $1 AND l.change_seq > $2 AND l.changed_at_us >= $3`
	args := []any{year, after, sinceUS}
	switch {
	case sc.Province:
	case sc.TaxOffice != "":
		where += ` AND ` + taxRegionSubtree("s.tax_office", "$4")
		args = append(args, sc.TaxOffice)
	case sc.FederationOffice != "":
		where += ` AND ` + inSubtree("l.federation_office", "$4")
		args = append(args, sc.FederationOffice)
	default:
		return "", nil, fmt.Errorf("result feed: empty scope")
	}
	// The employer's name, code and tax office come from the letter's snapshot (as issued), like
	// Results: a later edit of the profile changes neither the row nor whose feed it is in.
	return ` FROM letters l JOIN declarations d ON d.id = l.declaration_id JOIN letter_snapshots s ON s.letter_id = l.id
        WHERE ` + where, args, nil
}

// ResultFeed lists the year's letters in the scope changed after the change number after and at or
// after sinceUS, in change order (migration 0350), at most limit. It walks letters_change_seq from
// the cursor and stops after limit rows, so a page costs the same wherever the cursor is.
func (tx DeclarationTx) ResultFeed(ctx context.Context, sc declaration.ResultScope, year int, after, sinceUS int64, limit int) ([]declaration.Result, error) {
	from, args, err := feedFrom(sc, year, after, sinceUS)
	if err != nil {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.credit_code, s.employer_name, s.tax_office, s.tax_office_name,
        l.persons, l.counted_months, l.weight_months, l.number, l.status, l.change_seq, l.changed_at_us`+from+
		fmt.Sprintf(` ORDER BY l.change_seq LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("result feed: %w", err)
	}
	defer rows.Close()
	var out []declaration.Result
	for rows.Next() {
		var r declaration.Result
		var wm, at int64
		if err := rows.Scan(&r.CreditCode, &r.Name, &r.TaxOffice, &r.TaxOfficeName, &r.Persons, &r.CountedMonths, &wm,
			&r.LetterNumber, &r.Status, &r.Seq, &at); err != nil {
			return nil, fmt.Errorf("scan result feed: %w", err)
		}
		r.WeightMonths, r.ChangedAt = rules.WeightMonths(wm), time.UnixMicro(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultFeedCount counts the rows ResultFeed would list from the same point without a limit: every
// row after the cursor, so it is read once per pull, not once per page.
func (tx DeclarationTx) ResultFeedCount(ctx context.Context, sc declaration.ResultScope, year int, after, sinceUS int64) (int, error) {
	from, args, err := feedFrom(sc, year, after, sinceUS)
	if err != nil {
		return 0, err
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("result feed count: %w", err)
	}
	return n, nil
}
