package store

import (
	"context"
	"fmt"
	"strings"

	"quotacert/internal/scope"
)

// The federation office tree, shared by every port that decides jurisdiction.

// subtreeCTE names the federation offices at or below $1 as "sub"; the depth bound keeps a
// corrupted (cyclic) tree from looping.
const subtreeCTE = `WITH RECURSIVE sub (code, depth) AS (
    SELECT code, 0 FROM federation_offices WHERE code = $1
    UNION ALL
    SELECT f.code, sub.depth + 1 FROM federation_offices f JOIN sub ON f.parent = sub.code WHERE sub.depth < 10) `

// inSubtree is a condition: col names an office at or below the office bound to param ("$3").
func inSubtree(col, param string) string {
	return col + ` IN (WITH RECURSIVE sub (code, depth) AS (
        SELECT code, 0 FROM federation_offices WHERE code = ` + param + `
        UNION ALL
        SELECT f.code, sub.depth + 1 FROM federation_offices f JOIN sub ON f.parent = sub.code WHERE sub.depth < 10)
        SELECT code FROM sub)`
}

// subtreeIn is the condition "col names an office at or below root", the subtree's offices listed
// in the text as parameters appended to args ("1 = 0" for an unknown root). Through "IN (SELECT
// code FROM sub)" the planner cannot know how much of a table the subtree is, and a county's
// page or chunk walked an index over the whole province (a county's review queue 225 ms, each
// chunk of the province's results export 136 ms at 100,000 employers); with the codes in the text
// it reads the column's statistics and takes a county's rows from its index range (0.2 ms, 7 ms).
func (tx *txn) subtreeIn(ctx context.Context, root, col string, args []any) (string, []any, error) {
	offices, err := tx.subtreeCodes(ctx, root)
	if err != nil {
		return "", nil, err
	}
	if len(offices) == 0 {
		return "1 = 0", args, nil
	}
	marks := make([]string, len(offices))
	for i, o := range offices {
		args = append(args, o)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	return col + " IN (" + strings.Join(marks, ", ") + ")", args, nil
}

// officeWithin reports whether office is ancestor or lies below it in the federation office tree,
// walking up from office with a recursive query (portable to SQLite and PostgreSQL).
func (tx *txn) officeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `WITH RECURSIVE up (code, parent, depth) AS (
            SELECT code, parent, 0 FROM federation_offices WHERE code = $1
            UNION ALL
            SELECT f.code, f.parent, up.depth + 1 FROM federation_offices f JOIN up ON f.code = up.parent
            WHERE up.depth < 10)
        SELECT COUNT(*) FROM up WHERE code = $2`, office, ancestor).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("office %s within %s: %w", office, ancestor, err)
	}
	return n > 0, nil
}

// subtreeCodes lists the federation offices at or below root.
func (tx *txn) subtreeCodes(ctx context.Context, root string) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, subtreeCTE+`SELECT code FROM sub`, root)
	if err != nil {
		return nil, fmt.Errorf("subtree of office %s: %w", root, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("scan subtree office: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// officePath returns a federation office and every office above it, nearest first (scope.Tree);
// empty for an unknown code. The depth bound keeps a corrupted (cyclic) tree from looping.
func (tx *txn) officePath(ctx context.Context, code string) ([]scope.Office, error) {
	rows, err := tx.tx.QueryContext(ctx, `WITH RECURSIVE up (code, name, region, parent, depth) AS (
            SELECT code, name, region, parent, 0 FROM federation_offices WHERE code = $1
            UNION ALL
            SELECT f.code, f.name, f.region, f.parent, up.depth + 1 FROM federation_offices f JOIN up ON f.code = up.parent
            WHERE up.depth < 10)
        SELECT code, name, region, COALESCE(parent, '') FROM up ORDER BY depth`, code)
	if err != nil {
		return nil, fmt.Errorf("path of office %s: %w", code, err)
	}
	defer rows.Close()
	var out []scope.Office
	for rows.Next() {
		var o scope.Office
		if err := rows.Scan(&o.Code, &o.Name, &o.Region, &o.Parent); err != nil {
			return nil, fmt.Errorf("scan office path: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
