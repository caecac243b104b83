package store

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/declaration"
	"quotacert/internal/rules"
)

// resultsFrom is the FROM of the staff's results: the letters of the year bound to $1 (valid and
// cancelled) of the office subtree of f, whose codes it appends to args. The employer's name, code
// and tax office come from the letter's snapshot, never the live row.
func (tx DeclarationTx) resultsFrom(ctx context.Context, f declaration.ResultFilter, args []any) (string, []any, error) {
	inSubtree, args, err := tx.subtreeIn(ctx, f.Office, "l.federation_office", args)
	if err != nil {
		return "", nil, err
	}
	return ` FROM letters l JOIN declarations d ON d.id = l.declaration_id JOIN letter_snapshots s ON s.letter_id = l.id
        WHERE d.year = $1 AND ` + inSubtree, args, nil
}

// resultsMatch is the condition of f's search and status filter ("" for none) with its arguments,
// numbered after the n arguments already bound.
func resultsMatch(f declaration.ResultFilter, n int) (string, []any) {
	var conds []string
	var args []any
	if f.Q != "" {
		args = append(args, likePattern(f.Q), likePattern(strings.ToUpper(f.Q)))
		conds = append(conds, fmt.Sprintf(`(s.employer_name LIKE $%d ESCAPE '\' OR s.credit_code LIKE $%d ESCAPE '\')`, n+1, n+2))
	}
	if f.Status != "" {
		args = append(args, string(f.Status))
		conds = append(conds, fmt.Sprintf(`l.status = $%d`, n+len(args)))
	}
	return strings.Join(conds, " AND "), args
}

// Results lists the letters of f: a page (LIMIT and OFFSET) in f's order, or, when f.After names a
// row, the chunk after it in credit code order. The order by (credit code, letter id) walks
// letter_snapshots_code (migration 0800) and the chunk starts at its key, so every chunk of an
// export costs the same.
func (tx DeclarationTx) Results(ctx context.Context, f declaration.ResultFilter) ([]declaration.Result, error) {
	where, args, err := tx.resultsFrom(ctx, f, []any{f.Year})
	if err != nil {
		return nil, err
	}
	if cond, more := resultsMatch(f, len(args)); cond != "" {
		where += " AND " + cond
		args = append(args, more...)
	}
	order := `s.credit_code, s.letter_id`
	switch f.Sort {
	case "name":
		order = `s.employer_name, s.letter_id`
	case "status":
		order = `l.status, s.credit_code, s.letter_id`
	}
	offset := f.Offset
	if f.After.CreditCode != "" {
		args = append(args, f.After.CreditCode, f.After.LetterID)
		where += fmt.Sprintf(` AND (s.credit_code, s.letter_id) > ($%d, $%d)`, len(args)-1, len(args))
		order, offset = `s.credit_code, s.letter_id`, 0
	}
	// The bounds are in the text, like the review queue's (a generic plan does not know them).
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.credit_code, s.employer_name, s.tax_office, s.tax_office_name,
        l.persons, l.counted_months, l.weight_months, l.number, l.status, l.id`+where+
		fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, max(f.Limit, 0), max(offset, 0)), args...)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer rows.Close()
	var out []declaration.Result
	for rows.Next() {
		var r declaration.Result
		var wm int64
		if err := rows.Scan(&r.CreditCode, &r.Name, &r.TaxOffice, &r.TaxOfficeName, &r.Persons, &r.CountedMonths, &wm,
			&r.LetterNumber, &r.Status, &r.LetterID); err != nil {
			return nil, fmt.Errorf("scan results: %w", err)
		}
		r.WeightMonths = rules.WeightMonths(wm)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultsSummary counts the year's letters of the subtree in one aggregate query: all of them, the
// valid and the cancelled ones, the persons and months of the valid ones, and those f keeps.
func (tx DeclarationTx) ResultsSummary(ctx context.Context, f declaration.ResultFilter) (declaration.ResultSummary, error) {
	from, args, err := tx.resultsFrom(ctx, f, []any{f.Year, string(declaration.LetterValid), string(declaration.LetterCancelled)})
	if err != nil {
		return declaration.ResultSummary{}, err
	}
	matching := `COUNT(*)`
	if cond, more := resultsMatch(f, len(args)); cond != "" {
		matching = `COALESCE(SUM(CASE WHEN ` + cond + ` THEN 1 ELSE 0 END), 0)`
		args = append(args, more...)
	}
	var sum declaration.ResultSummary
	var weight int64
	err = tx.tx.QueryRowContext(ctx, `SELECT COUNT(*),
            COALESCE(SUM(CASE WHEN l.status = $2 THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN l.status = $3 THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN l.status = $2 THEN l.persons ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN l.status = $2 THEN l.counted_months ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN l.status = $2 THEN l.weight_months ELSE 0 END), 0), `+matching+from, args...).
		Scan(&sum.Letters, &sum.Valid, &sum.Cancelled, &sum.Persons, &sum.CountedMonths, &weight, &sum.Matching)
	if err != nil {
		return sum, fmt.Errorf("summarise results: %w", err)
	}
	sum.WeightMonths = rules.WeightMonths(weight)
	return sum, nil
}

// LettersPersons loads the certified persons of the letters in one query, by letter id, each
// letter's in its order: the persons of an export's chunk.
func (tx DeclarationTx) LettersPersons(ctx context.Context, letterIDs []int64) (map[int64][]declaration.CertifiedPerson, error) {
	out := map[int64][]declaration.CertifiedPerson{}
	if len(letterIDs) == 0 {
		return out, nil
	}
	marks := make([]string, len(letterIDs))
	args := make([]any, len(letterIDs))
	for i, id := range letterIDs {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT letter_id, name, id_masked, certificate_kind, category, level, grade, counted_months,
        weight_months FROM letter_persons WHERE letter_id IN (`+strings.Join(marks, ",")+`) ORDER BY letter_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("letters' persons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, wm int64
		var p declaration.CertifiedPerson
		if err := rows.Scan(&id, &p.Name, &p.IDMasked, &p.CertificateKind, &p.Category, &p.Level, &p.Grade, &p.CountedMonths, &wm); err != nil {
			return nil, fmt.Errorf("letters' persons: %w", err)
		}
		p.WeightMonths = rules.WeightMonths(wm)
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}
