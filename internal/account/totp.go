package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/scope"
)

// Sealer seals and opens values with the data key (pii.Protector).
type Sealer interface {
	Seal(s string) []byte
	Open(b []byte) (string, error)
}

// sealSecret is the stored form of a TOTP secret: nil for none.
func (s *Service) sealSecret(secret string) []byte {
	if secret == "" {
		return nil
	}
	return s.cfg.Secrets.Seal(secret)
}

// withSecret opens u's sealed TOTP secret into TOTPSecret (a secret from before sealing is
// already there in clear).
func (s *Service) withSecret(u User) (User, error) {
	if len(u.TOTPSealed) == 0 {
		return u, nil
	}
	secret, err := s.cfg.Secrets.Open(u.TOTPSealed)
	if err != nil {
		return u, fmt.Errorf("open the second-factor secret of user %d: %w", u.ID, err)
	}
	u.TOTPSecret = secret
	return u, nil
}

// The second factor is RFC 6238 TOTP as CONTRACT.md fixes it: 6 digits, SHA-1, 30-second steps; a
// code is accepted one step early or late (clock drift) and only once.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodes is how many recovery codes an enrolment gives.
	RecoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is what the enrolment page shows: the secret as a QR code and as text.
type Enrolment struct {
	Secret string // base32, for manual entry
	URL    string // otpauth://totp/…
	QRCode string // PNG data URL of URL
}

// MFAStatus is the account security page's view of the second factor.
type MFAStatus struct {
	Enabled  bool
	Required bool // staff when --staff-mfa required: it cannot be switched off
}

// normSecret accepts a base32 secret with spaces, lower case or padding; it returns "" when it is
// not base32 or shorter than 80 bits (RFC 4226's minimum is 128 bits recommended, 80 allowed).
func normSecret(s string) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "=", "").Replace(strings.TrimSpace(s)))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(b) < 10 {
		return ""
	}
	return s
}

// MFA reports the second-factor state of the actor's account.
func (s *Service) MFA(ctx context.Context, a actor.Actor) (MFAStatus, error) {
	var st MFAStatus
	err := s.run(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		st = MFAStatus{Enabled: u.TOTPEnabled, Required: s.cfg.StaffMFARequired && u.Role != actor.Employer}
		return nil
	})
	return st, err
}

// StartEnrolment returns the secret being enrolled for the actor, creating one the first time: a
// page reload keeps the secret already scanned. An enrolled account must reset first.
func (s *Service) StartEnrolment(ctx context.Context, a actor.Actor) (Enrolment, error) {
	if a.UserID == 0 {
		return Enrolment{}, apperr.New(apperr.Unauthorized, "请先登录")
	}
	var secret string
	err := s.run(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return apperr.New(apperr.Conflict, "已启用两步验证")
		}
		if u, err = s.withSecret(u); err != nil {
			return err
		}
		secret = u.TOTPSecret
		if secret != "" {
			return nil
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.TOTPIssuer, AccountName: a.Name, Period: totpPeriod,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return fmt.Errorf("generate TOTP secret: %w", err)
		}
		secret = key.Secret()
		return tx.SetTOTP(ctx, a.UserID, s.sealSecret(secret), false)
	})
	if err != nil {
		return Enrolment{}, err
	}
	return s.enrolment(a.Name, secret)
}

func (s *Service) enrolment(name, secret string) (Enrolment, error) {
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=%d",
		url.PathEscape(s.cfg.TOTPIssuer), url.PathEscape(name), secret, url.PathEscape(s.cfg.TOTPIssuer), totpPeriod))
	if err != nil {
		return Enrolment{}, fmt.Errorf("TOTP key URL: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("encode TOTP QR code: %w", err)
	}
	return Enrolment{Secret: secret, URL: key.URL(), QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// ConfirmEnrolment enables the second factor once the user proves the authenticator works (a valid
// code for the secret being enrolled) and returns the recovery codes, shown once: only their hashes
// are stored.
func (s *Service) ConfirmEnrolment(ctx context.Context, a actor.Actor, code string) ([]string, error) {
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = recoveryHash(a.UserID, codes[i])
	}
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused = nil
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return apperr.New(apperr.Conflict, "已启用两步验证")
		}
		if u, err = s.withSecret(u); err != nil {
			return err
		}
		if u.TOTPSecret == "" {
			return apperr.New(apperr.Conflict, "请刷新页面后重新扫描二维码")
		}
		step, ok := matchTOTP(u.TOTPSecret, code, tx.Now())
		if !ok {
			refused = apperr.FieldErrors(map[string]string{"otp": "动态验证码不正确，请核对手机时间后输入验证器中当前显示的 6 位数字"})
			e := audit.For(a, "mfa.enrol", "user", fmt.Sprint(a.UserID))
			e.Outcome, e.Detail = audit.Failure, "wrong code"
			return tx.AppendAudit(ctx, e)
		}
		if _, err := tx.UseTOTPStep(ctx, a.UserID, step); err != nil {
			return err
		}
		if err := tx.SetTOTP(ctx, a.UserID, s.sealSecret(u.TOTPSecret), true); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, a.UserID, hashes); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "mfa.enrol", "user", fmt.Sprint(a.UserID)))
	})
	if err != nil {
		return nil, fmt.Errorf("confirm TOTP enrolment of user %d: %w", a.UserID, err)
	}
	if refused != nil {
		return nil, refused
	}
	return codes, nil
}

// DisableMFA switches the actor's own second factor off with a current code; staff who must have
// one cannot (an admin resets it instead, and they enrol again).
func (s *Service) DisableMFA(ctx context.Context, a actor.Actor, code string) error {
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused = nil
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if !u.TOTPEnabled {
			return nil
		}
		if s.cfg.StaffMFARequired && u.Role != actor.Employer {
			return apperr.New(apperr.Forbidden, "工作人员必须使用两步验证，不能关闭；更换手机请联系系统管理员重置")
		}
		ok, err := s.checkSecondFactor(ctx, tx, u, code, a.ClientAddr)
		if err != nil {
			return err
		}
		if !ok {
			refused = apperr.FieldErrors(map[string]string{"otp": MsgOTP})
			return nil
		}
		if err := tx.SetTOTP(ctx, u.ID, nil, false); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "mfa.disable", "user", fmt.Sprint(u.ID)))
	})
	if err != nil {
		return fmt.Errorf("disable second factor of user %d: %w", a.UserID, err)
	}
	return refused
}

// ResetMFA removes a user's second factor (a lost phone): admins within their scope, like other
// account management. The user's sessions end; staff must enrol again at the next sign-in.
func (s *Service) ResetMFA(ctx context.Context, a actor.Actor, userID int64) error {
	if err := requireAdminOrSystem(a); err != nil {
		return err
	}
	err := s.run(ctx, func(tx Tx) error {
		u, err := s.managedUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if err := tx.SetTOTP(ctx, userID, nil, false); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, userID, nil); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
		e := userEntry(a, "mfa.reset", u)
		e.Detail = "username=" + u.Username
		return tx.AppendAudit(ctx, e)
	})
	return scope.Audited(ctx, s.run, a, "mfa.reset", "user", fmt.Sprint(userID), err)
}

// checkSecondFactor accepts a current TOTP code not used before, or an unused recovery code (which
// is then spent and audited).
func (s *Service) checkSecondFactor(ctx context.Context, tx Tx, u User, code, clientAddr string) (bool, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 32 {
		return false, nil
	}
	u, err := s.withSecret(u)
	if err != nil {
		return false, err
	}
	if step, ok := matchTOTP(u.TOTPSecret, code, tx.Now()); ok {
		return tx.UseTOTPStep(ctx, u.ID, step)
	}
	ok, err := tx.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, code))
	if err != nil || !ok {
		return false, err
	}
	a := actorOf(u, clientAddr, s.cfg)
	return true, tx.AppendAudit(ctx, audit.For(a, "mfa.recovery-code", "user", fmt.Sprint(u.ID)))
}

// matchTOTP returns the time step whose code equals code (within the skew), in constant time per
// step.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// newRecoveryCode returns a code like "7KQ2-M9TD-XW4P": 60 bits from an alphabet without 0/O, 1/I.
func newRecoveryCode() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	var b strings.Builder
	for i := 0; i < 12; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[randInt(len(alphabet))])
	}
	return b.String()
}

// recoveryHash hashes a recovery code as typed (case, spaces and hyphens ignored) bound to the user.
// The codes carry 60 random bits, so a plain salted hash suffices (no password stretching needed).
func recoveryHash(userID int64, code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte(fmt.Sprintf("quotacert/recovery\x00%d\x00%s", userID, c)))
	return hex.EncodeToString(sum[:])
}

// newPendingLogin stores the second step of a login and returns its token.
func (s *Service) newPendingLogin(ctx context.Context, tx Tx, userID int64, clientAddr, browser string, attempts int) (string, error) {
	tok := randomToken()
	err := tx.InsertPendingLogin(ctx, PendingLogin{TokenHash: TokenHash(tok), UserID: userID, ClientAddr: clientAddr,
		Browser: browser, Attempts: attempts, ExpiresAt: tx.Now().Add(s.cfg.PendingTTL)})
	return tok, err
}
