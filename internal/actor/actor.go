// Package actor describes who is acting: every use case takes an Actor so that authorization and the
// audit trail never depend on hidden request state.
package actor

// Role is what a user may do. Employers act for one employer; staff act within a federation office
// subtree.
type Role string

// The roles of CONTRACT.md's login response.
const (
	Employer Role = "employer"
	Reviewer Role = "reviewer"
	Admin    Role = "admin"
	// APIClient is a program of the tax bureau reading the certified results with a bearer token
	// (package apiclient). It is no user: Valid is false for it, so no page or other route admits it.
	APIClient Role = "apiclient"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == Employer || r == Reviewer || r == Admin }

// Label is the role's Chinese name for pages.
func (r Role) Label() string {
	switch r {
	case Employer:
		return "用人单位"
	case Reviewer:
		return "残联审核人员"
	case Admin:
		return "系统管理员"
	case APIClient:
		return "税务接口客户端"
	}
	return "未知角色"
}

// Actor is the authenticated user behind a request (or the system itself for command-line work).
type Actor struct {
	UserID     int64
	Name       string // user name or credit code, for the audit trail
	Role       Role
	EmployerID int64  // employers only
	Office     string // staff only: the federation office (region code) whose subtree they serve
	ClientAddr string
	// MustChangePassword is set after an admin reset: the session may only change the password
	// (or log out) until it has done so.
	MustChangePassword bool
	// MustEnrolTOTP is set for staff who must have a second factor and have none yet: the session may
	// only enrol (or log out).
	MustEnrolTOTP bool
	// Session is the hash of the current session's token (the sessions page marks it), "" outside
	// a signed-in request.
	Session string
	// Client and TaxOffice are set for an API client only: its id, and the tax office whose region
	// subtree it reads ("" = the whole province). Office is then the federation office of the
	// administrator who registered it.
	Client    int64
	TaxOffice string
}

// System is the actor for command-line tools and start-up jobs.
func System(what string) Actor { return Actor{Name: "system:" + what} }

// IsStaff reports whether the actor is federation staff.
func (a Actor) IsStaff() bool { return a.Role == Reviewer || a.Role == Admin }
