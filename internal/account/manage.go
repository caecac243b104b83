package account

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/scope"
)

// ChangePassword replaces the actor's password after checking the current one. All the user's
// sessions are ended and a new one is returned, so a stolen session dies with the old password.
func (s *Service) ChangePassword(ctx context.Context, a actor.Actor, current, next, next2 string) (token string, err error) {
	if a.UserID == 0 {
		return "", apperr.New(apperr.Unauthorized, "请先登录")
	}
	fields := map[string]string{}
	if current == "" {
		fields["current"] = "请输入当前密码"
	}
	if why := s.policy.Check(next, a.Name); next == "" {
		fields["password"] = "请输入新密码"
	} else if why != "" {
		fields["password"] = why
	} else if next == current {
		fields["password"] = "新密码不能与当前密码相同"
	} else if next2 != next {
		fields["password2"] = "两次输入的新密码不一致"
	}
	if len(fields) > 0 {
		return "", apperr.FieldErrors(fields)
	}
	// The current-password check is a password guess like a login: at most PasswordChecks wrong
	// ones per account and window, so a stolen session cannot find the password by trying.
	bucket := fmt.Sprintf("password-check:%d", a.UserID)
	var u User
	var browser string
	var refused error
	if err := s.run(ctx, func(tx Tx) error {
		refused = nil
		now := tx.Now()
		n, err := tx.ThrottleCount(ctx, bucket, now.Add(-s.cfg.AddrWindow))
		if err != nil {
			return err
		}
		if n >= s.cfg.PasswordChecks {
			refused = apperr.Throttledf("当前密码输错次数过多，请 15 分钟后再试", s.cfg.AddrWindow)
			e := audit.For(a, "password.change", "user", fmt.Sprint(a.UserID))
			e.Outcome, e.Detail = audit.Failure, "throttled: too many wrong current passwords"
			return tx.AppendAudit(ctx, e)
		}
		if u, err = tx.UserByID(ctx, a.UserID); err != nil {
			return err
		}
		if sess, _, err := tx.SessionByHash(ctx, a.Session); err == nil {
			browser = sess.Browser
		}
		return nil
	}); err != nil {
		return "", fmt.Errorf("change password: load user %d: %w", a.UserID, err)
	}
	if refused != nil {
		return "", refused
	}
	prefix := AddrPrefix(a.ClientAddr)
	ok, err := s.hasher.VerifyAs(ctx, u.Username, prefix, u.PasswordHash, current)
	if err != nil {
		return "", fmt.Errorf("change password: verify user %d: %w", a.UserID, err)
	}
	var hash string
	if ok {
		if hash, err = s.hasher.HashAs(ctx, u.Username, prefix, next); err != nil {
			return "", err
		}
	}
	err = s.run(ctx, func(tx Tx) error {
		refused = nil
		if !ok {
			refused = apperr.FieldErrors(map[string]string{"current": "当前密码不正确"})
			now := tx.Now()
			if _, err := tx.ThrottleHit(ctx, bucket, now, now.Add(-s.cfg.AddrWindow)); err != nil {
				return err
			}
			e := audit.For(a, "password.change", "user", fmt.Sprint(a.UserID))
			e.Outcome, e.Detail = audit.Failure, "wrong current password"
			return tx.AppendAudit(ctx, e)
		}
		if err := tx.SetPassword(ctx, a.UserID, hash, false); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, a.UserID); err != nil {
			return err
		}
		now := tx.Now()
		token = randomToken()
		if err := tx.InsertSession(ctx, Session{TokenHash: TokenHash(token), UserID: a.UserID, CreatedAt: now, LastSeenAt: now,
			ClientAddr: a.ClientAddr, Browser: browser}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "password.change", "user", fmt.Sprint(a.UserID)))
	})
	if err != nil {
		return "", fmt.Errorf("change password of user %d: %w", a.UserID, err)
	}
	return token, refused
}

// usernamePattern is a staff user name: lower-case letters, digits, dot, hyphen, underscore.
var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// StaffInput creates a federation staff account.
type StaffInput struct {
	Username string
	Password string
	Role     actor.Role
	Office   string // federation office code
	// TOTPSecret (base32) enrols the second factor at creation, for provisioning and automation.
	TOTPSecret string
}

// CreateStaff creates a reviewer or admin scoped to an office subtree. The command line acts as the
// system actor; an admin creates reviewers of its own subtree and admins of the offices below its
// own (package scope: the level above manages an office's admins). A refusal is audited.
func (s *Service) CreateStaff(ctx context.Context, a actor.Actor, in StaffInput) (int64, error) {
	if err := requireAdminOrSystem(a); err != nil {
		return 0, err
	}
	in.Username = normUsername(in.Username)
	in.Office = strings.TrimSpace(in.Office)
	fields := map[string]string{}
	if !usernamePattern.MatchString(in.Username) {
		fields["username"] = "用户名为 3–32 位小写字母、数字、点、连字符或下划线，以字母开头"
	}
	if _, err := idnum.ParseCreditCode(strings.ToUpper(in.Username)); err == nil {
		fields["username"] = "用户名不能是统一社会信用代码"
	}
	if in.Role != actor.Reviewer && in.Role != actor.Admin {
		fields["role"] = "角色应为审核人员（reviewer）或管理员（admin）"
	}
	if why := s.policy.Check(in.Password, in.Username); why != "" {
		fields["password"] = why
	}
	if in.Office == "" {
		fields["office"] = "请选择所属残联"
	}
	secret := ""
	if in.TOTPSecret != "" {
		if secret = normSecret(in.TOTPSecret); secret == "" {
			fields["totpSecret"] = "两步验证密钥应为 Base32 编码，至少 16 个字符（80 位）"
		}
	}
	if len(fields) > 0 {
		return 0, apperr.FieldErrors(fields)
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		if path, err := tx.OfficePath(ctx, in.Office); err != nil {
			return err
		} else if len(path) == 0 {
			return apperr.FieldErrors(map[string]string{"office": "残联机构代码 " + in.Office + " 不存在"})
		}
		if ok, err := staffManaged(ctx, tx, sc, in.Role, in.Office); err != nil {
			return err
		} else if !ok {
			msg := "只能为本级及下级残联创建审核人员账号"
			if in.Role == actor.Admin {
				msg = "只能为下级残联创建管理员账号；本级残联的管理员账号由上级残联的管理员创建"
			}
			return &apperr.Error{Code: apperr.Forbidden, Message: msg, Fields: map[string]string{"office": msg}}
		}
		if _, err := tx.UserByUsername(ctx, in.Username); err == nil {
			return apperr.FieldErrors(map[string]string{"username": "用户名已存在"})
		} else if !isNotFound(err) {
			return err
		}
		id, err = tx.InsertUser(ctx, User{Username: in.Username, Role: in.Role, Office: in.Office, PasswordHash: hash, CreatedAt: tx.Now()})
		if err != nil {
			return err
		}
		e := audit.For(a, "staff.create", "user", fmt.Sprint(id))
		e.Office = in.Office
		e.Detail = fmt.Sprintf("username=%s role=%s office=%s", in.Username, in.Role, in.Office)
		if secret != "" {
			if err := tx.SetTOTP(ctx, id, s.sealSecret(secret), true); err != nil {
				return err
			}
			e.Detail += " totp=enrolled"
		}
		return tx.AppendAudit(ctx, e)
	})
	if err = scope.Audited(ctx, s.run, a, "staff.create", "user", "", err); err != nil {
		if s.isUnique(err) {
			return 0, apperr.FieldErrors(map[string]string{"username": "用户名已存在"})
		}
		return 0, fmt.Errorf("create staff %s: %w", in.Username, err)
	}
	return id, nil
}

func requireAdminOrSystem(a actor.Actor) error {
	if a.Role == actor.Admin || scope.IsSystem(a) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有系统管理员可以管理账号")
}

// staffManaged is the staff half of the account rule: reviewers of the subtree, admins of the
// offices strictly below the admin's own (every office for root admins and the command line).
func staffManaged(ctx context.Context, tx Tx, sc scope.Admin, role actor.Role, office string) (bool, error) {
	if role == actor.Admin {
		return sc.Below(ctx, tx, office)
	}
	return sc.Covers(ctx, tx, office)
}

// ResetPassword sets a temporary password chosen by an admin and forces the user to change it at the
// next login; the user's sessions end and any lock is lifted.
func (s *Service) ResetPassword(ctx context.Context, a actor.Actor, userID int64, temp string) error {
	if err := requireAdminOrSystem(a); err != nil {
		return err
	}
	var target User
	if err := s.run(ctx, func(tx Tx) error {
		var err error
		target, err = s.managedUser(ctx, tx, a, userID)
		return err
	}); err != nil {
		return scope.Audited(ctx, s.run, a, "password.reset", "user", fmt.Sprint(userID), err)
	}
	if why := s.policy.Check(temp, target.Username, target.EmployerName); why != "" {
		return apperr.FieldErrors(map[string]string{"password": why})
	}
	hash, err := s.hasher.Hash(ctx, temp)
	if err != nil {
		return err
	}
	err = s.run(ctx, func(tx Tx) error {
		u, err := s.managedUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, userID, hash, true); err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, userID, ""); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, userID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, userEntry(a, "password.reset", u))
	})
	return scope.Audited(ctx, s.run, a, "password.reset", "user", fmt.Sprint(userID), err)
}

// userEntry is the audit entry of an admin's action on an account, in the account's jurisdiction.
func userEntry(a actor.Actor, action string, u User) audit.Entry {
	e := audit.For(a, action, "user", fmt.Sprint(u.ID))
	e.EmployerID, e.Office = u.EmployerID, u.Office
	return e
}

// SetDisabled disables or re-enables an account; disabling ends its sessions. No admin acts on its
// own account (the last admin could lock everyone out).
func (s *Service) SetDisabled(ctx context.Context, a actor.Actor, userID int64, disabled bool) error {
	if err := requireAdminOrSystem(a); err != nil {
		return err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	err := s.run(ctx, func(tx Tx) error {
		u, err := s.managedUser(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if err := tx.SetDisabled(ctx, userID, disabled); err != nil {
			return err
		}
		if disabled {
			if err := tx.DeleteUserSessions(ctx, userID); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, userEntry(a, action, u))
	})
	return scope.Audited(ctx, s.run, a, action, "user", fmt.Sprint(userID), err)
}

// managedUser loads a user the admin may manage (package scope): never its own account; staff of
// its subtree, admins only of the offices below its own; employers whose federation office lies in
// the subtree. Others are reported as not found.
func (s *Service) managedUser(ctx context.Context, tx Tx, a actor.Actor, userID int64) (User, error) {
	sc, err := scope.Resolve(ctx, tx, a)
	if err != nil {
		return User{}, err
	}
	u, err := tx.UserByID(ctx, userID)
	if isNotFound(err) {
		return User{}, apperr.NotFoundf("账号")
	}
	if err != nil {
		return User{}, err
	}
	if u.ID == a.UserID {
		return User{}, apperr.New(apperr.Forbidden, "不能在账号管理中操作自己的账号；修改自己的密码请使用“修改密码”")
	}
	ok, err := managed(ctx, tx, sc, u)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, apperr.NotFoundf("账号")
	}
	return u, nil
}

// managed reports whether u lies in the admin's jurisdiction (its own account aside).
func managed(ctx context.Context, tx Tx, sc scope.Admin, u User) (bool, error) {
	if u.Role != actor.Employer {
		return staffManaged(ctx, tx, sc, u.Role, u.Office)
	}
	office, err := tx.EmployerOffice(ctx, u.EmployerID)
	if err != nil {
		return false, err
	}
	return sc.Covers(ctx, tx, office)
}

// ListUsers lists the accounts the admin may manage (at most 100): the store selects the subtree's
// accounts, and the admin's own account and its peers are left out.
func (s *Service) ListUsers(ctx context.Context, a actor.Actor, query string) ([]User, error) {
	if err := requireAdminOrSystem(a); err != nil {
		return nil, err
	}
	var out []User
	err := s.run(ctx, func(tx Tx) error {
		out = nil
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		f := UserFilter{Query: strings.TrimSpace(query), Limit: 150}
		if !sc.Province() {
			f.Within = sc.Office.Code
		}
		all, err := tx.ListUsers(ctx, f)
		if err != nil {
			return err
		}
		for _, u := range all {
			if u.ID == a.UserID || (u.Role == actor.Admin && !sc.Province() && u.Office == sc.Office.Code) {
				continue // the own account and the peers: not this admin's to manage
			}
			out = append(out, u)
			if len(out) == 100 {
				break
			}
		}
		return nil
	})
	return out, err
}

// AuditPage is one page of audit search results.
type AuditPage struct {
	Items []audit.Entry
	Total int
	Page  int // 1-based
	Pages int
	// Office names the office whose subtree the page covers; '' when it covers every entry.
	Office string
}

// AuditPageSize is the number of entries per page.
const AuditPageSize = 50

// SearchAudit searches the audit log (admins only). page is 1-based. An admin below the root sees
// the entries of its subtree: those whose actor was, at the time, an account of the subtree (a
// staff account of one of its offices, or an employer whose federation office was in it) and
// those whose object lay in it (an employer's object, or a staff account, office or notice of the
// subtree). Root admins see every entry.
func (s *Service) SearchAudit(ctx context.Context, a actor.Actor, q AuditQuery, page int) (AuditPage, error) {
	if a.Role != actor.Admin {
		return AuditPage{}, apperr.New(apperr.Forbidden, "只有系统管理员可以查询审计日志")
	}
	if page < 1 {
		page = 1
	}
	q.Limit, q.Offset, q.Within = AuditPageSize, (page-1)*AuditPageSize, ""
	var p AuditPage
	err := s.run(ctx, func(tx Tx) error {
		sc, err := scope.Resolve(ctx, tx, a)
		if err != nil {
			return err
		}
		if !sc.Province() {
			q.Within = sc.Office.Code
		}
		items, total, err := tx.SearchAudit(ctx, q)
		if err != nil {
			return err
		}
		p = AuditPage{Items: items, Total: total, Page: page, Pages: (total + AuditPageSize - 1) / AuditPageSize}
		if q.Within != "" {
			p.Office = sc.Office.Name
		}
		return nil
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("search audit: %w", err)
	}
	return p, nil
}

// RecordRefusals writes refusals seen by the web layer (401, 403, 404 for what is not the caller's,
// 429, cross-origin) to the audit trail in one transaction; the caller aggregates repeats.
func (s *Service) RecordRefusals(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.run(ctx, func(tx Tx) error {
		for _, e := range entries {
			e.Outcome = audit.Failure
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// ManagedUser loads one account the admin may manage (for confirmation pages); others are "not found".
func (s *Service) ManagedUser(ctx context.Context, a actor.Actor, userID int64) (User, error) {
	if err := requireAdminOrSystem(a); err != nil {
		return User{}, err
	}
	var u User
	err := s.run(ctx, func(tx Tx) error {
		var err error
		u, err = s.managedUser(ctx, tx, a, userID)
		return err
	})
	return u, scope.Audited(ctx, s.run, a, "user.open", "user", fmt.Sprint(userID), err)
}
