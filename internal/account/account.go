// Package account holds users, passwords, captchas, login throttling and sessions: who may enter the
// system and as what. It is a domain package: it decides, the store persists, the web layer only
// translates HTTP. Every use case runs in one transaction and writes its audit record in it.
//
// Password hashing is deliberately done between transactions: argon2id takes tens of milliseconds,
// and holding a (SQLite: exclusive) write transaction that long would serialise every login.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/scope"
)

// User is an account row. Employers' user names are their credit codes.
type User struct {
	ID                 int64
	Username           string
	Role               actor.Role
	EmployerID         int64
	EmployerName       string // employers only, for pages
	Office             string // staff only
	PasswordHash       string
	MustChangePassword bool
	Disabled           bool
	FailedLogins       int
	LockedUntil        time.Time // zero: not locked
	CreatedAt          time.Time
}

// NewEmployer is the employers row created by registration.
type NewEmployer struct {
	CreditCode   string
	Name         string
	ContactName  string
	ContactPhone string
}

// Session is a stored session. Only the token's hash is kept.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ClientAddr string
}

// UserFilter selects users for the admin page.
type UserFilter struct {
	Query  string // part of the user name or employer name
	Within string // an office: only the accounts of its subtree; '' = every account
	Limit  int
}

// AuditQuery selects audit entries for the admin page.
type AuditQuery struct {
	Actor  string    // actor name, exact or prefix
	Action string    // action, exact or prefix
	From   time.Time // inclusive; zero = open
	To     time.Time // exclusive; zero = open
	// Within is set by the service, never from input: only the entries whose actor or object lies
	// in this office's subtree; '' = every entry (root administrators).
	Within string
	Offset int
	Limit  int
}

// Tx is what this package needs from a transaction (store.AccountTx implements it).
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error

	UserByUsername(ctx context.Context, username string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, error)
	InsertUser(ctx context.Context, u User) (int64, error)
	InsertEmployer(ctx context.Context, e NewEmployer) (int64, error)
	EmployerOffice(ctx context.Context, employerID int64) (string, error)
	RecordLoginFailure(ctx context.Context, userID int64, lockAfter int, lockUntil time.Time) (int, error)
	ResetLoginFailures(ctx context.Context, userID int64) error
	SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error
	SetDisabled(ctx context.Context, userID int64, disabled bool) error

	InsertSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, tokenHash string) (Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	InsertCaptcha(ctx context.Context, c Captcha) error
	TakeCaptcha(ctx context.Context, id string) (Captcha, error)
	DeleteExpiredCaptchas(ctx context.Context, now time.Time) error

	ThrottleCount(ctx context.Context, bucket string, windowStart time.Time) (int, error)
	ThrottleHit(ctx context.Context, bucket string, now, windowStart time.Time) (int, error)
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
	PurgeThrottles(ctx context.Context, windowBefore time.Time) (int64, error)

	scope.Tree
	SearchAudit(ctx context.Context, q AuditQuery) ([]audit.Entry, int, error)
}

// Config holds the tunable rules; DefaultConfig has issue #4's values.
type Config struct {
	CaptchaRequired  bool          // false only with --captcha off
	CaptchaTTL       time.Duration // how long a challenge may be answered
	LockAfter        int           // failed logins that lock an account
	LockFor          time.Duration
	AddrWindow       time.Duration // per-client-address window
	AddrMaxFailures  int           // failed logins/registrations per address and window
	AddrMaxCaptchas  int           // captchas issued per address and window
	IdleTimeout      time.Duration
	AbsoluteTimeout  time.Duration
	TouchEvery       time.Duration // how stale last_seen may get before it is written again
	Argon2           Argon2Params
	ConcurrentHashes int
}

// DefaultConfig returns the production settings.
func DefaultConfig() Config {
	return Config{
		CaptchaRequired: true, CaptchaTTL: 5 * time.Minute,
		LockAfter: 5, LockFor: 30 * time.Minute,
		AddrWindow: 15 * time.Minute, AddrMaxFailures: 30, AddrMaxCaptchas: 120,
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, TouchEvery: time.Minute,
		Argon2: DefaultArgon2, ConcurrentHashes: 2,
	}
}

// Service runs the account use cases.
type Service struct {
	cfg      Config
	run      func(context.Context, func(Tx) error) error
	isUnique func(error) bool
	hasher   *Hasher
	policy   Policy
	dummy    string // a hash to verify against for unknown accounts, so timing does not reveal them
}

// NewService builds the service. run executes one transaction; isUnique recognises a unique-constraint
// violation (a registration racing another).
func NewService(cfg Config, run func(context.Context, func(Tx) error) error, isUnique func(error) bool) (*Service, error) {
	s := &Service{cfg: cfg, run: run, isUnique: isUnique, hasher: NewHasher(cfg.Argon2, cfg.ConcurrentHashes), policy: NewPolicy()}
	d, err := s.hasher.Hash(context.Background(), randomToken())
	if err != nil {
		return nil, err
	}
	s.dummy = d
	return s, nil
}

// CaptchaRequired tells pages whether to show the captcha.
func (s *Service) CaptchaRequired() bool { return s.cfg.CaptchaRequired }

// Config returns the rules in force (timeouts for cookies, tests).
func (s *Service) Config() Config { return s.cfg }

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("account: system random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the sessions table stores for a token: a database copy grants no session.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// safeName keeps a typed-in login name fit for the audit log: anything that looks like a resident ID
// number (someone typing theirs into the wrong field) is masked, and length is bounded.
func safeName(s string) string {
	s = idnum.MaskIDsIn(s)
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64])
	}
	return s
}

func isNotFound(err error) bool { return apperr.CodeOf(err) == apperr.NotFound }

// normUsername is the canonical form of a staff user name.
func normUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
