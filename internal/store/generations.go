package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/placement"
)

// View generations: a counter per placement, per employer's list of placements, per employer and
// for the reference data, raised by triggers in the same transaction as any write to a table a
// placement's grid or the list is computed from. A grid computed after its three counters were
// read (p, e, g; the list: l, e, g) is still that grid while they read the same, so it can be kept
// and shown again without loading and verifying it (placement.Stamp).
// Triggers rather than the application's write paths: a write the services forget — an import, a
// reviewer's decision, a repair by SQL — cannot leave a stale grid behind.
//
// The rows are never deleted: a counter that started again at 1 could match a grid kept from
// before.

// genSource is one table a scope's counter follows: ids selects the ids of the scope touched by
// a row written, with R standing for the row (NEW, and OLD where a row goes or changes).
type genSource struct {
	table, scope, ids string
}

// The scopes of the counters.
const (
	genPlacement = "p"
	genList      = "l" // raised with every placement counter of the employer's placements
	genEmployer  = "e"
	genReference = "g"
)

// genSources lists what a grid reads (placement.Service.Get and the store's reads under it). A
// person's months or placements raise every placement of the person: another employer's
// selection is what "该月已由其他单位申报" shows.
var genSources = []genSource{
	{"persons", genPlacement, "SELECT p.id AS id FROM placements p WHERE p.person_id = R.id"},
	{"placements", genPlacement, "SELECT p.id AS id FROM placements p WHERE p.person_id = R.person_id"},
	{"placement_months", genPlacement, "SELECT p.id AS id FROM placements p WHERE p.person_id = R.person_id"},
	{"contracts", genPlacement, "SELECT R.placement_id AS id"},
	{"contract_files", genPlacement, "SELECT c.placement_id AS id FROM contracts c WHERE c.id = R.contract_id"},
	{"manual_certificates", genPlacement, "SELECT R.placement_id AS id"},
	{"manual_certificate_files", genPlacement, "SELECT m.placement_id AS id FROM manual_certificates m WHERE m.id = R.manual_certificate_id"},
	{"review_items", genPlacement, "SELECT R.placement_id AS id"},
	{"review_items", genEmployer, "SELECT R.employer_id AS id WHERE R.placement_id IS NULL"},
	{"review_item_files", genPlacement, "SELECT r.placement_id AS id FROM review_items r WHERE r.id = R.review_item_id"},
	{"employers", genEmployer, "SELECT R.id AS id"},
	{"affiliates", genEmployer, "SELECT R.employer_id AS id"},
	{"affiliate_files", genEmployer, "SELECT a.employer_id AS id FROM affiliates a WHERE a.id = R.affiliate_id"},
	{"declarations", genEmployer, "SELECT R.employer_id AS id"},
	{"business_years", genReference, ""},
	{"minimum_wages", genReference, ""},
	{"regions", genReference, ""},
	{"registry_certificates", genReference, ""},
	{"registry_persons", genReference, ""},
	{"registry_wages", genReference, ""},
	{"registry_social", genReference, ""},
	{"registry_medical", genReference, ""},
}

// genTable is a table's bumps: its sources, with the list's twin of each placement source.
func genTable(table string) []genSource {
	var out []genSource
	for _, s := range genSources {
		if s.table != table {
			continue
		}
		out = append(out, s)
		if s.scope == genPlacement {
			out = append(out, genSource{table, genList, "SELECT q.employer_id AS id FROM placements q WHERE q.id IN (" + s.ids + ")"})
		}
	}
	return out
}

// genTables lists the tables with sources, once each, in the order of genSources.
func genTables() []string {
	var out []string
	for _, s := range genSources {
		if !slices.Contains(out, s.table) {
			out = append(out, s.table)
		}
	}
	return out
}

// genBump is the one upsert raising the counters of the ids the rows touch (each row NEW or
// OLD) under every source: one statement a trigger runs, whatever the number of sources.
func genBump(sources []genSource, rows ...string) string {
	var parts []string
	for _, row := range rows {
		for _, s := range sources {
			ids := "SELECT 0 AS id"
			if s.ids != "" {
				ids = strings.ReplaceAll(s.ids, "R.", row+".")
			}
			parts = append(parts, `SELECT '`+s.scope+`' AS scope, y.id AS id FROM (`+ids+`) AS y`)
		}
	}
	return `INSERT INTO view_generations (scope, id, gen) SELECT DISTINCT x.scope, x.id, 1 FROM (` +
		strings.Join(parts, " UNION ALL ") + `) AS x WHERE x.id IS NOT NULL ORDER BY 1, 2
        ON CONFLICT (scope, id) DO UPDATE SET gen = view_generations.gen + 1;`
}

// viewGenerationsStep creates the counters and their triggers on either database.
func (db *DB) viewGenerationsStep() Step {
	sqlite := db.dialect.Name == "sqlite"
	return Step{Name: "0900_view_generations", ForeignKeysOff: sqlite, Apply: func(ctx context.Context, tx *Tx) error {
		if sqlite {
			// The triggers name tables that a database from before issue 13 has yet to rebuild with
			// AUTOINCREMENT (ensureAutoincrement, which runs after the migrations, rebuilds no table
			// another table's trigger names): rebuild them first.
			todo, err := tablesWithoutAutoincrement(ctx, tx.tx)
			if err != nil {
				return err
			}
			for _, table := range todo {
				if err := rebuildTable(ctx, tx.tx, table, withAutoincrement); err != nil && !errors.Is(err, errNamedElsewhere) {
					return err
				}
			}
		}
		stmts := []string{`CREATE TABLE view_generations (
            scope TEXT NOT NULL CHECK (scope IN ('p', 'l', 'e', 'g')),
            id    BIGINT NOT NULL,
            gen   BIGINT NOT NULL,
            PRIMARY KEY (scope, id))`,
			`INSERT INTO view_generations (scope, id, gen) VALUES ('g', 0, 1)`,
			// The placements and months triggers find a person's placements.
			`CREATE INDEX placements_person ON placements (person_id)`}
		for _, table := range genTables() {
			stmts = append(stmts, db.genTriggers(table, genTable(table))...)
		}
		for _, q := range stmts {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("view generations: %w\n%s", err, q)
			}
		}
		return nil
	}}
}

// genTriggerNames are the triggers a table with sources has, on the database (a test checks that
// none went missing, as a table rebuild would make them).
func (db *DB) genTriggerNames(table string) []string {
	if db.dialect.Name == "sqlite" {
		return []string{"vg_" + table + "_insert", "vg_" + table + "_update", "vg_" + table + "_delete"}
	}
	if genTable(table)[0].ids == "" {
		return []string{"vg_" + table}
	}
	return []string{"vg_" + table, "vg_" + table + "_update"}
}

func (db *DB) genTriggers(table string, sources []genSource) []string {
	if sources[0].ids == "" {
		// The reference data: every write raises the one counter, whose row the migration made.
		const bump = `UPDATE view_generations SET gen = gen + 1 WHERE scope = 'g' AND id = 0;`
		if db.dialect.Name == "sqlite" {
			// SQLite's triggers are per row: an import raises the counter once a row, an update of
			// one row by its key each (the upsert of the other triggers cost imports half their speed).
			var out []string
			for _, ev := range []string{"insert", "update", "delete"} {
				out = append(out, `CREATE TRIGGER vg_`+table+`_`+ev+` AFTER `+strings.ToUpper(ev)+` ON `+table+
					"\nBEGIN\n"+bump+"\nEND")
			}
			return out
		}
		// A registry file comes in bulk (COPY): once a statement.
		return []string{
			`CREATE FUNCTION vg_` + table + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
` + bump + `
RETURN NULL;
END $$`,
			`CREATE TRIGGER vg_` + table + ` AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ` + table +
				` FOR EACH STATEMENT EXECUTE FUNCTION vg_` + table + `()`,
		}
	}
	if db.dialect.Name == "sqlite" {
		return []string{
			`CREATE TRIGGER vg_` + table + `_insert AFTER INSERT ON ` + table + "\nBEGIN\n" + genBump(sources, "NEW") + "\nEND",
			`CREATE TRIGGER vg_` + table + `_update AFTER UPDATE ON ` + table + "\nBEGIN\n" + genBump(sources, "OLD", "NEW") + "\nEND",
			`CREATE TRIGGER vg_` + table + `_delete AFTER DELETE ON ` + table + "\nBEGIN\n" + genBump(sources, "OLD") + "\nEND",
		}
	}
	// An update that changes nothing (a save of the same selection again) raises nothing.
	return []string{
		`CREATE FUNCTION vg_` + table + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
IF TG_OP = 'INSERT' THEN
` + genBump(sources, "NEW") + `
ELSIF TG_OP = 'DELETE' THEN
` + genBump(sources, "OLD") + `
ELSE
` + genBump(sources, "OLD", "NEW") + `
END IF;
RETURN NULL;
END $$`,
		`CREATE TRIGGER vg_` + table + ` AFTER INSERT OR DELETE ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION vg_` + table + `()`,
		`CREATE TRIGGER vg_` + table + `_update AFTER UPDATE ON ` + table + ` FOR EACH ROW
            WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION vg_` + table + `()`,
	}
}

// Peek reads a stamp in the transaction (so the generations of what the transaction reads): with
// placementID, a live placement's employer and person with the generations of the placement, its
// employer and the reference data; with placementID 0, those of employerID's list (all its
// placements), the employer and the reference data.
func (tx PlacementTx) Peek(ctx context.Context, employerID, placementID int64) (placement.Peeked, error) {
	var pk placement.Peeked
	if placementID == 0 {
		err := tx.tx.QueryRowContext(ctx, `SELECT
            COALESCE((SELECT gen FROM view_generations WHERE scope = 'l' AND id = $1), 0),
            COALESCE((SELECT gen FROM view_generations WHERE scope = 'e' AND id = $1), 0),
            COALESCE((SELECT gen FROM view_generations WHERE scope = 'g' AND id = 0), 0)`, employerID).
			Scan(&pk.Stamp.Placements, &pk.Stamp.Employer, &pk.Stamp.Reference)
		if err != nil {
			return pk, fmt.Errorf("list stamp: %w", err)
		}
		pk.EmployerID = employerID
		return pk, nil
	}
	err := tx.tx.QueryRowContext(ctx, `SELECT p.employer_id, p.year, s.id, s.id_hash, s.id_masked,
        COALESCE((SELECT gen FROM view_generations WHERE scope = 'p' AND id = p.id), 0),
        COALESCE((SELECT gen FROM view_generations WHERE scope = 'e' AND id = p.employer_id), 0),
        COALESCE((SELECT gen FROM view_generations WHERE scope = 'g' AND id = 0), 0)
        FROM placements p JOIN persons s ON s.id = p.person_id WHERE p.id = $1 AND p.deleted_at IS NULL`, placementID).
		Scan(&pk.EmployerID, &pk.Year, &pk.Person.ID, &pk.Person.IDHash, &pk.Person.IDMasked,
			&pk.Stamp.Placements, &pk.Stamp.Employer, &pk.Stamp.Reference)
	if isNoRows(err) {
		return pk, apperr.NotFoundf("安置人员")
	}
	if err != nil {
		return pk, fmt.Errorf("peek placement %d: %w", placementID, err)
	}
	return pk, nil
}
