package store

import (
	"context"
	"fmt"

	"quotacert/internal/review"
)

// Review counts: how many review items each federation office's employers have, by status, kind
// and year, kept by triggers in the transaction of every write to review_items and of every change
// of an employer's office. The queue shows its total on every page; counting it from the items
// joined to their employers took 250 ms for a province of 100,000 pending items (110 ms for a
// county), whatever the page; summing the counters of a subtree reads a few dozen rows. A filter
// the counters do not know (an employer, a district, an age) counts the items.

// reviewCountsStep creates the counters, fills them from the items there are, and their triggers.
func (db *DB) reviewCountsStep() Step {
	bump := func(row, sign string) string {
		return `INSERT INTO review_counts (office, status, kind, year, n)
            SELECT COALESCE((SELECT federation_office FROM employers WHERE id = ` + row + `.employer_id), ''),
                ` + row + `.status, ` + row + `.kind, ` + row + `.year, ` + sign + `1 WHERE TRUE
            ON CONFLICT (office, status, kind, year) DO UPDATE SET n = review_counts.n + excluded.n;`
	}
	move := func(office, sign string) string {
		return `INSERT INTO review_counts (office, status, kind, year, n)
            SELECT COALESCE(` + office + `, ''), r.status, r.kind, r.year, ` + sign + `COUNT(*) FROM review_items r
            WHERE r.employer_id = NEW.id GROUP BY r.status, r.kind, r.year
            ON CONFLICT (office, status, kind, year) DO UPDATE SET n = review_counts.n + excluded.n;`
	}
	stmts := []string{`CREATE TABLE review_counts (
            office TEXT NOT NULL, -- the employers' federation office ('' none)
            status TEXT NOT NULL,
            kind   TEXT NOT NULL,
            year   INTEGER NOT NULL,
            n      BIGINT NOT NULL,
            PRIMARY KEY (office, status, kind, year))`,
		`INSERT INTO review_counts (office, status, kind, year, n)
            SELECT COALESCE(e.federation_office, ''), r.status, r.kind, r.year, COUNT(*)
            FROM review_items r JOIN employers e ON e.id = r.employer_id
            GROUP BY COALESCE(e.federation_office, ''), r.status, r.kind, r.year`}
	if db.dialect.Name == "sqlite" {
		stmts = append(stmts,
			"CREATE TRIGGER review_counts_insert AFTER INSERT ON review_items BEGIN\n"+bump("NEW", "")+"\nEND",
			"CREATE TRIGGER review_counts_update AFTER UPDATE ON review_items BEGIN\n"+bump("OLD", "-")+"\n"+bump("NEW", "")+"\nEND",
			"CREATE TRIGGER review_counts_delete AFTER DELETE ON review_items BEGIN\n"+bump("OLD", "-")+"\nEND",
			`CREATE TRIGGER review_counts_office AFTER UPDATE OF federation_office ON employers
            WHEN COALESCE(OLD.federation_office, '') <> COALESCE(NEW.federation_office, '') BEGIN
`+move("OLD.federation_office", "-")+"\n"+move("NEW.federation_office", "")+"\nEND")
	} else {
		stmts = append(stmts,
			`CREATE FUNCTION review_counts_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF TG_OP <> 'INSERT' THEN
`+bump("OLD", "-")+`
END IF;
IF TG_OP <> 'DELETE' THEN
`+bump("NEW", "")+`
END IF;
RETURN NULL;
END $$`,
			`CREATE TRIGGER review_counts_item AFTER INSERT OR UPDATE OR DELETE ON review_items
            FOR EACH ROW EXECUTE FUNCTION review_counts_item()`,
			`CREATE FUNCTION review_counts_office() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
`+move("OLD.federation_office", "-")+`
`+move("NEW.federation_office", "")+`
RETURN NULL;
END $$`,
			`CREATE TRIGGER review_counts_office AFTER UPDATE OF federation_office ON employers
            FOR EACH ROW WHEN (OLD.federation_office IS DISTINCT FROM NEW.federation_office)
            EXECUTE FUNCTION review_counts_office()`)
	}
	return Step{Name: "0920_review_counts", Apply: func(ctx context.Context, tx *Tx) error {
		for _, q := range stmts {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("review counts: %w\n%s", err, q)
			}
		}
		return nil
	}}
}

// countedQueue reports whether the counters answer q's count: a filter of office, status, kind and
// year only.
func countedQueue(q review.Query) bool {
	return q.Employer == "" && q.District == "" && q.CreatedBefore.IsZero()
}

// queueCountFromCounters sums the counters of the reviewer's subtree under q's filter.
func (tx ReviewTx) queueCountFromCounters(ctx context.Context, q review.Query) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, subtreeCTE+`SELECT COALESCE(SUM(n), 0) FROM review_counts
        WHERE office IN (SELECT code FROM sub) AND ($2 = '' OR status = $2) AND ($3 = '' OR kind = $3)
          AND ($4 = 0 OR year = $4)`, q.Office, string(q.Status), string(q.Kind), q.Year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count review queue: %w", err)
	}
	return n, nil
}
