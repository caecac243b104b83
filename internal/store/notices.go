package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/notice"
	"quotacert/internal/scope"
)

// NoticeTx is the notice port (notice.Tx), over one transaction.
type NoticeTx struct{ *txn }

// NoticeRunner runs each notice use case in one transaction (notice.NewService).
func NoticeRunner(db *DB) func(context.Context, func(notice.Tx) error) error {
	return runner(db, func(t *txn) notice.Tx { return NoticeTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx NoticeTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx NoticeTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// Insert stores a new notice and returns its id.
func (tx NoticeTx) Insert(ctx context.Context, n notice.Notice) (int64, error) {
	var createdBy any
	if n.CreatedBy != 0 {
		createdBy = n.CreatedBy
	}
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO notices (title, body, office, published_at, created_by, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		n.Title, n.Body, noticeNullable(n.Office), noticeTime(n.PublishedAt), createdBy, n.CreatedAt.UTC(), n.UpdatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert notice: %w", err)
	}
	return id, nil
}

// Update stores a notice's title, body and target office.
func (tx NoticeTx) Update(ctx context.Context, n notice.Notice) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE notices SET title = $2, body = $3, office = $4, updated_at = $5 WHERE id = $1`,
		n.ID, n.Title, n.Body, noticeNullable(n.Office), n.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update notice %d: %w", n.ID, err)
	}
	return nil
}

// SetPublished sets (or with nil clears) a notice's publication time.
func (tx NoticeTx) SetPublished(ctx context.Context, id int64, at *time.Time, updated time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE notices SET published_at = $2, updated_at = $3 WHERE id = $1`,
		id, noticeTime(at), updated.UTC())
	if err != nil {
		return fmt.Errorf("publish notice %d: %w", id, err)
	}
	return nil
}

const noticeColumns = `n.id, n.title, n.body, COALESCE(n.office, ''), COALESCE(o.name, ''), n.published_at,
    COALESCE(n.created_by, 0), n.created_at, n.updated_at`

// noticeFrom joins the target office's name.
const noticeFrom = ` FROM notices n LEFT JOIN federation_offices o ON o.code = n.office`

func scanNotice(sc interface{ Scan(...any) error }, extra ...any) (notice.Notice, error) {
	var n notice.Notice
	var pub sql.NullTime
	dst := append([]any{&n.ID, &n.Title, &n.Body, &n.Office, &n.OfficeName, &pub, &n.CreatedBy, &n.CreatedAt, &n.UpdatedAt}, extra...)
	if err := sc.Scan(dst...); err != nil {
		return n, err
	}
	if pub.Valid {
		t := pub.Time.UTC()
		n.PublishedAt = &t
	}
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return n, nil
}

// Notice loads one notice; found is false for an unknown id.
func (tx NoticeTx) Notice(ctx context.Context, id int64) (notice.Notice, bool, error) {
	n, err := scanNotice(tx.tx.QueryRowContext(ctx, `SELECT `+noticeColumns+noticeFrom+` WHERE n.id = $1`, id))
	if isNoRows(err) {
		return n, false, nil
	}
	if err != nil {
		return n, false, fmt.Errorf("load notice %d: %w", id, err)
	}
	return n, true, nil
}

// escapeLike makes s a literal inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// List returns one page of notices matching f, newest first, and the number of all matches.
// The SQL is built from fixed fragments only; every value is a bound parameter.
func (tx NoticeTx) List(ctx context.Context, f notice.Filter) ([]notice.Notice, int, error) {
	var where []string
	args := []any{f.UserID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.IncludeDrafts {
		where = append(where, "n.published_at IS NOT NULL AND n.published_at <= "+arg(f.Now.UTC()))
	}
	if f.Offices != nil {
		cond := "FALSE"
		if len(f.Offices) > 0 {
			ph := make([]string, len(f.Offices))
			for i, o := range f.Offices {
				ph[i] = arg(o)
			}
			cond = "n.office IN (" + strings.Join(ph, ", ") + ")"
		}
		where = append(where, cond)
	}
	if f.Within != "" {
		where = append(where, inSubtree("n.office", arg(f.Within)))
	}
	if f.Query != "" {
		p := arg("%" + escapeLike(strings.ToLower(f.Query)) + "%")
		where = append(where, `(LOWER(n.title) LIKE `+p+` ESCAPE '\' OR LOWER(n.body) LIKE `+p+` ESCAPE '\')`)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	// The count query does not use $1 (the user); PostgreSQL wants every parameter typed, so it
	// gets the same arguments minus the first, renumbered.
	countSQL := `SELECT COUNT(*) FROM notices n` + renumber(cond, 1)
	if err := tx.tx.QueryRowContext(ctx, countSQL, args[1:]...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count notices: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = notice.PageSize
	}
	q := `SELECT ` + noticeColumns + `, r.user_id IS NOT NULL` + noticeFrom + `
        LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.user_id = $1` + cond +
		` ORDER BY n.published_at IS NULL DESC, n.published_at DESC, n.id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list notices: %w", err)
	}
	defer rows.Close()
	var out []notice.Notice
	for rows.Next() {
		var read bool
		n, err := scanNotice(rows, &read)
		if err != nil {
			return nil, 0, fmt.Errorf("scan notice: %w", err)
		}
		n.Read = read
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// renumber lowers every $n placeholder in s by by (s holds only $2 and up).
func renumber(s string, by int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		var n int
		fmt.Sscanf(s[i+1:j], "%d", &n)
		fmt.Fprintf(&b, "$%d", n-by)
		i = j - 1
	}
	return b.String()
}

// MarkRead records that the user opened the notice; opening it again keeps the first time.
func (tx NoticeTx) MarkRead(ctx context.Context, noticeID, userID int64, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES ($1, $2, $3)
        ON CONFLICT (notice_id, user_id) DO NOTHING`, noticeID, userID, at.UTC())
	if err != nil {
		return fmt.Errorf("mark notice %d read: %w", noticeID, err)
	}
	return nil
}

// IsRead reports whether the user has opened the notice.
func (tx NoticeTx) IsRead(ctx context.Context, noticeID, userID int64) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notice_reads WHERE notice_id = $1 AND user_id = $2`,
		noticeID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read mark of notice %d: %w", noticeID, err)
	}
	return n > 0, nil
}

// Files lists a notice's attachments by name.
func (tx NoticeTx) Files(ctx context.Context, noticeID int64) ([]notice.FileRef, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT f.id, f.name, f.size FROM notice_files nf
        JOIN files f ON f.id = nf.file_id WHERE nf.notice_id = $1 ORDER BY f.name, f.id`, noticeID)
	if err != nil {
		return nil, fmt.Errorf("list notice %d files: %w", noticeID, err)
	}
	defer rows.Close()
	var out []notice.FileRef
	for rows.Next() {
		var f notice.FileRef
		if err := rows.Scan(&f.ID, &f.Name, &f.Size); err != nil {
			return nil, fmt.Errorf("scan notice file: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SetFiles makes the notice's attachments exactly ids.
func (tx NoticeTx) SetFiles(ctx context.Context, noticeID int64, ids []string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM notice_files WHERE notice_id = $1`, noticeID); err != nil {
		return fmt.Errorf("clear notice %d files: %w", noticeID, err)
	}
	for _, id := range ids {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO notice_files (notice_id, file_id) VALUES ($1, $2)`, noticeID, id); err != nil {
			return fmt.Errorf("link notice %d file: %w", noticeID, err)
		}
	}
	return nil
}

// FileRefs returns those of ids that exist and were uploaded by staff (employer_id IS NULL):
// an employer's evidence must never become a public notice attachment, and staff files are the
// ones every signed-in user may download through GET /api/v1/files/{id}.
func (tx NoticeTx) FileRefs(ctx context.Context, ids []string) ([]notice.FileRef, error) {
	var out []notice.FileRef
	for _, id := range ids {
		var f notice.FileRef
		err := tx.tx.QueryRowContext(ctx, `SELECT id, name, size FROM files WHERE id = $1 AND employer_id IS NULL`, id).Scan(&f.ID, &f.Name, &f.Size)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load file: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// EmployerOffice is the employer's federation office, ” when not chosen yet.
func (tx NoticeTx) EmployerOffice(ctx context.Context, employerID int64) (string, error) {
	var o sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT federation_office FROM employers WHERE id = $1`, employerID).Scan(&o)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("load federation office of employer %d: %w", employerID, err)
	}
	return o.String, nil
}

// RootOffices lists the federation offices without a parent.
func (tx NoticeTx) RootOffices(ctx context.Context) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT code FROM federation_offices WHERE parent IS NULL ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list root offices: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("scan root office: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OfficePath returns a federation office and the offices above it, nearest first (scope.Tree).
func (tx NoticeTx) OfficePath(ctx context.Context, code string) ([]scope.Office, error) {
	return tx.officePath(ctx, code)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx NoticeTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// noticeNullable stores ” as NULL (optional references).
func noticeNullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// noticeTime stores a nil time as NULL.
func noticeTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
