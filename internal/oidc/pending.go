package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// PendingLogin is a sign-in started here and not yet completed at the callback. Any instance behind
// the load balancer may get the callback, so it lives in the database, not in memory.
type PendingLogin struct {
	StateHash string // hex SHA-256 of the state parameter: a database copy cannot complete a sign-in
	Nonce     string // expected in the ID token
	Verifier  string // the PKCE code verifier, sent with the code exchange
	ReturnTo  string // the local path to continue at, already checked by SafeReturnPath
	CreatedAt time.Time
}

// PendingLogins stores pending logins. The store implements it (table oidc_pending_logins);
// oidctest has an in-memory one and the contract test every implementation must pass.
type PendingLogins interface {
	// SavePendingLogin stores p. StateHash is unique.
	SavePendingLogin(ctx context.Context, p PendingLogin) error
	// UsePendingLogin marks the pending login of stateHash used and returns it, atomically: of any
	// number of concurrent calls for one state at most one succeeds. It returns ErrPendingUnknown
	// when there is none and ErrPendingUsed when it was used before; used rows are kept (until they
	// are purged with the expired ones) so that a replay is told from a forged state.
	UsePendingLogin(ctx context.Context, stateHash string) (PendingLogin, error)
}

// The errors of PendingLogins.UsePendingLogin.
var (
	ErrPendingUnknown = errors.New("oidc: no pending login for this state")
	ErrPendingUsed    = errors.New("oidc: pending login already used")
)

// StateHash is the key of a pending login: the hex SHA-256 of the state parameter.
func StateHash(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}
