package account

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
)

// MsgBadCredentials is the one answer for an unknown account and a wrong password, so that nobody
// can learn which accounts exist. It also says what happens after repeated failures.
const MsgBadCredentials = "账号或密码错误（多次输错后，需等待一段时间才能从同一网络再次尝试）"

// MsgThrottled is the answer when one client network has failed too often.
const MsgThrottled = "尝试次数过多，请 15 分钟后再试"

// MsgCaptcha is the captcha field's error.
const MsgCaptcha = "验证码错误或已过期，请按新图片重新输入"

// MsgOTP is the second-factor field's error.
const MsgOTP = "动态验证码错误或已使用过，请输入验证器应用中当前显示的 6 位数字，或一个未用过的恢复码"

// LoginInput is a login attempt: employers give CreditCode, staff give Username (exactly one).
type LoginInput struct {
	CreditCode string
	Username   string
	Password   string
	CaptchaID  string
	Captcha    string
	ClientAddr string
	UserAgent  string
	OldToken   string // the session cookie sent with the attempt, replaced on success
	// OTP is the second factor given in the same request (the API); TwoStep asks instead for a
	// pending-login token when a second factor is due (the HTML form asks for the code next).
	OTP     string
	TwoStep bool
}

// LoginResult is a successful login: the new session token and who signed in, or, for a two-step
// login whose second factor is due, only PendingToken.
type LoginResult struct {
	Token        string
	Actor        actor.Actor
	PendingToken string
	// FailedAttempts are the failed logins the owner has not been told about yet (the notice after
	// sign-in): when, and from which network.
	FailedAttempts []LoginFailure
}

// Login checks, in this order: the client network's limits, the growing delay of this account from
// this network, the captcha (always when on; also when off for an account under attack), the
// password (outside any transaction, through the hashing gate), and the second factor; on success it
// replaces any previous session with a new one.
//
// Failures are counted per (account, address prefix), never per account alone: failures from one
// network slow down that network only, so nobody can lock an owner out by failing on purpose.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	name, wantEmployer, fields := loginName(in)
	if in.Password == "" {
		fields["password"] = "请输入密码"
	}
	prefix := AddrPrefix(in.ClientAddr)
	attempt := actor.Actor{Name: safeName(name), ClientAddr: in.ClientAddr}
	if wantEmployer && !s.cfg.LocalLogin {
		// Employers sign in through the unified identity platform only (--local-login off).
		err := s.run(ctx, func(tx Tx) error {
			return s.auditFailure(ctx, tx, attempt, "login", "employer password login is off (--local-login off)")
		})
		if err != nil {
			return LoginResult{}, fmt.Errorf("login: %w", err)
		}
		return LoginResult{}, apperr.New(apperr.Forbidden, MsgLocalLoginOff)
	}

	// Phase 0, in memory: a network or account this instance just throttled, or whose hashing bound
	// is reached, is refused without a transaction, so a flood of attempts costs little.
	if err := s.refused.check(s.cfg.Now(), "net:"+prefix, "user:"+name); err != nil {
		return LoginResult{}, err
	}
	if s.hasher.Busy(name, prefix) {
		return LoginResult{}, busy()
	}

	// Phase 1: the limits, the captcha (consumed whatever happens), the account.
	var user User
	var known, attacked bool
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused, known, attacked = nil, false, false
		now := tx.Now()
		if err := s.checkPrefix(ctx, tx, prefix, now); err != nil {
			refused = err
			return s.auditFailure(ctx, tx, attempt, "login", "throttled: "+prefix)
		}
		if len(fields) == 0 {
			u, err := tx.UserByUsername(ctx, name)
			switch {
			case isNotFound(err):
			case err != nil:
				return err
			case (u.Role == actor.Employer) == wantEmployer:
				user, known = u, true
			}
		}
		if known {
			fails, err := tx.LoginFailures(ctx, user.ID)
			if err != nil {
				return err
			}
			attacked = s.underAttack(fails, now)
			if wait := s.delayFor(fails, prefix, now); wait > 0 {
				refused = delayed(wait)
				a := attempt
				a.UserID = user.ID
				return s.auditFailure(ctx, tx, a, "login", fmt.Sprintf("delayed %s: failures from %s", wait.Round(time.Second), prefix))
			}
			n, err := tx.ThrottleCount(ctx, "login-ok:user:"+fmt.Sprint(user.ID), now.Add(-s.cfg.AddrWindow))
			if err != nil {
				return err
			}
			if n >= s.cfg.AccountMaxLogins {
				refused = apperr.Throttledf(msgAccountLogins, s.cfg.AddrWindow)
				return s.auditFailure(ctx, tx, attempt, "login", "successful logins of the account throttled")
			}
		}
		if s.cfg.CaptchaRequired || attacked {
			if strings.TrimSpace(in.Captcha) == "" {
				fields["captcha"] = "请输入验证码"
				if !s.cfg.CaptchaRequired {
					fields["captcha"] = "该账号近期多次登录失败，请输入验证码"
				}
			} else if ok, err := s.takeCaptcha(ctx, tx, in.CaptchaID, in.Captcha); err != nil {
				return err
			} else if !ok {
				fields["captcha"] = MsgCaptcha
			}
		}
		if len(fields) > 0 {
			refused = apperr.FieldErrors(fields)
			if _, err := tx.ThrottleHit(ctx, addrBucket("login", prefix), now, now.Add(-s.cfg.AddrWindow)); err != nil {
				return err
			}
			return s.auditFailure(ctx, tx, attempt, "login", "invalid input: "+fieldNames(fields))
		}
		return nil
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login phase 1: %w", err)
	}
	if refused != nil {
		s.rememberRefusal(refused, prefix, name)
		return LoginResult{}, refused
	}
	if attacked && s.cfg.AttackDelay > 0 {
		// An account failed from many networks: every attempt waits, the owner's included (it
		// still gets in), so a distributed guesser gets few tries an hour.
		if err := sleep(ctx, s.cfg.AttackDelay); err != nil {
			return LoginResult{}, err
		}
	}

	// Phase 2: the password, outside any transaction; unknown accounts cost the same time.
	hash := s.dummy
	if known {
		hash = user.PasswordHash
	}
	match, err := s.hasher.VerifyAs(ctx, name, prefix, hash, in.Password)
	if err != nil {
		return LoginResult{}, fmt.Errorf("verify password of user %d: %w", user.ID, err)
	}
	match = match && known

	// Phase 3: record the outcome; re-read the account, which may have changed meanwhile.
	var res LoginResult
	err = s.run(ctx, func(tx Tx) error {
		refused, res = nil, LoginResult{}
		now := tx.Now()
		a := attempt
		if !known {
			refused = apperr.New(apperr.Unauthorized, MsgBadCredentials)
			return s.recordFailure(ctx, tx, a, 0, prefix, now, "unknown account")
		}
		a.UserID, a.Role = user.ID, user.Role
		u, err := tx.UserByID(ctx, user.ID)
		if err != nil {
			return err
		}
		switch {
		case u.PasswordHash != user.PasswordHash:
			refused = apperr.New(apperr.Unauthorized, MsgBadCredentials)
			return s.recordFailure(ctx, tx, a, 0, prefix, now, "password changed during the attempt")
		case !match:
			refused = apperr.New(apperr.Unauthorized, MsgBadCredentials)
			return s.recordFailure(ctx, tx, a, u.ID, prefix, now, "wrong password")
		case u.Disabled:
			refused = apperr.New(apperr.Forbidden, "该账号已停用，请联系所在地残联")
			return s.auditFailure(ctx, tx, a, "login", "account disabled")
		}
		if u.TOTPEnabled {
			switch {
			case strings.TrimSpace(in.OTP) != "":
				ok, err := s.checkSecondFactor(ctx, tx, u, in.OTP, in.ClientAddr)
				if err != nil {
					return err
				}
				if !ok {
					refused = &apperr.Error{Code: apperr.Unauthorized, Message: MsgOTP, Fields: map[string]string{"otp": MsgOTP}}
					return s.recordFailure(ctx, tx, a, u.ID, prefix, now, "wrong second factor")
				}
			case in.TwoStep:
				tok, err := s.newPendingLogin(ctx, tx, u.ID, in.ClientAddr, BrowserOf(in.UserAgent), 0)
				if err != nil {
					return err
				}
				res.PendingToken = tok
				return nil
			default:
				refused = &apperr.Error{Code: apperr.Unauthorized, Message: "该账号已启用两步验证，请同时提交动态验证码（otp）",
					Fields: map[string]string{"otp": "请输入 6 位动态验证码"}}
				return s.auditFailure(ctx, tx, a, "login", "second factor missing")
			}
		}
		res, err = s.startSession(ctx, tx, u, in.ClientAddr, BrowserOf(in.UserAgent), in.OldToken)
		return err
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login phase 3: %w", err)
	}
	if refused != nil {
		return LoginResult{}, refused
	}
	return res, nil
}

// SecondStep completes a two-step login with the TOTP code (or a recovery code). A wrong code
// counts as a failed login of the network and, while tries remain, returns a new pending token
// together with the error; the old token is spent either way.
func (s *Service) SecondStep(ctx context.Context, pendingToken, code, clientAddr, oldToken string) (LoginResult, error) {
	prefix := AddrPrefix(clientAddr)
	var res LoginResult
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		res, refused = LoginResult{}, nil
		now := tx.Now()
		expired := apperr.New(apperr.Unauthorized, "登录已超时，请重新输入账号和密码")
		if pendingToken == "" || len(pendingToken) > 128 {
			refused = expired
			return nil
		}
		p, err := tx.TakePendingLogin(ctx, TokenHash(pendingToken))
		if isNotFound(err) {
			refused = expired
			return nil
		}
		if err != nil {
			return err
		}
		if !now.Before(p.ExpiresAt) {
			refused = expired
			return nil
		}
		if err := s.checkPrefix(ctx, tx, prefix, now); err != nil {
			refused = err
			return nil
		}
		u, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		a := actorOf(u, clientAddr, s.cfg)
		if u.Disabled || !u.TOTPEnabled {
			refused = expired
			return s.auditFailure(ctx, tx, a, "login", "second step for a disabled account or one without a second factor")
		}
		ok, err := s.checkSecondFactor(ctx, tx, u, code, clientAddr)
		if err != nil {
			return err
		}
		if !ok {
			fe := &apperr.Error{Code: apperr.Unauthorized, Message: MsgOTP, Fields: map[string]string{"otp": MsgOTP}}
			if strings.TrimSpace(code) == "" {
				fe = &apperr.Error{Code: apperr.Invalid, Message: "请输入动态验证码", Fields: map[string]string{"otp": "请输入 6 位动态验证码"}}
			}
			refused = fe
			if p.Attempts+1 < s.cfg.PendingAttempts {
				if res.PendingToken, err = s.newPendingLogin(ctx, tx, u.ID, clientAddr, p.Browser, p.Attempts+1); err != nil {
					return err
				}
			} else {
				refused = apperr.New(apperr.Unauthorized, "动态验证码错误次数过多，请重新输入账号和密码")
			}
			return s.recordFailure(ctx, tx, a, u.ID, prefix, now, "wrong second factor")
		}
		res, err = s.startSession(ctx, tx, u, clientAddr, p.Browser, oldToken)
		return err
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login second step: %w", err)
	}
	return res, refused
}

// startSession is the end of every successful login (password, second step, and later the identity
// platform): it counts the success for the throttles, clears this network's failures, collects the
// failures the owner has not seen, creates the session and ends the oldest beyond MaxSessions.
func (s *Service) startSession(ctx context.Context, tx Tx, u User, clientAddr, browser, oldToken string) (LoginResult, error) {
	now := tx.Now()
	prefix := AddrPrefix(clientAddr)
	for _, b := range []string{"login-ok:user:" + fmt.Sprint(u.ID), "login-ok:" + prefix} {
		if _, err := tx.ThrottleHit(ctx, b, now, now.Add(-s.cfg.AddrWindow)); err != nil {
			return LoginResult{}, err
		}
	}
	fails, err := tx.LoginFailures(ctx, u.ID)
	if err != nil {
		return LoginResult{}, err
	}
	// The owner's own typos (failures from the network that now succeeds) are no news.
	var unseen []LoginFailure
	for _, f := range fails {
		if f.Unseen > 0 && f.Prefix != prefix {
			unseen = append(unseen, f)
		}
	}
	if err := tx.ClearLoginFailures(ctx, u.ID, prefix); err != nil {
		return LoginResult{}, err
	}
	if oldToken != "" {
		if err := tx.DeleteSession(ctx, TokenHash(oldToken)); err != nil {
			return LoginResult{}, err
		}
	}
	existing, err := tx.ListSessions(ctx, u.ID)
	if err != nil {
		return LoginResult{}, err
	}
	ended := 0
	for i := 0; s.cfg.MaxSessions > 0 && len(existing)-i >= s.cfg.MaxSessions; i++ {
		if err := tx.DeleteSession(ctx, existing[i].TokenHash); err != nil {
			return LoginResult{}, err
		}
		ended++
	}
	token := randomToken()
	if err := tx.InsertSession(ctx, Session{TokenHash: TokenHash(token), UserID: u.ID, CreatedAt: now,
		LastSeenAt: now, ClientAddr: clientAddr, Browser: browser}); err != nil {
		return LoginResult{}, err
	}
	a := actorOf(u, clientAddr, s.cfg)
	e := audit.For(a, "login", "user", fmt.Sprint(u.ID))
	e.Detail = "from " + prefix
	if ended > 0 {
		e.Detail += fmt.Sprintf("; ended %d oldest session(s) beyond the limit of %d", ended, s.cfg.MaxSessions)
	}
	if err := tx.AppendAudit(ctx, e); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Actor: a, FailedAttempts: unseen}, nil
}

// rememberRefusal keeps a throttle refusal in memory for its Retry-After: the network's when the
// network was refused, the account's when the account was (the delay of one network on one account
// is left to the database: it must not refuse the owner from elsewhere).
func (s *Service) rememberRefusal(err error, prefix, name string) {
	switch apperr.As(err).Message {
	case MsgThrottled, msgNetworkLogins:
		s.refused.remember(s.cfg.Now(), "net:"+prefix, err)
	case msgAccountLogins:
		s.refused.remember(s.cfg.Now(), "user:"+name, err)
	}
}

// The messages of the success throttles.
const (
	msgAccountLogins = "该账号登录过于频繁，请 15 分钟后再试"
	msgNetworkLogins = "您所在网络的登录过于频繁，请 15 分钟后再试"
)

// checkPrefix refuses a client network that failed too often in the window.
func (s *Service) checkPrefix(ctx context.Context, tx Tx, prefix string, now time.Time) error {
	n, err := tx.ThrottleCount(ctx, addrBucket("login", prefix), now.Add(-s.cfg.AddrWindow))
	if err != nil {
		return err
	}
	if n >= s.cfg.AddrMaxFailures {
		return apperr.Throttledf(MsgThrottled, s.cfg.AddrWindow)
	}
	m, err := tx.ThrottleCount(ctx, "login-ok:"+prefix, now.Add(-s.cfg.AddrWindow))
	if err != nil {
		return err
	}
	if m >= s.cfg.AddrMaxLogins {
		return apperr.Throttledf(msgNetworkLogins, s.cfg.AddrWindow)
	}
	return nil
}

// recordFailure counts a failed login for the network and, for a known account, for the pair
// (account, network), and audits it.
func (s *Service) recordFailure(ctx context.Context, tx Tx, a actor.Actor, userID int64, prefix string, now time.Time, why string) error {
	if _, err := tx.ThrottleHit(ctx, addrBucket("login", prefix), now, now.Add(-s.cfg.AddrWindow)); err != nil {
		return err
	}
	if userID != 0 {
		f, err := tx.RecordLoginFailure(ctx, userID, prefix, now.Add(-s.cfg.FailureWindow))
		if err != nil {
			return err
		}
		why += fmt.Sprintf("; %d failure(s) from %s", f.Failures, prefix)
		if d := s.delayAfter(f.Failures); d > 0 {
			why += "; next try from there in " + d.String()
		}
	}
	return s.auditFailure(ctx, tx, a, "login", why)
}

// delayAfter is the growing delay after n failures of one account from one network: none for the
// first FreeFailures, then BaseDelay doubling up to MaxDelay.
func (s *Service) delayAfter(n int) time.Duration {
	if n < s.cfg.FreeFailures || s.cfg.BaseDelay <= 0 {
		return 0
	}
	d := s.cfg.BaseDelay
	for i := s.cfg.FreeFailures; i < n && d < s.cfg.MaxDelay; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxDelay)
}

// delayFor is how long this network must still wait before its next try on the account.
func (s *Service) delayFor(fails []LoginFailure, prefix string, now time.Time) time.Duration {
	for _, f := range fails {
		if f.Prefix != prefix || f.LastAt.Before(now.Add(-s.cfg.FailureWindow)) {
			continue
		}
		if wait := f.LastAt.Add(s.delayAfter(f.Failures)).Sub(now); wait > 0 {
			return wait
		}
	}
	return 0
}

// underAttack reports whether the account failed often from several networks lately: then every
// login needs the captcha and waits AttackDelay.
func (s *Service) underAttack(fails []LoginFailure, now time.Time) bool {
	total, prefixes := 0, 0
	for _, f := range fails {
		if f.LastAt.After(now.Add(-s.cfg.AttackWindow)) {
			total += f.Failures
			prefixes++
		}
	}
	return total >= s.cfg.AttackFailures && prefixes >= s.cfg.AttackPrefixes
}

func delayed(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return apperr.Throttledf(fmt.Sprintf("该账号从您所在网络登录失败次数较多，请 %d 秒后再试", secs), time.Duration(secs)*time.Second)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

func addrBucket(kind, prefix string) string { return kind + ":" + prefix }

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

// actorOf is the actor of a signed-in user. Staff who must have a second factor and have none yet
// may only enrol (MustEnrolTOTP).
func actorOf(u User, clientAddr string, cfg Config) actor.Actor {
	return actor.Actor{UserID: u.ID, Name: u.Username, Role: u.Role, EmployerID: u.EmployerID, Unit: u.EmployerName, Office: u.Office,
		ClientAddr: clientAddr, MustChangePassword: u.MustChangePassword,
		MustEnrolTOTP: cfg.StaffMFARequired && u.Role != actor.Employer && !u.TOTPEnabled}
}

// NewCaptcha issues a challenge and returns its id and PNG image as a data URL. Issuing is limited
// per client network so the table cannot be flooded; expired challenges are swept on the way.
func (s *Service) NewCaptcha(ctx context.Context, clientAddr string) (id, image string, err error) {
	digits := randomDigits(CaptchaDigits)
	id = randomToken()[:32]
	image, err = renderCaptcha(id, digits)
	if err != nil {
		return "", "", err
	}
	var refused error
	err = s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		n, err := tx.ThrottleHit(ctx, addrBucket("captcha", AddrPrefix(clientAddr)), now, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n > s.cfg.AddrMaxCaptchas {
			refused = apperr.Throttledf(MsgThrottled, s.cfg.AddrWindow)
			return nil
		}
		if err := tx.DeleteExpiredCaptchas(ctx, now); err != nil {
			return err
		}
		return tx.InsertCaptcha(ctx, Captcha{ID: id, AnswerHash: captchaAnswerHash(id, digits), Digits: digits, ExpiresAt: now.Add(s.cfg.CaptchaTTL)})
	})
	if err != nil {
		return "", "", fmt.Errorf("new captcha: %w", err)
	}
	if refused != nil {
		return "", "", refused
	}
	return id, image, nil
}

// CaptchaAudio speaks the digits of a live challenge in Chinese (a WAV file), for people who cannot
// read the image. It does not consume the challenge; it is limited per network like issuing.
func (s *Service) CaptchaAudio(ctx context.Context, id, clientAddr string) ([]byte, error) {
	if id == "" || len(id) > 64 {
		return nil, apperr.NotFoundf("验证码")
	}
	var c Captcha
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		n, err := tx.ThrottleHit(ctx, addrBucket("captcha", AddrPrefix(clientAddr)), now, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n > s.cfg.AddrMaxCaptchas {
			refused = apperr.Throttledf(MsgThrottled, s.cfg.AddrWindow)
			return nil
		}
		c, err = tx.CaptchaByID(ctx, id)
		if err != nil {
			return err
		}
		if !now.Before(c.ExpiresAt) || c.Digits == "" {
			refused = apperr.NotFoundf("验证码")
		}
		return nil
	})
	if err != nil {
		if isNotFound(err) {
			return nil, apperr.NotFoundf("验证码")
		}
		return nil, fmt.Errorf("captcha audio: %w", err)
	}
	if refused != nil {
		return nil, refused
	}
	return speakCaptcha(c.ID, c.Digits)
}

// CaptchaAnswerForTest returns a fresh challenge with its answer; only tests (and automated clients of
// a test deployment) can use it, since the answer never leaves the process otherwise.
func (s *Service) CaptchaAnswerForTest(ctx context.Context, clientAddr string) (id, answer string, err error) {
	answer = randomDigits(CaptchaDigits)
	id = randomToken()[:32]
	err = s.run(ctx, func(tx Tx) error {
		return tx.InsertCaptcha(ctx, Captcha{ID: id, AnswerHash: captchaAnswerHash(id, answer), Digits: answer, ExpiresAt: tx.Now().Add(s.cfg.CaptchaTTL)})
	})
	return id, answer, err
}

// Logout deletes the session of token (if any). It is idempotent: logging out twice is not an error.
func (s *Service) Logout(ctx context.Context, a actor.Actor, token string) error {
	if token == "" {
		return nil
	}
	return s.run(ctx, func(tx Tx) error {
		sess, _, err := tx.SessionByHash(ctx, TokenHash(token))
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
	// Almost every request only reads: a read-only transaction that takes no write lock. Ending an
	// expired session or refreshing last-seen (once per TouchEvery) is a second, short write.
	const (
		keep = iota
		end
		touch
	)
	var a actor.Actor
	var ok bool
	var then int
	var at time.Time
	h := TokenHash(token)
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		ok, then = false, keep
		now := tx.Now()
		sess, u, err := tx.SessionByHash(ctx, h)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if now.Sub(sess.LastSeenAt) >= s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) >= s.cfg.AbsoluteTimeout {
			then = end
			return nil
		}
		if u.Disabled {
			then = end
			return nil
		}
		if now.Sub(sess.LastSeenAt) >= s.cfg.TouchEvery {
			then, at = touch, now
		}
		a, ok = actorOf(u, clientAddr, s.cfg), true
		a.Session = h
		return nil
	})
	if err == nil && then != keep {
		err = s.run(ctx, func(tx Tx) error {
			if then == end {
				return tx.DeleteSession(ctx, h)
			}
			return tx.TouchSession(ctx, h, at)
		})
	}
	if err != nil {
		return actor.Actor{}, false, fmt.Errorf("resolve session: %w", err)
	}
	return a, ok, nil
}
