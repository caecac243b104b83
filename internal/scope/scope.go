// Package scope is an administrator's jurisdiction (DOMAIN.md §7): an administrator of federation
// office X manages only what lies in X's subtree of the office tree, and the province-wide settings
// belong to the administrators of the root office (the office without a parent). The administering
// services (admin, account, notice, exchange) resolve it inside their own transaction and decide
// with it; pages only ask it what to show.
//
// The rule, object by object, for an administrator of X:
//   - federation offices strictly below X. X itself and what is above it belong to the level above:
//     X's name, region and parent draw X's own jurisdiction. A new or moved office's parent must be X
//     or an office below X, so a move never takes an office out of the subtree nor brings one in.
//   - regions strictly below X's region in the region tree, under the same rule for parents;
//   - tax offices whose region is X's region or lies below it;
//   - minimum wages whose region prefix lies within X's region: a row reaches every region whose code
//     begins with its prefix (that is how rules.MinimumWageFor applies it), so an administrator may
//     write it only when every such region is in the jurisdiction. 2-digit prefixes are province-wide;
//   - notices targeted at X or an office below it (see package notice);
//   - staff accounts of X's subtree, except administrators of X itself (peers are managed from
//     the level above) and never the administrator's own account; employers whose federation office
//     lies in the subtree (an employer that has not chosen one belongs to the root office);
//   - audit entries whose actor or object lies in the subtree (see account.SearchAudit).
//
// Administrators of the root office manage everything, the province-wide settings included:
// business years and their declaration windows, pledge versions, levy parameters, province-wide
// minimum wages and the data-exchange imports of the registry. The command line (the system actor)
// is not scoped. A refusal is a 403 with a Chinese message, or a 404 when the object itself is not
// to be revealed (accounts, notices), and every refusal is audited (Audited).
package scope

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
)

// Office is a node of the federation office tree.
type Office struct {
	Code   string
	Name   string
	Region string
	Parent string // '' for the root
}

// Tree reads the federation office tree. The ports of the administering services embed it.
type Tree interface {
	// OfficePath returns the office code and every office above it, nearest first; it is empty when
	// code names no office.
	OfficePath(ctx context.Context, code string) ([]Office, error)
	// OfficeWithin reports whether office is ancestor or lies below it.
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)
}

// Admin is an administrator's jurisdiction, resolved in the transaction that uses it.
type Admin struct {
	Office Office // the administrator's own office: the root of the subtree
	// RootName names the root office, for the messages that say who manages province-wide settings.
	RootName string
	root     bool // the office has no parent
	system   bool // the command line
}

// IsSystem reports whether a is the command line or a start-up job (actor.System).
func IsSystem(a actor.Actor) bool {
	return a.UserID == 0 && a.Role == "" && strings.HasPrefix(a.Name, "system:")
}

// Resolve returns the jurisdiction of an administrator (or of the system actor). Anyone else is
// refused: what the console changes is for administrators only.
func Resolve(ctx context.Context, t Tree, a actor.Actor) (Admin, error) {
	if IsSystem(a) {
		return Admin{system: true, RootName: "省残联"}, nil
	}
	switch {
	case !a.Role.Valid():
		return Admin{}, apperr.New(apperr.Unauthorized, "登录已失效或尚未登录，请先登录")
	case a.Role != actor.Admin:
		return Admin{}, apperr.New(apperr.Forbidden, "只有系统管理员可以使用此功能")
	}
	path, err := t.OfficePath(ctx, a.Office)
	if err != nil {
		return Admin{}, fmt.Errorf("resolve the office of admin %s: %w", a.Name, err)
	}
	if len(path) == 0 {
		return Admin{}, apperr.New(apperr.Forbidden, "您的账号所属的残联机构不存在，请联系上级系统管理员")
	}
	return Admin{Office: path[0], RootName: path[len(path)-1].Name, root: path[0].Parent == ""}, nil
}

// Province reports whether the administrator may change province-wide settings: an administrator
// of the root office, or the command line.
func (s Admin) Province() bool { return s.root || s.system }

// Covers reports whether office lies in the administrator's subtree, the own office included. An
// empty office (an employer that has not chosen one) belongs to the root office only.
func (s Admin) Covers(ctx context.Context, t Tree, office string) (bool, error) {
	switch {
	case s.Province():
		return true, nil
	case office == "":
		return false, nil
	}
	return t.OfficeWithin(ctx, office, s.Office.Code)
}

// Below reports whether office lies strictly below the administrator's own office: the offices it
// edits and the admin accounts it manages. Root administrators and the command line reach every
// office, the root included (nobody is above them).
func (s Admin) Below(ctx context.Context, t Tree, office string) (bool, error) {
	if s.Province() {
		return true, nil
	}
	if office == s.Office.Code {
		return false, nil
	}
	return s.Covers(ctx, t, office)
}

// WagePrefix reports whether the administrator may write a minimum wage for a region prefix (2, 4
// or 6 digits): the prefix must begin with the significant digits of the office's region (220200 →
// 2202), so that every region the row reaches is in the jurisdiction. A 2-digit prefix reaches the
// whole province.
func (s Admin) WagePrefix(prefix string) bool {
	if s.Province() {
		return true
	}
	return len(prefix) > 2 && strings.HasPrefix(prefix, Significant(s.Office.Region))
}

// Significant strips the trailing "00" pairs of a 6-digit region code, keeping at least the
// province's 2 digits: 220000 → 22, 220200 → 2202, 220202 → 220202. A minimum-wage prefix of these
// digits reaches exactly the regions whose codes nest under the code.
func Significant(region string) string {
	for len(region) > 2 && strings.HasSuffix(region, "00") {
		region = region[:len(region)-2]
	}
	return region
}

// ProvinceOnly is the refusal of a province-wide setting to an administrator below the root; what
// names the setting ("业务年度和申报期").
func (s Admin) ProvinceOnly(what string) error {
	return apperr.New(apperr.Forbidden, fmt.Sprintf("%s是全省统一设置，由%s的系统管理员维护", what, s.RootName))
}

// Outside is the refusal of an object that the administrator may see but not change (reference
// data: offices, regions, tax offices, minimum wages, all public). what names the object.
func (s Admin) Outside(what string) *apperr.Error {
	return apperr.New(apperr.Forbidden, fmt.Sprintf("%s不在%s的下级辖区内，无权维护", what, s.Office.Name))
}

// Refused reports whether err is a refusal (403 or 404) that must be audited.
func Refused(err error) bool {
	c := apperr.CodeOf(err)
	return c == apperr.Forbidden || c == apperr.NotFound
}

// Appender is the audit half of a port: every administering port has it.
type Appender interface {
	AppendAudit(ctx context.Context, e audit.Entry) error
}

// Audited records a refused attempt (err is a 403 or 404) as a failure entry of action on the
// object, in a transaction of its own since the refused one was rolled back, and returns err marked
// as recorded (WasAudited), so that the web layer's refusal log does not write it a second time.
// Other errors, and success, are returned as they are.
func Audited[T Appender](ctx context.Context, run func(context.Context, func(T) error) error, a actor.Actor, action, objectType, objectID string, err error) error {
	if !Refused(err) || WasAudited(err) {
		return err
	}
	e := audit.For(a, action, objectType, objectID)
	e.Outcome, e.Detail = audit.Failure, "refused: "+apperr.As(err).Message
	if aerr := run(ctx, func(tx T) error { return tx.AppendAudit(ctx, e) }); aerr != nil {
		return fmt.Errorf("audit the refused %s: %w", action, aerr)
	}
	return recorded{err}
}

// recorded marks a refusal already in the audit trail; apperr.As still finds the refusal inside.
type recorded struct{ error }

func (r recorded) Unwrap() error { return r.error }

// WasAudited reports whether err is a refusal that Audited has recorded.
func WasAudited(err error) bool {
	var r recorded
	return errors.As(err, &r)
}
