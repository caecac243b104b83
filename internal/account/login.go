package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
)

// MsgBadCredentials is the one answer for an unknown account, a wrong password and a locked account,
// so that nobody can learn which accounts exist. It also says what happens after repeated failures.
const MsgBadCredentials = "账号或密码错误（连续输错 5 次账号将被锁定 30 分钟）"

// MsgThrottled is the answer when one client address has failed too often.
const MsgThrottled = "尝试次数过多，请 15 分钟后再试"

// MsgCaptcha is the captcha field's error.
const MsgCaptcha = "验证码错误或已过期，请按新图片重新输入"

// LoginInput is a login attempt: employers give CreditCode, staff give Username (exactly one).
type LoginInput struct {
	CreditCode string
	Username   string
	Password   string
	CaptchaID  string
	Captcha    string
	ClientAddr string
	OldToken   string // the session cookie sent with the attempt, replaced on success
}

// LoginResult is a successful login: the new session token and who signed in.
type LoginResult struct {
	Token string
	Actor actor.Actor
}

// Login checks the captcha, the client address limit, the account lock and the password, in that
// order, and on success replaces any previous session with a new one.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	name, wantEmployer, fields := loginName(in)
	if in.Password == "" {
		fields["password"] = "请输入密码"
	}
	if s.cfg.CaptchaRequired && strings.TrimSpace(in.Captcha) == "" {
		fields["captcha"] = "请输入验证码"
	}
	attempt := actor.Actor{Name: safeName(name), ClientAddr: in.ClientAddr}

	// Phase 1: address limit, captcha (consumed whatever happens), the account.
	var user User
	var known bool
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused, known = nil, false
		now := tx.Now()
		n, err := tx.ThrottleCount(ctx, addrBucket("login", in.ClientAddr), now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n >= s.cfg.AddrMaxFailures {
			refused = apperr.New(apperr.Throttled, MsgThrottled)
			return s.auditFailure(ctx, tx, attempt, "login", "throttled")
		}
		if s.cfg.CaptchaRequired && fields["captcha"] == "" {
			ok, err := s.takeCaptcha(ctx, tx, in.CaptchaID, in.Captcha)
			if err != nil {
				return err
			}
			if !ok {
				fields["captcha"] = MsgCaptcha
			}
		}
		if len(fields) > 0 {
			refused = apperr.FieldErrors(fields)
			if _, err := tx.ThrottleHit(ctx, addrBucket("login", in.ClientAddr), now, now.Add(-s.cfg.AddrWindow)); err != nil {
				return err
			}
			return s.auditFailure(ctx, tx, attempt, "login", "invalid input")
		}
		u, err := tx.UserByUsername(ctx, name)
		switch {
		case isNotFound(err):
		case err != nil:
			return err
		case (u.Role == actor.Employer) == wantEmployer:
			user, known = u, true
		}
		return nil
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login phase 1: %w", err)
	}
	if refused != nil {
		return LoginResult{}, refused
	}

	// Phase 2: the password, outside any transaction; unknown accounts cost the same time.
	hash := s.dummy
	if known {
		hash = user.PasswordHash
	}
	match, err := s.hasher.Verify(ctx, hash, in.Password)
	if err != nil {
		return LoginResult{}, fmt.Errorf("verify password of user %d: %w", user.ID, err)
	}
	match = match && known

	// Phase 3: record the outcome; re-read the account, which may have changed meanwhile.
	var res LoginResult
	err = s.run(ctx, func(tx Tx) error {
		refused, res = nil, LoginResult{}
		now := tx.Now()
		fail := func(why string, count bool) error {
			refused = apperr.New(apperr.Unauthorized, MsgBadCredentials)
			if _, err := tx.ThrottleHit(ctx, addrBucket("login", in.ClientAddr), now, now.Add(-s.cfg.AddrWindow)); err != nil {
				return err
			}
			a := attempt
			if known {
				a.UserID, a.Role = user.ID, user.Role
				if count {
					n, err := tx.RecordLoginFailure(ctx, user.ID, s.cfg.LockAfter, now.Add(s.cfg.LockFor))
					if err != nil {
						return err
					}
					if n >= s.cfg.LockAfter {
						why += fmt.Sprintf("; %d failures: locked until %s", n, now.Add(s.cfg.LockFor).Format(time.RFC3339))
					}
				}
			}
			return s.auditFailure(ctx, tx, a, "login", why)
		}
		if !known {
			return fail("unknown account", false)
		}
		u, err := tx.UserByID(ctx, user.ID)
		if err != nil {
			return err
		}
		switch {
		case u.LockedUntil.After(now):
			return fail("account locked", false)
		case u.PasswordHash != user.PasswordHash:
			return fail("password changed during the attempt", false)
		case !match:
			return fail("wrong password", true)
		case u.Disabled:
			refused = apperr.New(apperr.Forbidden, "该账号已停用，请联系所在地残联")
			a := attempt
			a.UserID = u.ID
			return s.auditFailure(ctx, tx, a, "login", "account disabled")
		}
		if err := tx.ResetLoginFailures(ctx, u.ID); err != nil {
			return err
		}
		if in.OldToken != "" {
			if err := tx.DeleteSession(ctx, TokenHash(in.OldToken)); err != nil {
				return err
			}
		}
		token := randomToken()
		if err := tx.InsertSession(ctx, Session{TokenHash: TokenHash(token), UserID: u.ID, CreatedAt: now,
			LastSeenAt: now, ClientAddr: in.ClientAddr}); err != nil {
			return err
		}
		a := actorOf(u, in.ClientAddr)
		e := audit.For(a, "login", "user", fmt.Sprint(u.ID))
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		res = LoginResult{Token: token, Actor: a}
		return nil
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login phase 3: %w", err)
	}
	if refused != nil {
		return LoginResult{}, refused
	}
	return res, nil
}

// loginName picks and normalises the login name; a malformed credit code is a field error (it
// reveals nothing about which accounts exist).
func loginName(in LoginInput) (name string, employer bool, fields map[string]string) {
	fields = map[string]string{}
	cc, un := strings.TrimSpace(in.CreditCode), strings.TrimSpace(in.Username)
	switch {
	case cc != "" && un != "":
		fields["username"] = "请只填写统一社会信用代码或用户名之一"
	case cc != "":
		code, err := idnum.ParseCreditCode(cc)
		if err != nil {
			fields["creditCode"] = err.Error()
			return cc, true, fields
		}
		return code, true, fields
	case un != "":
		return normUsername(un), false, fields
	default:
		fields["creditCode"] = "请输入统一社会信用代码"
	}
	return cc + un, cc != "", fields
}

func addrBucket(kind, addr string) string { return kind + ":" + addr }

// takeCaptcha consumes the challenge id and reports whether answer matches. The row is deleted
// whatever the outcome, so a challenge can never be tried twice; an empty answer never matches.
func (s *Service) takeCaptcha(ctx context.Context, tx Tx, id, answer string) (bool, error) {
	answer = strings.TrimSpace(answer)
	if id == "" || len(id) > 64 {
		return false, nil
	}
	c, err := tx.TakeCaptcha(ctx, id)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if answer == "" || !tx.Now().Before(c.ExpiresAt) {
		return false, nil
	}
	return captchaAnswerHash(id, answer) == c.AnswerHash, nil
}

func (s *Service) auditFailure(ctx context.Context, tx Tx, a actor.Actor, action, why string) error {
	e := audit.For(a, action, "user", "")
	if a.UserID != 0 {
		e.ObjectID = fmt.Sprint(a.UserID)
	}
	e.Outcome = audit.Failure
	e.Detail = why
	return tx.AppendAudit(ctx, e)
}

func actorOf(u User, clientAddr string) actor.Actor {
	return actor.Actor{UserID: u.ID, Name: u.Username, Role: u.Role, EmployerID: u.EmployerID, Office: u.Office,
		ClientAddr: clientAddr, MustChangePassword: u.MustChangePassword}
}

// NewCaptcha issues a challenge and returns its id and PNG image as a data URL. Issuing is limited
// per client address so the table cannot be flooded; expired challenges are swept on the way.
func (s *Service) NewCaptcha(ctx context.Context, clientAddr string) (id, image string, err error) {
	answer := randomDigits(CaptchaDigits)
	id = randomToken()[:32]
	image, err = renderCaptcha(answer)
	if err != nil {
		return "", "", err
	}
	var refused error
	err = s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		n, err := tx.ThrottleHit(ctx, addrBucket("captcha", clientAddr), now, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n > s.cfg.AddrMaxCaptchas {
			refused = apperr.New(apperr.Throttled, MsgThrottled)
			return nil
		}
		if err := tx.DeleteExpiredCaptchas(ctx, now); err != nil {
			return err
		}
		return tx.InsertCaptcha(ctx, Captcha{ID: id, AnswerHash: captchaAnswerHash(id, answer), ExpiresAt: now.Add(s.cfg.CaptchaTTL)})
	})
	if err != nil {
		return "", "", fmt.Errorf("new captcha: %w", err)
	}
	if refused != nil {
		return "", "", refused
	}
	return id, image, nil
}

// CaptchaAnswerForTest returns a fresh challenge with its answer; only tests (and automated clients of
// a test deployment) can use it, since the answer never leaves the process otherwise.
func (s *Service) CaptchaAnswerForTest(ctx context.Context, clientAddr string) (id, answer string, err error) {
	answer = randomDigits(CaptchaDigits)
	id = randomToken()[:32]
	err = s.run(ctx, func(tx Tx) error {
		return tx.InsertCaptcha(ctx, Captcha{ID: id, AnswerHash: captchaAnswerHash(id, answer), ExpiresAt: tx.Now().Add(s.cfg.CaptchaTTL)})
	})
	return id, answer, err
}

// Logout deletes the session of token (if any). It is idempotent: logging out twice is not an error.
func (s *Service) Logout(ctx context.Context, a actor.Actor, token string) error {
	if token == "" {
		return nil
	}
	return s.run(ctx, func(tx Tx) error {
		sess, err := tx.SessionByHash(ctx, TokenHash(token))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, sess.TokenHash); err != nil {
			return err
		}
		if a.UserID == 0 {
			a.UserID = sess.UserID
		}
		return tx.AppendAudit(ctx, audit.For(a, "logout", "user", fmt.Sprint(sess.UserID)))
	})
}

// Resolve returns the actor of a session token, enforcing the idle and absolute timeouts (an expired
// session is deleted) and refreshing last-seen at most once per TouchEvery to spare the database.
func (s *Service) Resolve(ctx context.Context, token, clientAddr string) (actor.Actor, bool, error) {
	if token == "" || len(token) > 128 {
		return actor.Actor{}, false, nil
	}
	var a actor.Actor
	var ok bool
	err := s.run(ctx, func(tx Tx) error {
		ok = false
		now := tx.Now()
		h := TokenHash(token)
		sess, err := tx.SessionByHash(ctx, h)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if now.Sub(sess.LastSeenAt) >= s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) >= s.cfg.AbsoluteTimeout {
			return tx.DeleteSession(ctx, h)
		}
		u, err := tx.UserByID(ctx, sess.UserID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return tx.DeleteSession(ctx, h)
		}
		if now.Sub(sess.LastSeenAt) >= s.cfg.TouchEvery {
			if err := tx.TouchSession(ctx, h, now); err != nil {
				return err
			}
		}
		a, ok = actorOf(u, clientAddr), true
		return nil
	})
	if err != nil {
		return actor.Actor{}, false, fmt.Errorf("resolve session: %w", err)
	}
	return a, ok, nil
}
