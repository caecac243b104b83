package store

import (
	"context"
	"fmt"

	"quotacert/internal/account"
	"quotacert/internal/apperr"
	"quotacert/internal/oidc"
)

// PendingLogins implements oidc.PendingLogins over table oidc_pending_logins (migration 0400), so that
// a sign-in started on one instance can be completed on any other, once.
type PendingLogins struct{ db *DB }

// NewPendingLogins returns the database store of the relying party's pending sign-ins.
func NewPendingLogins(db *DB) PendingLogins { return PendingLogins{db: db} }

// SavePendingLogin implements oidc.PendingLogins.
func (s PendingLogins) SavePendingLogin(ctx context.Context, p oidc.PendingLogin) error {
	return s.db.inTx(ctx, func(t *txn) error {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO oidc_pending_logins (state_hash, nonce, verifier, return_to, created_at)
            VALUES ($1, $2, $3, $4, $5)`, p.StateHash, p.Nonce, p.Verifier, p.ReturnTo, p.CreatedAt.UTC())
		if err != nil {
			return fmt.Errorf("insert pending platform sign-in: %w", err)
		}
		return nil
	})
}

// UsePendingLogin implements oidc.PendingLogins. The conditional UPDATE is the single point where
// concurrent callbacks of one state meet: the database lets exactly one of them set used_at.
func (s PendingLogins) UsePendingLogin(ctx context.Context, stateHash string) (oidc.PendingLogin, error) {
	var p oidc.PendingLogin
	err := s.db.inTx(ctx, func(t *txn) error {
		p = oidc.PendingLogin{}
		err := t.tx.QueryRowContext(ctx, `UPDATE oidc_pending_logins SET used_at = $2
            WHERE state_hash = $1 AND used_at IS NULL
            RETURNING state_hash, nonce, verifier, return_to, created_at`, stateHash, t.now).
			Scan(&p.StateHash, &p.Nonce, &p.Verifier, &p.ReturnTo, &p.CreatedAt)
		if err == nil {
			return nil
		}
		if !isNoRows(err) {
			return fmt.Errorf("use pending platform sign-in: %w", err)
		}
		var n int
		if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM oidc_pending_logins WHERE state_hash = $1`, stateHash).Scan(&n); err != nil {
			return fmt.Errorf("look up pending platform sign-in: %w", err)
		}
		if n > 0 {
			return oidc.ErrPendingUsed
		}
		return oidc.ErrPendingUnknown
	})
	return p, err
}

// PlatformLink returns the local account linked to a platform account, or a not-found error.
func (tx AccountTx) PlatformLink(ctx context.Context, issuer, subject string) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT user_id FROM platform_links WHERE issuer = $1 AND subject = $2`, issuer, subject).Scan(&id)
	if isNoRows(err) {
		return 0, apperr.NotFoundf("统一身份认证平台账号")
	}
	if err != nil {
		return 0, fmt.Errorf("load platform link: %w", err)
	}
	return id, nil
}

// InsertPlatformLink links a platform account to a local account.
func (tx AccountTx) InsertPlatformLink(ctx context.Context, issuer, subject string, userID int64) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO platform_links (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)`,
		issuer, subject, userID, tx.now)
	if err != nil {
		return fmt.Errorf("insert platform link: %w", err)
	}
	return nil
}

// PlatformLinked reports whether a local account has signed in through the platform at least once.
func (tx AccountTx) PlatformLinked(ctx context.Context, userID int64) (bool, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM platform_links WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("count platform links: %w", err)
	}
	return n > 0, nil
}

var _ oidc.PendingLogins = PendingLogins{}
var _ account.Tx = AccountTx{}
