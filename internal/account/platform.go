package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/idnum"
)

// PlatformKind is who the unified identity platform (统一身份认证平台) says signed in.
type PlatformKind string

// The kinds the platform sign-in accepts; a natural person (个人) is refused before it gets here.
const (
	PlatformEmployer PlatformKind = "employer" // a legal person (法人): the employer of its credit code
	PlatformStaff    PlatformKind = "staff"    // a platform user named as an existing staff account
)

// PlatformIdentity is what a verified platform sign-in proves (the web layer maps it from
// oidc.Identity). Issuer and Subject name the platform account for good; the rest are claims.
type PlatformIdentity struct {
	Issuer, Subject string
	Kind            PlatformKind
	CreditCode      string // employers: checked again here, check character included
	OrgName         string
	OperatorName    string
	OperatorPhone   string
	StaffUsername   string // staff: the user name of the existing staff account
}

// PlatformLoginInput is a completed platform sign-in to turn into a local session.
type PlatformLoginInput struct {
	Identity   PlatformIdentity
	ClientAddr string
	UserAgent  string
	OldToken   string // the session cookie sent with the callback, replaced on success
}

// PlatformLoginResult is the session (or, for staff with a second factor, the pending second step)
// and what happened to the local account.
type PlatformLoginResult struct {
	LoginResult
	Created bool // the employer was created by this first sign-in
	Linked  bool // an existing local account was linked to the platform account now
}

// The messages of platform sign-in refusals and of the local paths the platform replaces.
const (
	MsgLocalRegisterOff = "本系统已接入统一身份认证平台，用人单位无需在本系统注册：请在登录页点击“我要申报”，通过统一身份认证平台以“法人登录”方式登录"
	MsgLocalLoginOff    = "用人单位请在登录页点击“我要申报”，通过统一身份认证平台登录；本系统不再使用单位自己的密码登录"
	MsgPlatformKnown    = "该统一社会信用代码的单位已通过统一身份认证平台登录本系统，不能再注册：请点击“我要申报”登录"
	msgPlatformMismatch = "统一身份认证平台提供的统一社会信用代码与本系统中关联的账号不一致，未能登录。请联系所在地残联并提供请求编号"
	msgPlatformName     = "统一身份认证平台提供的单位名称不符合要求（应为 2 到 100 个字，不含特殊字符），未能登录。请联系统一身份认证平台核实单位信息"
	msgPlatformNoStaff  = "统一身份认证平台的工作人员账号在本系统中没有对应的账号，未能登录。请联系系统管理员开通工作人员账号"
	msgPlatformDisabled = "该账号已停用，请联系所在地残联"
)

// PlatformEnabled reports whether a unified identity platform is configured.
func (s *Service) PlatformEnabled() bool { return s.cfg.Platform }

// LocalRegisterEnabled reports whether employers may register with a password here.
func (s *Service) LocalRegisterEnabled() bool { return s.cfg.LocalRegister }

// LocalLoginEnabled reports whether employers may sign in with their own password here.
func (s *Service) LocalLoginEnabled() bool { return s.cfg.LocalLogin }

// StartPlatform admits the start of a platform sign-in from a client network: each start stores a
// pending sign-in, so a flood from one network is refused like a flood of logins.
func (s *Service) StartPlatform(ctx context.Context, clientAddr string) error {
	prefix := AddrPrefix(clientAddr)
	var refused error
	err := s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		n, err := tx.ThrottleHit(ctx, addrBucket("platform-start", prefix), now, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n > s.cfg.AddrMaxLogins {
			refused = apperr.Throttledf(MsgThrottled, s.cfg.AddrWindow)
			if n == s.cfg.AddrMaxLogins+1 { // the first refusal of the window is audited, not the flood
				return s.auditFailure(ctx, tx, actor.Actor{ClientAddr: clientAddr}, "login.platform", "starts throttled: "+prefix)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("start platform sign-in: %w", err)
	}
	return refused
}

// RefusePlatform audits a platform sign-in that did not complete (a natural person, a forged or
// replayed callback, the platform's error): who, as far as known, and why.
func (s *Service) RefusePlatform(ctx context.Context, subject, clientAddr, why string) error {
	return s.run(ctx, func(tx Tx) error {
		a := actor.Actor{Name: safeName(subject), ClientAddr: clientAddr}
		return s.auditFailure(ctx, tx, a, "login.platform", why)
	})
}

// PlatformLogin signs in the account of a verified platform identity. The platform account is found
// by its link (issuer, subject). Without one: a legal person's employer with the same credit code is
// linked (audited; its other sessions end, so whoever registered the code locally loses the
// sessions he had), or the employer is created; a staff identity is linked to the existing staff
// account of its user name, never created. Staff with a second factor still give it (TwoStep).
func (s *Service) PlatformLogin(ctx context.Context, in PlatformLoginInput) (PlatformLoginResult, error) {
	id := in.Identity
	if id.Issuer == "" || id.Subject == "" {
		return PlatformLoginResult{}, errors.New("platform login without issuer or subject")
	}
	if id.Kind == PlatformEmployer {
		code, err := idnum.ParseCreditCode(id.CreditCode)
		if err != nil {
			return PlatformLoginResult{}, s.refusePlatform(ctx, in, apperr.New(apperr.Invalid, err.Error()), "credit code: "+err.Error())
		}
		id.CreditCode = code
		in.Identity = id
	} else if id.Kind != PlatformStaff {
		return PlatformLoginResult{}, fmt.Errorf("platform login of kind %q", id.Kind)
	}
	// The first try finds or links the account; when the employer must be created its password hash
	// (of a random secret nobody knows: the account signs in through the platform) is made outside
	// the transaction, and the second try creates it. A concurrent first sign-in of the same
	// employer makes the creation fail as a duplicate: the third try then finds it.
	var hash string
	for try := 0; try < 3; try++ {
		res, needHash, err := s.platformLogin(ctx, in, hash)
		if err == nil && needHash {
			if hash, err = s.hasher.HashAs(ctx, id.CreditCode, AddrPrefix(in.ClientAddr), randomToken()); err != nil {
				return PlatformLoginResult{}, err
			}
			continue
		}
		if err != nil && s.isUnique(err) && try < 2 {
			hash = ""
			continue
		}
		return res, err
	}
	return PlatformLoginResult{}, errors.New("platform login: the account changed under three tries")
}

func (s *Service) refusePlatform(ctx context.Context, in PlatformLoginInput, refusal error, why string) error {
	if err := s.RefusePlatform(ctx, platformName(in.Identity), in.ClientAddr, why); err != nil {
		return err
	}
	return refusal
}

// platformName is the name platform sign-ins are audited under: the credit code or staff name, else
// the platform subject.
func platformName(id PlatformIdentity) string {
	switch {
	case id.Kind == PlatformEmployer && id.CreditCode != "":
		return id.CreditCode
	case id.Kind == PlatformStaff && id.StaffUsername != "":
		return normUsername(id.StaffUsername)
	}
	return "platform:" + id.Subject
}

// platformLogin is one try: needHash asks the caller for a password hash to create the employer.
func (s *Service) platformLogin(ctx context.Context, in PlatformLoginInput, hash string) (res PlatformLoginResult, needHash bool, err error) {
	id := in.Identity
	prefix := AddrPrefix(in.ClientAddr)
	var refused error
	err = s.run(ctx, func(tx Tx) error {
		res, needHash, refused = PlatformLoginResult{}, false, nil
		now := tx.Now()
		attempt := actor.Actor{Name: safeName(platformName(id)), ClientAddr: in.ClientAddr}
		refuse := func(e error, why string) error {
			refused = e
			return s.auditFailure(ctx, tx, attempt, "login.platform", why)
		}
		if err := s.checkPrefix(ctx, tx, prefix, now); err != nil {
			return refuse(err, "throttled: "+prefix)
		}
		var u User
		uid, err := tx.PlatformLink(ctx, id.Issuer, id.Subject)
		switch {
		case err == nil:
			if u, err = tx.UserByID(ctx, uid); err != nil {
				return err
			}
			attempt.UserID = u.ID
			if id.Kind == PlatformEmployer && (u.Role != actor.Employer || u.Username != id.CreditCode) {
				return refuse(apperr.New(apperr.Conflict, msgPlatformMismatch),
					fmt.Sprintf("platform subject %s is linked to %s but claims %s", safeName(id.Subject), u.Username, id.CreditCode))
			}
			if id.Kind == PlatformStaff && u.Role == actor.Employer {
				return refuse(apperr.New(apperr.Conflict, msgPlatformMismatch), "platform staff subject linked to an employer account")
			}
		case !isNotFound(err):
			return err
		case id.Kind == PlatformStaff:
			u, err = tx.UserByUsername(ctx, normUsername(id.StaffUsername))
			if isNotFound(err) || (err == nil && u.Role == actor.Employer) {
				return refuse(apperr.New(apperr.Forbidden, msgPlatformNoStaff), "no staff account "+safeName(normUsername(id.StaffUsername)))
			}
			if err != nil {
				return err
			}
			attempt.UserID = u.ID
			if u.Disabled {
				return refuse(apperr.New(apperr.Forbidden, msgPlatformDisabled), "account disabled")
			}
			if err := s.link(ctx, tx, u, id, in.ClientAddr); err != nil {
				return err
			}
			res.Linked = true
		default:
			u, err = tx.UserByUsername(ctx, id.CreditCode)
			switch {
			case err == nil:
				attempt.UserID = u.ID
				if u.Disabled {
					return refuse(apperr.New(apperr.Forbidden, msgPlatformDisabled), "account disabled")
				}
				if err := s.link(ctx, tx, u, id, in.ClientAddr); err != nil {
					return err
				}
				res.Linked = true
			case !isNotFound(err):
				return err
			default:
				e, why := platformEmployer(id)
				if why != "" {
					return refuse(apperr.New(apperr.Invalid, msgPlatformName), why)
				}
				if hash == "" {
					needHash = true
					return nil
				}
				if u, err = s.createPlatformEmployer(ctx, tx, e, hash, id, in.ClientAddr); err != nil {
					return err
				}
				res.Created = true
			}
		}
		if u.Disabled {
			return refuse(apperr.New(apperr.Forbidden, msgPlatformDisabled), "account disabled")
		}
		if u.TOTPEnabled {
			// The platform proved the password; the second factor of this account is still due.
			tok, err := s.newPendingLogin(ctx, tx, u.ID, in.ClientAddr, BrowserOf(in.UserAgent), 0)
			if err != nil {
				return err
			}
			res.PendingToken = tok
			return nil
		}
		lr, err := s.startSession(ctx, tx, u, in.ClientAddr, BrowserOf(in.UserAgent), in.OldToken)
		if err != nil {
			return err
		}
		res.LoginResult = lr
		e := audit.For(lr.Actor, "login.platform", "user", fmt.Sprint(u.ID))
		e.Detail = "through the unified identity platform " + safeName(id.Issuer)
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		return PlatformLoginResult{}, false, fmt.Errorf("platform login: %w", err)
	}
	if refused != nil {
		return PlatformLoginResult{}, false, refused
	}
	return res, needHash, nil
}

// link records that the platform account signs in as u, and ends u's other sessions: from now on
// the platform vouches for this account, and a session opened by whoever registered the code here
// before must not outlive that.
func (s *Service) link(ctx context.Context, tx Tx, u User, id PlatformIdentity, clientAddr string) error {
	if err := tx.InsertPlatformLink(ctx, id.Issuer, id.Subject, u.ID); err != nil {
		return err
	}
	if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	e := audit.For(actorOf(u, clientAddr, s.cfg), "platform.link", "user", fmt.Sprint(u.ID))
	e.EmployerID = u.EmployerID
	e.Detail = fmt.Sprintf("linked to platform account %s of %s; the account's other sessions ended", safeName(id.Subject), safeName(id.Issuer))
	return tx.AppendAudit(ctx, e)
}

// platformEmployer is the employers row of a first sign-in, from the claims: the name must pass the
// registration's rules (why says what failed); an operator name or phone the profile would not
// accept is left out, for the employer to fill in on 单位信息维护管理.
func platformEmployer(id PlatformIdentity) (NewEmployer, string) {
	e := NewEmployer{CreditCode: id.CreditCode, Name: strings.TrimSpace(id.OrgName)}
	fields := map[string]string{}
	checkText(fields, "name", e.Name, "单位名称", 2, 100)
	if len(fields) > 0 {
		return e, fmt.Sprintf("organisation name claim unusable (%d characters)", utf8.RuneCountInString(e.Name))
	}
	if name := strings.TrimSpace(id.OperatorName); name != "" {
		checkText(fields, "contactName", name, "经办人姓名", 2, 30)
		if len(fields) == 0 {
			e.ContactName = name
		}
	}
	if phone := strings.TrimSpace(id.OperatorPhone); employer.ValidPhone(phone) {
		e.ContactPhone = phone
	}
	return e, ""
}

func (s *Service) createPlatformEmployer(ctx context.Context, tx Tx, e NewEmployer, hash string, id PlatformIdentity, clientAddr string) (User, error) {
	eid, err := tx.InsertEmployer(ctx, e)
	if err != nil {
		return User{}, err
	}
	uid, err := tx.InsertUser(ctx, User{Username: e.CreditCode, Role: actor.Employer, EmployerID: eid, PasswordHash: hash, CreatedAt: tx.Now()})
	if err != nil {
		return User{}, err
	}
	if err := tx.InsertPlatformLink(ctx, id.Issuer, id.Subject, uid); err != nil {
		return User{}, err
	}
	u, err := tx.UserByID(ctx, uid)
	if err != nil {
		return User{}, err
	}
	ev := audit.For(actorOf(u, clientAddr, s.cfg), "register", "employer", fmt.Sprint(eid))
	ev.EmployerID = eid
	ev.Detail = safeName(e.Name) + "; first sign-in through the unified identity platform as " + safeName(id.Subject)
	return u, tx.AppendAudit(ctx, ev)
}
