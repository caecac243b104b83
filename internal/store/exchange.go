package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/exchange"
	"quotacert/internal/scope"
)

// ExchangeTx is the data-exchange port (exchange.Tx): import history, bulk writes and registry reads, over
// one transaction.
type ExchangeTx struct{ *txn }

// ExchangeRunner runs each exchange use case in one transaction (exchange.NewService).
func ExchangeRunner(db *DB) func(context.Context, func(exchange.Tx) error) error {
	return runner(db, func(t *txn) exchange.Tx { return ExchangeTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx ExchangeTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx ExchangeTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// CreateImport inserts a history row.
func (tx ExchangeTx) CreateImport(ctx context.Context, imp exchange.Import) (int64, error) {
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
func (tx ExchangeTx) FinishImport(ctx context.Context, id int64, sha256 string, rows int) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE imports SET sha256 = $2, rows = $3 WHERE id = $1`, id, sha256, rows); err != nil {
		return fmt.Errorf("finish import %d: %w", id, err)
	}
	return nil
}

// RecordImportErrors stores the listed errors of a rejected attempt.
func (tx ExchangeTx) RecordImportErrors(ctx context.Context, id int64, errs []exchange.RowError) error {
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
func (tx ExchangeTx) ListImports(ctx context.Context, limit int) ([]exchange.Import, error) {
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
func (tx ExchangeTx) GetImport(ctx context.Context, id int64) (exchange.Import, error) {
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
func (tx ExchangeTx) ImportErrors(ctx context.Context, id int64) ([]exchange.RowError, error) {
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

// OfficePath returns a federation office and the offices above it, nearest first (scope.Tree).
func (tx ExchangeTx) OfficePath(ctx context.Context, code string) ([]scope.Office, error) {
	return tx.officePath(ctx, code)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx ExchangeTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}
