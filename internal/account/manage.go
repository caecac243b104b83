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
		if sess, err := tx.SessionByHash(ctx, a.Session); err == nil {
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
// system actor; an admin may only create staff inside its own subtree.
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
		if _, err := tx.OfficeParent(ctx, in.Office); isNotFound(err) {
			return apperr.FieldErrors(map[string]string{"office": "残联机构代码 " + in.Office + " 不存在"})
		} else if err != nil {
			return err
		}
		if a.Role == actor.Admin {
			if ok, err := officeWithin(ctx, tx, in.Office, a.Office); err != nil {
				return err
			} else if !ok {
				return apperr.FieldErrors(map[string]string{"office": "只能在本级及下级残联创建账号"})
			}
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
		e.Detail = fmt.Sprintf("username=%s role=%s office=%s", in.Username, in.Role, in.Office)
		if secret != "" {
			if err := tx.SetTOTP(ctx, id, secret, true); err != nil {
				return err
			}
			e.Detail += " totp=enrolled"
		}
		return tx.AppendAudit(ctx, e)
	})
	if err != nil {
		if s.isUnique(err) {
			return 0, apperr.FieldErrors(map[string]string{"username": "用户名已存在"})
		}
		return 0, fmt.Errorf("create staff %s: %w", in.Username, err)
	}
	return id, nil
}

func requireAdminOrSystem(a actor.Actor) error {
	if a.Role == actor.Admin || (a.UserID == 0 && strings.HasPrefix(a.Name, "system:")) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "只有系统管理员可以管理账号")
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
		return err
	}
	if why := s.policy.Check(temp, target.Username, target.EmployerName); why != "" {
		return apperr.FieldErrors(map[string]string{"password": why})
	}
	hash, err := s.hasher.Hash(ctx, temp)
	if err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		if _, err := s.managedUser(ctx, tx, a, userID); err != nil {
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
		return tx.AppendAudit(ctx, audit.For(a, "password.reset", "user", fmt.Sprint(userID)))
	})
}

// SetDisabled disables or re-enables an account; disabling ends its sessions. Admins cannot disable
// themselves (the last admin could lock everyone out).
func (s *Service) SetDisabled(ctx context.Context, a actor.Actor, userID int64, disabled bool) error {
	if err := requireAdminOrSystem(a); err != nil {
		return err
	}
	if disabled && userID == a.UserID {
		return apperr.New(apperr.Conflict, "不能停用自己的账号")
	}
	return s.run(ctx, func(tx Tx) error {
		if _, err := s.managedUser(ctx, tx, a, userID); err != nil {
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
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return tx.AppendAudit(ctx, audit.For(a, action, "user", fmt.Sprint(userID)))
	})
}

// managedUser loads a user the admin may manage: staff within the admin's office subtree, employers
// whose federation office is within it (an employer without one yet belongs to the root office).
// Others are reported as not found.
func (s *Service) managedUser(ctx context.Context, tx Tx, a actor.Actor, userID int64) (User, error) {
	u, err := tx.UserByID(ctx, userID)
	if isNotFound(err) {
		return User{}, apperr.NotFoundf("账号")
	}
	if err != nil {
		return User{}, err
	}
	if a.Role != actor.Admin {
		return u, nil // the system actor
	}
	office := u.Office
	if u.Role == actor.Employer {
		if office, err = tx.EmployerOffice(ctx, u.EmployerID); err != nil {
			return User{}, err
		}
	}
	ok, err := officeWithin(ctx, tx, office, a.Office)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, apperr.NotFoundf("账号")
	}
	return u, nil
}

// ListUsers lists the accounts the admin may manage.
func (s *Service) ListUsers(ctx context.Context, a actor.Actor, query string) ([]User, error) {
	if err := requireAdminOrSystem(a); err != nil {
		return nil, err
	}
	var out []User
	err := s.run(ctx, func(tx Tx) error {
		out = nil
		all, err := tx.ListUsers(ctx, UserFilter{Query: strings.TrimSpace(query), Limit: 500})
		if err != nil {
			return err
		}
		for _, u := range all {
			if _, err := s.managedUser(ctx, tx, a, u.ID); err == nil {
				out = append(out, u)
			} else if !isNotFound(err) {
				return err
			}
			if len(out) == 100 {
				break
			}
		}
		return nil
	})
	return out, err
}

// maxOfficeDepth bounds the walk up the office tree, so a cycle in bad data cannot loop forever.
const maxOfficeDepth = 16

// officeWithin reports whether office lies in root's subtree (root included). An empty office
// (an employer that has not chosen one) belongs only to a root office (one without a parent).
func officeWithin(ctx context.Context, tx Tx, office, root string) (bool, error) {
	if root == "" {
		return false, nil
	}
	if office == "" {
		parent, err := tx.OfficeParent(ctx, root)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil && parent == "", err
	}
	for i := 0; i < maxOfficeDepth && office != ""; i++ {
		if office == root {
			return true, nil
		}
		parent, err := tx.OfficeParent(ctx, office)
		if isNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		office = parent
	}
	return false, nil
}

// OfficeWithin reports whether federation office lies in root's subtree (root included): the staff
// scope rule ("a reviewer only reaches employers under the reviewer's office") for other services.
func (s *Service) OfficeWithin(ctx context.Context, office, root string) (bool, error) {
	var ok bool
	err := s.run(ctx, func(tx Tx) error {
		var err error
		ok, err = officeWithin(ctx, tx, office, root)
		return err
	})
	return ok, err
}

// AuditPage is one page of audit search results.
type AuditPage struct {
	Items []audit.Entry
	Total int
	Page  int // 1-based
	Pages int
}

// AuditPageSize is the number of entries per page.
const AuditPageSize = 50

// SearchAudit searches the audit log (admins only). page is 1-based.
func (s *Service) SearchAudit(ctx context.Context, a actor.Actor, q AuditQuery, page int) (AuditPage, error) {
	if a.Role != actor.Admin {
		return AuditPage{}, apperr.New(apperr.Forbidden, "只有系统管理员可以查询审计日志")
	}
	if page < 1 {
		page = 1
	}
	q.Limit, q.Offset = AuditPageSize, (page-1)*AuditPageSize
	var p AuditPage
	err := s.run(ctx, func(tx Tx) error {
		items, total, err := tx.SearchAudit(ctx, q)
		if err != nil {
			return err
		}
		p = AuditPage{Items: items, Total: total, Page: page, Pages: (total + AuditPageSize - 1) / AuditPageSize}
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
	return u, err
}
