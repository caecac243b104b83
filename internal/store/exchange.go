package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
)

// The data-exchange side of the store (exchange.Tx): import history and the registry tables.
//
// Bulk writes are multi-row INSERT … ON CONFLICT DO UPDATE statements, which both databases run
// with the same text but for the placeholders (see upsert). The DO UPDATE carries "WHERE t.import_id IS DISTINCT FROM excluded.import_id":
// a row that this same import already wrote is left alone and so is missing from RETURNING, which
// is how a key repeated across batches of one file is found without holding the file's keys in
// memory. (Keys repeated inside one batch are removed by the caller first: PostgreSQL refuses to
// update a row twice in one statement.)

// CreateImport inserts a history row.
func (tx *Tx) CreateImport(ctx context.Context, imp exchange.Import) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO imports (kind, file_name, sha256, rows, actor, created_at, status, error_count)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		string(imp.Kind), imp.FileName, imp.SHA256, imp.Rows, imp.Actor, imp.CreatedAt.UTC(), imp.Status, imp.ErrorCount).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert import: %w", err)
	}
	return id, nil
}

// FinishImport records the hash and row count of an accepted file.
func (tx *Tx) FinishImport(ctx context.Context, id int64, sha256 string, rows int) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE imports SET sha256 = $2, rows = $3 WHERE id = $1`, id, sha256, rows); err != nil {
		return fmt.Errorf("finish import %d: %w", id, err)
	}
	return nil
}

// RecordImportErrors stores the listed errors of a rejected attempt.
func (tx *Tx) RecordImportErrors(ctx context.Context, id int64, errs []exchange.RowError) error {
	const per = 200 // 5 parameters a row
	for start := 0; start < len(errs); start += per {
		chunk := errs[start:min(len(errs), start+per)]
		var b strings.Builder
		b.WriteString(`INSERT INTO import_errors (import_id, seq, row_number, field, reason) VALUES `)
		args := make([]any, 0, 1+4*len(chunk))
		args = append(args, id)
		for i, e := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&b, "($1,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4)
			args = append(args, start+i+1, e.Row, e.Field, e.Reason)
		}
		if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert import errors of %d: %w", id, err)
		}
	}
	return nil
}

const importColumns = `id, kind, file_name, sha256, rows, actor, created_at, status, error_count`

func scanImport(scan func(...any) error) (exchange.Import, error) {
	var imp exchange.Import
	var kind string
	err := scan(&imp.ID, &kind, &imp.FileName, &imp.SHA256, &imp.Rows, &imp.Actor, &imp.CreatedAt, &imp.Status, &imp.ErrorCount)
	imp.Kind = exchange.Kind(kind)
	imp.CreatedAt = imp.CreatedAt.UTC()
	return imp, err
}

// ListImports lists the latest history entries, newest first.
func (tx *Tx) ListImports(ctx context.Context, limit int) ([]exchange.Import, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+importColumns+` FROM imports ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []exchange.Import
	for rows.Next() {
		imp, err := scanImport(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan import: %w", err)
		}
		out = append(out, imp)
	}
	return out, rows.Err()
}

// GetImport reads one history entry.
func (tx *Tx) GetImport(ctx context.Context, id int64) (exchange.Import, error) {
	imp, err := scanImport(tx.tx.QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id).Scan)
	if isNoRows(err) {
		return exchange.Import{}, apperr.NotFoundf("导入记录")
	}
	if err != nil {
		return exchange.Import{}, fmt.Errorf("get import %d: %w", id, err)
	}
	return imp, nil
}

// ImportErrors lists the stored errors of an import in file order.
func (tx *Tx) ImportErrors(ctx context.Context, id int64) ([]exchange.RowError, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT row_number, field, reason FROM import_errors WHERE import_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("list import errors %d: %w", id, err)
	}
	defer rows.Close()
	var out []exchange.RowError
	for rows.Next() {
		var e exchange.RowError
		if err := rows.Scan(&e.Row, &e.Field, &e.Reason); err != nil {
			return nil, fmt.Errorf("scan import error: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// upsert builds and runs one multi-row upsert of n rows of width parameters each, followed by the
// import id, and returns the keys written, joined by "|".
//
// Placeholders are the one thing this bulk path does not write the portable way: SQLite resolves
// "$n" through a linear list per parameter, which makes a statement of thousands of parameters
// quadratic (measured: 45% of an import's time in sqlite3VListNameToNum and as much again binding).
// Plain "?" is positional and linear, so SQLite gets "?" and PostgreSQL "$n". The import id is an
// integer of ours and goes in as a literal.
func (tx *Tx) upsert(ctx context.Context, head, conflict, update string, importID int64, width, n int, args []any, keyCols int) (map[string]bool, error) {
	stmt, err := tx.bulkStatement(ctx, bulkShape{head: head, n: n, importID: importID}, func() string {
		return bulkText(head, conflict, update, importID, width, n, tx.db.dialect.Name == "sqlite")
	})
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	written := make(map[string]bool, n)
	vals := make([]string, keyCols)
	ptrs := make([]any, keyCols)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		written[strings.Join(vals, "|")] = true
	}
	return written, rows.Err()
}

// bulkShape identifies one multi-row statement text: the same table, row count and import give the
// same text, so a transaction prepares it once and reuses it for every full batch.
type bulkShape struct {
	head     string
	n        int
	importID int64
}

// bulkStatement returns the transaction's prepared statement for shape, preparing text() the
// first time. Re-preparing a 2,000-parameter statement for every batch cost ~10% of an import on
// SQLite (the parser); the statements close with the transaction.
func (tx *Tx) bulkStatement(ctx context.Context, shape bulkShape, text func() string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[shape]; ok {
		return st, nil
	}
	st, err := tx.tx.PrepareContext(ctx, text())
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[bulkShape]*sql.Stmt{}
	}
	tx.stmts[shape] = st
	return st, nil
}

// bulkText writes the statement text of upsert.
func bulkText(head, conflict, update string, importID int64, width, n int, positional bool) string {
	id := strconv.FormatInt(importID, 10)
	var b strings.Builder
	b.Grow(len(head) + n*(width*7+len(id)+4) + len(conflict) + len(update) + 64)
	b.WriteString(head)
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if positional {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
			b.WriteByte(',')
		}
		b.WriteString(id)
		b.WriteByte(')')
	}
	b.WriteString(conflict)
	b.WriteString(update)
	return b.String()
}

// UpsertCertificates writes registry certificates keyed by cert_hash.
//
// Batches are written in chunks of certChunk rows (12 parameters each); a key repeated across
// chunks of one call is reported like one repeated across calls.
func (tx *Tx) UpsertCertificates(ctx context.Context, importID int64, recs []exchange.CertificateRecord) ([]int, error) {
	var repeated []int
	for start := 0; start < len(recs); start += certChunk {
		rep, err := tx.upsertCertificates(ctx, importID, recs[start:min(len(recs), start+certChunk)])
		if err != nil {
			return nil, err
		}
		for _, i := range rep {
			repeated = append(repeated, start+i)
		}
	}
	return repeated, nil
}

// certChunk keeps a certificate upsert at 6,000 parameters.
const certChunk = 500

func (tx *Tx) upsertCertificates(ctx context.Context, importID int64, recs []exchange.CertificateRecord) ([]int, error) {
	args := make([]any, 0, 12*len(recs))
	for _, r := range recs {
		var until any
		if r.ValidUntil != "" {
			until = r.ValidUntil
		}
		args = append(args, r.CertHash, r.CertSealed, r.CertMasked, r.PersonHash, r.PersonSealed, r.Name, r.Gender,
			r.Category, r.Level, r.Issued, until, r.Status)
	}
	written, err := tx.upsert(ctx, `INSERT INTO registry_certificates AS t (cert_hash, cert_sealed, cert_masked,
        person_hash, person_sealed, name, gender, category, level, issued, valid_until, status, import_id) VALUES `,
		` ON CONFLICT (cert_hash) DO UPDATE SET cert_sealed = excluded.cert_sealed, cert_masked = excluded.cert_masked,
        person_hash = excluded.person_hash, person_sealed = excluded.person_sealed, name = excluded.name,
        gender = excluded.gender, category = excluded.category, level = excluded.level, issued = excluded.issued,
        valid_until = excluded.valid_until, status = excluded.status, import_id = excluded.import_id`,
		` WHERE t.import_id IS DISTINCT FROM excluded.import_id RETURNING cert_hash`, importID, 12, len(recs), args, 1)
	if err != nil {
		return nil, fmt.Errorf("upsert certificates: %w", err)
	}
	var repeated []int
	for i, r := range recs {
		if !written[r.CertHash] {
			repeated = append(repeated, i)
		}
	}
	return repeated, nil
}

// paymentTable maps a payment kind to its table; the kind comes from exchange, never from users.
func paymentTable(kind exchange.Kind) (string, error) {
	switch kind {
	case exchange.Wages:
		return "registry_wages", nil
	case exchange.Social:
		return "registry_social", nil
	case exchange.Medical:
		return "registry_medical", nil
	}
	return "", fmt.Errorf("no payment table for kind %q", kind)
}

// Payment files (wages, social, medical) take the staged path: every validated row goes, in file
// order with its line number, into a temporary table of the transaction — by COPY where the dialect
// has it (PostgreSQL), by multi-row INSERTs otherwise — and MergePayments then finds repeated keys
// with one GROUP BY and writes the registry with one INSERT … SELECT … ORDER BY key … ON CONFLICT.
// Measured on 1,000,000 wage rows against the per-batch upsert this replaces: the registry's key
// is a keyed hash, so batches hit the primary-key index at random pages; sorted, each index page
// is written once. The temporary table lives and dies with the transaction (rolled back with a
// rejected file, dropped at the merge).

// stageTable is the temporary staging table of payment rows; one import per transaction uses it.
const stageTable = "import_stage_payments"

var stageColumns = []string{"line", "person_hash", "credit_code", "month", "amount_fen"}

// stageChunk is the rows per INSERT into the staging table where there is no COPY: 5 parameters a
// row keeps a statement far below SQLite's 32,766-parameter limit.
const stageChunk = 1000

// StagePayments adds payment records to the transaction's staging table, creating it at the first call.
func (tx *Tx) StagePayments(ctx context.Context, recs []exchange.StagedPayment) error {
	if len(recs) == 0 {
		return nil
	}
	if !tx.stage {
		if _, err := tx.tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+stageTable); err != nil {
			return fmt.Errorf("drop staging table: %w", err)
		}
		if _, err := tx.tx.ExecContext(ctx, `CREATE TEMPORARY TABLE `+stageTable+` (line INTEGER NOT NULL,
            person_hash TEXT NOT NULL, credit_code TEXT NOT NULL, month TEXT NOT NULL, amount_fen BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("create staging table: %w", err)
		}
		tx.stage, tx.stageRows = true, 0
	}
	tx.stageRows += int64(len(recs))
	if tx.db.dialect.CopyFrom != nil {
		if _, err := tx.db.dialect.CopyFrom(ctx, tx.conn, stageTable, stageColumns, &paymentSource{recs: recs, i: -1}); err != nil {
			return fmt.Errorf("stage payments: %w", err)
		}
		return nil
	}
	for start := 0; start < len(recs); start += stageChunk {
		chunk := recs[start:min(len(recs), start+stageChunk)]
		head := `INSERT INTO ` + stageTable + ` (line, person_hash, credit_code, month, amount_fen) VALUES `
		stmt, err := tx.bulkStatement(ctx, bulkShape{head: head, n: len(chunk)}, func() string {
			return valuesText(head, 5, len(chunk), tx.db.dialect.Name == "sqlite")
		})
		if err != nil {
			return fmt.Errorf("stage payments: %w", err)
		}
		args := make([]any, 0, 5*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Line, r.PersonHash, r.CreditCode, r.Month, r.AmountFen)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("stage payments: %w", err)
		}
	}
	return nil
}

// paymentSource feeds staged records to COPY without building a [][]any of the whole batch.
type paymentSource struct {
	recs []exchange.StagedPayment
	i    int
	vals [5]any
}

func (s *paymentSource) Next() bool { s.i++; return s.i < len(s.recs) }
func (s *paymentSource) Err() error { return nil }
func (s *paymentSource) Values() ([]any, error) {
	r := &s.recs[s.i]
	s.vals = [5]any{int32(r.Line), r.PersonHash, r.CreditCode, r.Month, r.AmountFen}
	return s.vals[:], nil
}

// valuesText writes "head (?,?,…),(…)…" for n rows of width parameters: "?" on SQLite, "$n" elsewhere
// (see upsert for why).
func valuesText(head string, width, n int, positional bool) string {
	var b strings.Builder
	b.Grow(len(head) + n*(width*7+3))
	b.WriteString(head)
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if positional {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// MergePayments lists up to limit staged rows whose key an earlier row of the file already had
// (and counts them all); when write is set and there are none, it upserts the staged rows into
// kind's table. The staging table is dropped either way.
//
// The write does not look for repeats first (a GROUP BY over the whole file): it is arranged so
// that a repeated key makes it fail or fall short, and only then are the repeats looked for.
func (tx *Tx) MergePayments(ctx context.Context, kind exchange.Kind, importID int64, write bool, limit int) ([]exchange.Duplicate, int, error) {
	if !tx.stage {
		return nil, 0, nil
	}
	table, err := paymentTable(kind)
	if err != nil {
		return nil, 0, err
	}
	var failure error
	if write {
		merged, f, err := tx.mergeStage(ctx, kind, table, importID)
		if err != nil {
			return nil, 0, err
		}
		if merged {
			return nil, 0, tx.dropStage(ctx)
		}
		failure = f
	}
	dups, total, err := tx.stagedDuplicates(ctx, limit)
	if err != nil {
		return nil, 0, err
	}
	if write && total == 0 {
		return nil, 0, fmt.Errorf("merge into %s: no key repeats, yet the rows were not all written: %w", table, failure)
	}
	return dups, total, tx.dropStage(ctx)
}

// mergeStage writes the staged rows in key order: sorted, the primary-key index (of keyed hashes,
// random in file order) is written page by page instead of at random (measured 3× faster on
// SQLite for 1,000,000 rows). merged is false when some key repeats; failure is then the
// database's error, if it gave one.
//
// SQLite runs the upsert: "WHERE t.import_id IS DISTINCT FROM excluded.import_id" skips the second
// row of a repeated key, so fewer rows affected than staged means repeats (and the rejected file's
// transaction is rolled back). PostgreSQL refuses to update a row twice in one statement and its
// ON CONFLICT costs a speculative insertion per row (7.4 s against 3.6 s for a plain INSERT of
// 1,000,000 rows), so it first tries a plain INSERT, which succeeds whenever every key is new (a
// first load, a month's new file); a unique violation undoes it (savepoint) and the upsert runs.
func (tx *Tx) mergeStage(ctx context.Context, kind exchange.Kind, table string, importID int64) (merged bool, failure, err error) {
	cols, set := "person_hash, credit_code, month", "import_id = excluded.import_id"
	if kind == exchange.Wages {
		cols, set = "person_hash, credit_code, month, amount_fen", "amount_fen = excluded.amount_fen, import_id = excluded.import_id"
	}
	// "WHERE true" lets SQLite's parser tell the SELECT from the ON CONFLICT clause.
	insert := `INSERT INTO ` + table + ` AS t (` + cols + `, import_id) SELECT ` + cols + `, ` + strconv.FormatInt(importID, 10) +
		` FROM ` + stageTable + ` WHERE true ORDER BY person_hash, credit_code, month`
	upsert := insert + ` ON CONFLICT (person_hash, credit_code, month) DO UPDATE SET ` + set + `
        WHERE t.import_id IS DISTINCT FROM excluded.import_id`
	if tx.db.dialect.Name != "postgres" {
		// Let the ORDER BY's sorter use a second thread (it only affects large sorts; it stays set
		// on the pooled connection, harmlessly). Measured 7.3 s → 6.2 s for 1,000,000 rows on 2 cores.
		if _, err := tx.tx.ExecContext(ctx, `PRAGMA threads = 2`); err != nil {
			return false, nil, fmt.Errorf("sorter threads: %w", err)
		}
		res, err := tx.tx.ExecContext(ctx, upsert)
		if err != nil {
			return false, nil, fmt.Errorf("merge into %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return false, nil, fmt.Errorf("merge into %s: %w", table, err)
		}
		return n == tx.stageRows, nil, nil
	}
	for _, q := range []string{insert, upsert} {
		failure, err = tx.underSavepoint(ctx, q)
		if err != nil || failure == nil {
			return err == nil, nil, err
		}
	}
	return false, failure, nil
}

// underSavepoint runs q, undoing it if it fails: failure is q's error, err a savepoint's.
func (tx *Tx) underSavepoint(ctx context.Context, q string) (failure, err error) {
	if _, err := tx.tx.ExecContext(ctx, `SAVEPOINT merge_stage`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	if _, failure = tx.tx.ExecContext(ctx, q); failure != nil {
		if _, err := tx.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT merge_stage`); err != nil {
			return failure, fmt.Errorf("rollback to savepoint after %v: %w", failure, err)
		}
		return failure, nil
	}
	if _, err := tx.tx.ExecContext(ctx, `RELEASE SAVEPOINT merge_stage`); err != nil {
		return nil, fmt.Errorf("release savepoint: %w", err)
	}
	return nil, nil
}

// stagedDuplicates lists, in file order, up to limit staged rows whose key an earlier line had,
// each with that first line, and counts them all.
func (tx *Tx) stagedDuplicates(ctx context.Context, limit int) ([]exchange.Duplicate, int, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.line, f.first FROM `+stageTable+` s
        JOIN (SELECT person_hash, credit_code, month, MIN(line) AS first FROM `+stageTable+`
              GROUP BY person_hash, credit_code, month HAVING COUNT(*) > 1) f
          ON s.person_hash = f.person_hash AND s.credit_code = f.credit_code AND s.month = f.month
        WHERE s.line <> f.first ORDER BY s.line`)
	if err != nil {
		return nil, 0, fmt.Errorf("find repeated rows: %w", err)
	}
	defer rows.Close()
	var out []exchange.Duplicate
	total := 0
	for rows.Next() {
		var d exchange.Duplicate
		if err := rows.Scan(&d.Line, &d.First); err != nil {
			return nil, 0, fmt.Errorf("scan repeated row: %w", err)
		}
		total++
		if len(out) < limit {
			out = append(out, d)
		}
	}
	return out, total, rows.Err()
}

func (tx *Tx) dropStage(ctx context.Context) error {
	if _, err := tx.tx.ExecContext(ctx, `DROP TABLE `+stageTable); err != nil {
		return fmt.Errorf("drop staging table: %w", err)
	}
	tx.stage = false
	return nil
}

// UpsertMinimumWages writes minimum-wage entries keyed by (region, from_month).
func (tx *Tx) UpsertMinimumWages(ctx context.Context, recs []exchange.MinimumWageRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO minimum_wages (region, from_month, amount_fen) VALUES `)
	args := make([]any, 0, 3*len(recs))
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(',')
		}
		n := len(args)
		fmt.Fprintf(&b, "($%d,$%d,$%d)", n+1, n+2, n+3)
		args = append(args, r.Region, r.From, r.AmountFen)
	}
	b.WriteString(` ON CONFLICT (region, from_month) DO UPDATE SET amount_fen = excluded.amount_fen`)
	if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("upsert minimum wages: %w", err)
	}
	return nil
}

// RegistryCertificates reads a person's certificates by person hash, oldest issue first.
func (tx *Tx) RegistryCertificates(ctx context.Context, personHash string) ([]exchange.CertificateRecord, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT cert_hash, cert_sealed, cert_masked, person_hash, person_sealed,
        name, gender, category, level, issued, COALESCE(valid_until, ''), status
        FROM registry_certificates WHERE person_hash = $1 ORDER BY issued, cert_masked`, personHash)
	if err != nil {
		return nil, fmt.Errorf("registry certificates: %w", err)
	}
	defer rows.Close()
	var out []exchange.CertificateRecord
	for rows.Next() {
		var r exchange.CertificateRecord
		if err := rows.Scan(&r.CertHash, &r.CertSealed, &r.CertMasked, &r.PersonHash, &r.PersonSealed, &r.Name,
			&r.Gender, &r.Category, &r.Level, &r.Issued, &r.ValidUntil, &r.Status); err != nil {
			return nil, fmt.Errorf("scan registry certificate: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RegistryPayments reads a person's records of one kind from the given payers in [from, to].
func (tx *Tx) RegistryPayments(ctx context.Context, kind exchange.Kind, personHash string, payers []string, from, to string) ([]exchange.PaymentRecord, error) {
	table, err := paymentTable(kind)
	if err != nil {
		return nil, err
	}
	amount := "0"
	if kind == exchange.Wages {
		amount = "amount_fen"
	}
	args := []any{personHash, from, to}
	in := make([]string, len(payers))
	for i, p := range payers {
		args = append(args, p)
		in[i] = "$" + strconv.Itoa(len(args))
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT person_hash, credit_code, month, `+amount+` FROM `+table+`
        WHERE person_hash = $1 AND month >= $2 AND month <= $3 AND credit_code IN (`+strings.Join(in, ",")+`)
        ORDER BY month, credit_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []exchange.PaymentRecord
	for rows.Next() {
		var r exchange.PaymentRecord
		if err := rows.Scan(&r.PersonHash, &r.CreditCode, &r.Month, &r.AmountFen); err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
