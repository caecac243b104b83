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
	"errors"
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
	CreatedAt          time.Time
	// TOTP second factor: the secret is set while enrolling and once enrolled (Enabled). The store
	// keeps it sealed with the data key (TOTPSealed); TOTPSecret is the opened secret (the service
	// opens it where it is needed) or a secret an earlier release stored in clear, which
	// datakey.Service.Check seals at the next start.
	TOTPSealed   []byte
	TOTPSecret   string
	TOTPEnabled  bool
	TOTPLastStep int64 // the last accepted time step: a code is never accepted twice
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
	Browser    string // family and system only ("Chrome · Windows"), see BrowserOf
}

// LoginFailure counts the failed logins of one account from one address prefix.
type LoginFailure struct {
	Prefix   string
	Failures int // since the row's window began (reset after FailureWindow without a failure)
	Unseen   int // not yet shown to the owner
	FirstAt  time.Time
	LastAt   time.Time
}

// PendingLogin is the second step of a login whose password was right: the TOTP code is still due.
type PendingLogin struct {
	TokenHash  string
	UserID     int64
	ClientAddr string
	Browser    string
	Attempts   int // wrong codes so far
	ExpiresAt  time.Time
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
	SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error
	SetDisabled(ctx context.Context, userID int64, disabled bool) error

	// Failed logins per (account, address prefix); a row older than windowStart starts again at 1.
	LoginFailures(ctx context.Context, userID int64) ([]LoginFailure, error)
	RecordLoginFailure(ctx context.Context, userID int64, prefix string, windowStart time.Time) (LoginFailure, error)
	// ClearLoginFailures deletes the row of prefix ("" = every row) and marks the others seen.
	ClearLoginFailures(ctx context.Context, userID int64, prefix string) error

	// The second factor, sealed: nil removes it; enabled false with a secret is an enrolment under
	// way, whose used time step starts again.
	SetTOTP(ctx context.Context, userID int64, sealed []byte, enabled bool) error
	// UseTOTPStep records step as used, reporting false when it (or a later one) was used already.
	UseTOTPStep(ctx context.Context, userID int64, step int64) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, hash string) (bool, error)
	InsertPendingLogin(ctx context.Context, p PendingLogin) error
	TakePendingLogin(ctx context.Context, tokenHash string) (PendingLogin, error)

	// Platform sign-in (issue 16): which local account a platform account (issuer, subject) is.
	PlatformLink(ctx context.Context, issuer, subject string) (int64, error) // not found: apperr.NotFound
	InsertPlatformLink(ctx context.Context, issuer, subject string, userID int64) error
	PlatformLinked(ctx context.Context, userID int64) (bool, error)

	InsertSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, tokenHash string) (Session, User, error) // the session and its user
	ListSessions(ctx context.Context, userID int64) ([]Session, error)          // oldest first
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error

	InsertCaptcha(ctx context.Context, c Captcha) error
	CaptchaByID(ctx context.Context, id string) (Captcha, error)
	TakeCaptcha(ctx context.Context, id string) (Captcha, error)
	DeleteExpiredCaptchas(ctx context.Context, now time.Time) error

	ThrottleCount(ctx context.Context, bucket string, windowStart time.Time) (int, error)
	ThrottleHit(ctx context.Context, bucket string, now, windowStart time.Time) (int, error)
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
	// PurgeThrottles deletes throttle windows and pending logins older than windowBefore and failed
	// login counts older than failuresBefore.
	PurgeThrottles(ctx context.Context, windowBefore, failuresBefore time.Time) (int64, error)

	scope.Tree
	SearchAudit(ctx context.Context, q AuditQuery) ([]audit.Entry, int, error)
}

// Config holds the tunable rules; DefaultConfig has the production values.
type Config struct {
	CaptchaRequired bool          // false only with --captcha off (an account under attack still needs it)
	CaptchaTTL      time.Duration // how long a challenge may be answered

	// Failed logins are counted per (account, address prefix). The first FreeFailures cost nothing;
	// then each try from that network waits BaseDelay, doubling up to MaxDelay. A network's count
	// starts again after FailureWindow without a failure.
	FreeFailures  int
	BaseDelay     time.Duration
	MaxDelay      time.Duration
	FailureWindow time.Duration
	// An account with AttackFailures failures from at least AttackPrefixes networks within
	// AttackWindow is under attack: every login needs the captcha and waits AttackDelay.
	AttackFailures int
	AttackPrefixes int
	AttackWindow   time.Duration
	AttackDelay    time.Duration

	AddrWindow       time.Duration // the window of the per-network and per-account counters below
	AddrMaxFailures  int           // failed logins/registrations per network and window
	AddrMaxCaptchas  int           // captchas (images and audio) issued per network and window
	AddrMaxLogins    int           // successful logins per network and window
	AccountMaxLogins int           // successful logins per account and window
	PasswordChecks   int           // wrong current passwords per account and window (password change)

	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	TouchEvery      time.Duration // how stale last_seen may get before it is written again
	MaxSessions     int           // concurrent sessions per user; the oldest ends (0 = no limit)

	// StaffMFARequired makes a second factor compulsory for reviewers and admins.
	StaffMFARequired bool
	PendingTTL       time.Duration // the second step of a login must come within this
	PendingAttempts  int           // wrong codes allowed in the second step
	TOTPIssuer       string        // the name authenticator apps show

	// A unified identity platform (统一身份认证平台) is configured: employers sign in through it, and
	// a local registration of a credit code that signed in through it is refused (no squatting).
	Platform bool
	// LocalRegister lets employers register here with a password (--local-register; off by default
	// with a platform), LocalLogin lets them sign in with that password (--local-login). Staff always
	// keep their own passwords.
	LocalRegister bool
	LocalLogin    bool

	Argon2 Argon2Params
	Hashes GateConfig
	// Now is the clock of the in-memory refusal shortcut (nil: time.Now); tests pass the clock of
	// their database so both agree.
	Now func() time.Time
	// Secrets seals the TOTP secrets with the data key (pii.Protector): a copy of the database
	// alone must not give anyone the codes of staff who read a whole region's disability data.
	Secrets Sealer
}

// DefaultConfig returns the production settings.
func DefaultConfig() Config {
	return Config{
		CaptchaRequired: true, CaptchaTTL: 5 * time.Minute,
		FreeFailures: 3, BaseDelay: 2 * time.Second, MaxDelay: 15 * time.Minute, FailureWindow: 24 * time.Hour,
		AttackFailures: 20, AttackPrefixes: 3, AttackWindow: time.Hour, AttackDelay: 2 * time.Second,
		AddrWindow: 15 * time.Minute, AddrMaxFailures: 30, AddrMaxCaptchas: 120, AddrMaxLogins: 120,
		AccountMaxLogins: 20, PasswordChecks: 5,
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, TouchEvery: time.Minute, MaxSessions: 5,
		StaffMFARequired: true, PendingTTL: 5 * time.Minute, PendingAttempts: 5,
		TOTPIssuer:    "残疾人按比例就业情况联网认证",
		LocalRegister: true, LocalLogin: true,
		Argon2: DefaultArgon2,
		// One hash at a time per account and two per network: one account or network never holds
		// both cores, so another user's login always finds a slot within about one hash's time.
		Hashes: GateConfig{Concurrent: 2, Queue: 8, Wait: time.Second, PerAccount: 1, PerPrefix: 2},
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
	// refused remembers, in this instance, which accounts and networks are throttled until when, so a
	// flood of logins that must be refused is refused without a database transaction each.
	refused *refusedCache
}

// NewService builds the service. run executes one transaction; isUnique recognises a unique-constraint
// violation (a registration racing another).
func NewService(cfg Config, run func(context.Context, func(Tx) error) error, isUnique func(error) bool) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Secrets == nil {
		return nil, errors.New("account: no data key to seal second-factor secrets with (Config.Secrets)")
	}
	s := &Service{cfg: cfg, run: run, isUnique: isUnique, hasher: NewGatedHasher(cfg.Argon2, NewGate(cfg.Hashes)), policy: NewPolicy(), refused: newRefusedCache(100000)}
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

// LoginQueue reports the password checks of sign-ins waiting for a hashing slot and those running
// (/metrics: a long queue means sign-ins are being refused with 429 soon).
func (s *Service) LoginQueue() (waiting, running int) {
	if s.hasher == nil || s.hasher.gate == nil {
		return 0, 0
	}
	return s.hasher.gate.Load()
}
