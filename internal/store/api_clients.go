package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"quotacert/internal/apiclient"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// APIClientTx is the API client port (apiclient.Tx) over one transaction.
type APIClientTx struct{ *txn }

// APIClientRunner runs each API client use case in one transaction (apiclient.NewService).
func APIClientRunner(db *DB) func(context.Context, func(apiclient.Tx) error) error {
	return runner(db, func(t *txn) apiclient.Tx { return APIClientTx{t} })
}

// Now is the transaction's clock reading (UTC).
func (tx APIClientTx) Now() time.Time { return tx.now }

// AppendAudit writes an audit record in this transaction.
func (tx APIClientTx) AppendAudit(ctx context.Context, e audit.Entry) error {
	return tx.appendAudit(ctx, e)
}

// OfficePath returns a federation office and the offices above it, nearest first (scope.Tree).
func (tx APIClientTx) OfficePath(ctx context.Context, code string) ([]scope.Office, error) {
	return tx.officePath(ctx, code)
}

// OfficeWithin reports whether office is ancestor or lies below it in the federation office tree.
func (tx APIClientTx) OfficeWithin(ctx context.Context, office, ancestor string) (bool, error) {
	return tx.officeWithin(ctx, office, ancestor)
}

// RootOffice is the code of the federation office without a parent.
func (tx APIClientTx) RootOffice(ctx context.Context) (string, error) {
	var code string
	err := tx.tx.QueryRowContext(ctx, `SELECT code FROM federation_offices WHERE parent IS NULL ORDER BY code LIMIT 1`).Scan(&code)
	if err != nil {
		return "", fmt.Errorf("root federation office: %w", err)
	}
	return code, nil
}

// TaxOffice loads a tax office; found is false for an unknown code.
func (tx APIClientTx) TaxOffice(ctx context.Context, code string) (apiclient.TaxOffice, bool, error) {
	t := apiclient.TaxOffice{Code: code}
	err := tx.tx.QueryRowContext(ctx, `SELECT name, region FROM tax_offices WHERE code = $1`, code).Scan(&t.Name, &t.Region)
	if isNoRows(err) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("tax office %s: %w", code, err)
	}
	return t, true, nil
}

// RegionWithin reports whether region is ancestor or lies below it; the walk is bounded against cycles.
func (tx APIClientTx) RegionWithin(ctx context.Context, region, ancestor string) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `WITH RECURSIVE up (code, depth) AS (
            SELECT code, 0 FROM regions WHERE code = $1
            UNION ALL
            SELECT r.parent, up.depth + 1 FROM regions r JOIN up ON r.code = up.code WHERE r.parent IS NOT NULL AND up.depth < 10)
        SELECT COUNT(*) FROM up WHERE code = $2`, region, ancestor).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("region %s within %s: %w", region, ancestor, err)
	}
	return n > 0, nil
}

const apiClientSelect = `SELECT c.id, c.name, COALESCE(c.tax_office, ''), COALESCE(t.name, ''), c.office, c.token_hint,
    c.created_at, c.rotated_at, c.revoked_at, c.last_used_at, c.last_used_addr
    FROM api_clients c LEFT JOIN tax_offices t ON t.code = c.tax_office `

func scanAPIClient(scan func(...any) error) (apiclient.Client, error) {
	var c apiclient.Client
	var rotated, revoked, used sql.NullTime
	err := scan(&c.ID, &c.Name, &c.TaxOffice, &c.TaxOfficeName, &c.Office, &c.TokenHint, &c.CreatedAt, &rotated, &revoked,
		&used, &c.LastUsedAddr)
	c.RotatedAt, c.RevokedAt, c.LastUsedAt = rotated.Time, revoked.Time, used.Time
	return c, err
}

// Clients lists every client, newest first.
func (tx APIClientTx) Clients(ctx context.Context) ([]apiclient.Client, error) {
	rows, err := tx.tx.QueryContext(ctx, apiClientSelect+`ORDER BY c.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("api clients: %w", err)
	}
	defer rows.Close()
	var out []apiclient.Client
	for rows.Next() {
		c, err := scanAPIClient(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan api client: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (tx APIClientTx) clientWhere(ctx context.Context, cond string, arg any) (apiclient.Client, bool, error) {
	c, err := scanAPIClient(tx.tx.QueryRowContext(ctx, apiClientSelect+`WHERE `+cond, arg).Scan)
	if isNoRows(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("api client: %w", err)
	}
	return c, true, nil
}

// Client loads a client by id.
func (tx APIClientTx) Client(ctx context.Context, id int64) (apiclient.Client, bool, error) {
	return tx.clientWhere(ctx, `c.id = $1`, id)
}

// ClientByToken finds the client whose token has this hash.
func (tx APIClientTx) ClientByToken(ctx context.Context, hash string) (apiclient.Client, bool, error) {
	return tx.clientWhere(ctx, `c.token_hash = $1`, hash)
}

// InsertClient adds a client; false when a live client has the name already (the partial unique
// index decides, so two concurrent registrations cannot both win).
func (tx APIClientTx) InsertClient(ctx context.Context, c apiclient.Client, hash string, createdBy int64) (int64, bool, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `INSERT INTO api_clients (name, tax_office, office, token_hash, token_hint, created_at, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
		c.Name, nullText(c.TaxOffice), c.Office, hash, c.TokenHint, tx.now, nullID(createdBy)).Scan(&id)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert api client: %w", err)
	}
	return id, true, nil
}

// SetClientToken replaces a client's token.
func (tx APIClientTx) SetClientToken(ctx context.Context, id int64, hash, hint string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE api_clients SET token_hash = $2, token_hint = $3, rotated_at = $4 WHERE id = $1`,
		id, hash, hint, tx.now); err != nil {
		return fmt.Errorf("rotate api client %d: %w", id, err)
	}
	return nil
}

// RevokeClient ends a client's access.
func (tx APIClientTx) RevokeClient(ctx context.Context, id int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE api_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, tx.now); err != nil {
		return fmt.Errorf("revoke api client %d: %w", id, err)
	}
	return nil
}

// TouchClient records a client's last use.
func (tx APIClientTx) TouchClient(ctx context.Context, id int64, addr string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE api_clients SET last_used_at = $2, last_used_addr = $3 WHERE id = $1`,
		id, tx.now, addr); err != nil {
		return fmt.Errorf("touch api client %d: %w", id, err)
	}
	return nil
}
