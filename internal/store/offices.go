package store

import (
	"context"
	"fmt"
)

// The federation office tree, shared by every port that decides jurisdiction.

// subtreeCTE names the federation offices at or below $1 as "sub"; the depth bound keeps a
// corrupted (cyclic) tree from looping.
const subtreeCTE = `WITH RECURSIVE sub (code, depth) AS (
    SELECT code, 0 FROM federation_offices WHERE code = $1
    UNION ALL
    SELECT f.code, sub.depth + 1 FROM federation_offices f JOIN sub ON f.parent = sub.code WHERE sub.depth < 10) `

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
