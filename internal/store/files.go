package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"quotacert/internal/attachment"
	"quotacert/internal/audit"
)

// AttachmentTx is the attachment port (attachment.Tx): file metadata and who may read a file, over
// one transaction.
type AttachmentTx struct{ *txn }

// AttachmentRunner runs each attachment use case in one transaction (attachment.NewService).
func AttachmentRunner(db *DB) func(context.Context, func(attachment.Tx) error) error {
	return runner(db, func(t *txn) attachment.Tx { return AttachmentTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx AttachmentTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx AttachmentTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx AttachmentTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// InsertFile records an uploaded file's metadata.
func (tx AttachmentTx) InsertFile(ctx context.Context, f attachment.File) error {
	var emp, by any
	if f.EmployerID != 0 {
		emp = f.EmployerID
	}
	if f.UploadedBy != 0 {
		by = f.UploadedBy
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO files (id, employer_id, uploaded_by, name, size, blob, content_type, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, f.ID, emp, by, f.Name, f.Size, f.Blob, f.ContentType, f.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("insert file: %w", err)
	}
	return nil
}

// fileColumns are the columns scanFile reads, in its order.
const fileColumns = `id, employer_id, uploaded_by, name, size, blob, content_type, created_at`

// scanFile reads one row of fileColumns.
func scanFile(row interface{ Scan(...any) error }) (attachment.File, error) {
	var f attachment.File
	var emp, by sql.NullInt64
	err := row.Scan(&f.ID, &emp, &by, &f.Name, &f.Size, &f.Blob, &f.ContentType, &f.CreatedAt)
	f.EmployerID, f.UploadedBy = emp.Int64, by.Int64
	return f, err
}

// File loads a file's metadata; found is false for an unknown id.
func (tx AttachmentTx) File(ctx context.Context, id string) (attachment.File, bool, error) {
	f, err := scanFile(tx.tx.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id = $1`, id))
	if isNoRows(err) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("load file: %w", err)
	}
	return f, true, nil
}

// filesPerQuery bounds the ids of one IN list: far below the bind-parameter limits of SQLite and
// PostgreSQL, and small enough for SQLite's look-up of numbered parameters (quadratic in their count).
const filesPerQuery = 100

// Files loads the metadata of the files among ids, in any order; unknown ids are left out.
func (tx AttachmentTx) Files(ctx context.Context, ids []string) ([]attachment.File, error) {
	var out []attachment.File
	for chunk := range slices.Chunk(ids, filesPerQuery) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.tx.QueryContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("load files: %w", err)
		}
		for rows.Next() {
			f, err := scanFile(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load files: %w", err)
			}
			out = append(out, f)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("load files: %w", err)
		}
	}
	return out, nil
}

// BlobInUse reports whether any file row refers to the blob of that name.
func (tx AttachmentTx) BlobInUse(ctx context.Context, name string) (bool, error) {
	var used bool
	if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE blob = $1)`, name).Scan(&used); err != nil {
		return false, fmt.Errorf("look up files by blob: %w", err)
	}
	return used, nil
}

// EmployerFederationOffice returns an employer's federation office (empty when none is chosen yet).
func (tx AttachmentTx) EmployerFederationOffice(ctx context.Context, employerID int64) (string, error) {
	var office sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT federation_office FROM employers WHERE id = $1`, employerID).Scan(&office)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load federation office of employer %d: %w", employerID, err)
	}
	return office.String, nil
}
