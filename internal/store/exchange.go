package store

import (
	"context"
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
	positional := tx.db.dialect.Name == "sqlite"
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
	rows, err := tx.tx.QueryContext(ctx, b.String(), args...)
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

// UpsertCertificates writes registry certificates keyed by cert_hash.
func (tx *Tx) UpsertCertificates(ctx context.Context, importID int64, recs []exchange.CertificateRecord) ([]int, error) {
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

// UpsertPayments writes wage, pension or medical records keyed by (person, payer, month).
func (tx *Tx) UpsertPayments(ctx context.Context, kind exchange.Kind, importID int64, recs []exchange.PaymentRecord) ([]int, error) {
	table, err := paymentTable(kind)
	if err != nil {
		return nil, err
	}
	width := 3
	cols, set := "person_hash, credit_code, month, import_id", "import_id = excluded.import_id"
	if kind == exchange.Wages {
		width = 4
		cols, set = "person_hash, credit_code, month, amount_fen, import_id", "amount_fen = excluded.amount_fen, import_id = excluded.import_id"
	}
	args := make([]any, 0, width*len(recs))
	for _, r := range recs {
		args = append(args, r.PersonHash, r.CreditCode, r.Month)
		if width == 4 {
			args = append(args, r.AmountFen)
		}
	}
	written, err := tx.upsert(ctx, `INSERT INTO `+table+` AS t (`+cols+`) VALUES `,
		` ON CONFLICT (person_hash, credit_code, month) DO UPDATE SET `+set,
		` WHERE t.import_id IS DISTINCT FROM excluded.import_id RETURNING person_hash, credit_code, month`,
		importID, width, len(recs), args, 3)
	if err != nil {
		return nil, fmt.Errorf("upsert %s: %w", table, err)
	}
	var repeated []int
	for i, r := range recs {
		if !written[r.PersonHash+"|"+r.CreditCode+"|"+r.Month] {
			repeated = append(repeated, i)
		}
	}
	return repeated, nil
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
