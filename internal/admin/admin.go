// Package admin is the administrator's console over the configuration data of DOMAIN.md §7:
// regions, the federation office tree, tax offices, minimum wages, business years (declaration
// window, pledge versions, the certificate-valid-at-submission switch of §10) and levy parameters.
// Every change is validated here with Chinese messages per field and audited in the same
// transaction. Nothing a submitted declaration rests on is deleted or rewritten:
//   - regions and offices are edited, never deleted (employers, letters and staff refer to them);
//   - a minimum-wage row whose first month lies in or before December of the latest year that has a
//     submitted declaration is locked — it cannot be changed or deleted, and no new row may start in
//     such a month either, because that would change the wage the submitted year was checked against;
//   - a new pledge text is a new version; old versions stay, since declarations record the version
//     they accepted.
//
// Every use case is scoped (package scope, DOMAIN.md §7): an administrator below the root office
// edits the offices, regions, tax offices and minimum wages of its own subtree and reads the
// province-wide settings, which only the root office's administrators change. Lists carry Managed
// for what the actor may change; refusals are 403 with a Chinese message, audited.
//
// Staff accounts belong to the accounts package, not here.
package admin

import (
	"context"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/audit"
	"quotacert/internal/rules"
	"quotacert/internal/scope"
)

// Region is an administrative division (GB/T 2260); Parent is ” for the province.
type Region struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Parent  string `json:"parent"`
	Managed bool   `json:"-"` // filled by the service: the actor may edit it
}

// Office is a federation office (Parent = the office above it in the review tree) or a tax office
// (Parent unused).
type Office struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Parent  string `json:"parent,omitempty"`
	Region  string `json:"region"`
	Managed bool   `json:"-"` // filled by the service: the actor may edit it
}

// MinimumWage is one version of a region's monthly minimum wage: Region is a code prefix (2, 4 or
// 6 digits), From the first month (YYYY-MM) it applies.
type MinimumWage struct {
	Region    string
	From      string
	AmountFen int64
	Locked    bool // filled by the service, not stored
	Managed   bool // filled by the service: the actor may change it (scope.Admin.WagePrefix)
}

// Pledge is one version of the commitment text.
type Pledge struct {
	Version   string
	Body      string
	CreatedAt time.Time
}

// Levy is the levy parameters of a province and year.
type Levy struct {
	Province         string
	Year             int
	QuotaBasisPoints int   // 160 = 1.6 %
	SocialAvgWageFen int64 // a year's social average wage
}

// Tx is what this package needs from the store, inside one transaction.
type Tx interface {
	Regions(ctx context.Context) ([]Region, error)
	Region(ctx context.Context, code string) (Region, bool, error)
	InsertRegion(ctx context.Context, r Region) error
	UpdateRegion(ctx context.Context, r Region) error

	// kind is "federation" or "tax".
	Offices(ctx context.Context, kind string) ([]Office, error)
	Office(ctx context.Context, kind, code string) (Office, bool, error)
	InsertOffice(ctx context.Context, kind string, o Office) error
	UpdateOffice(ctx context.Context, kind string, o Office) error

	MinimumWages(ctx context.Context) ([]MinimumWage, error)
	MinimumWage(ctx context.Context, region, from string) (MinimumWage, bool, error)
	InsertMinimumWage(ctx context.Context, m MinimumWage) error
	UpdateMinimumWage(ctx context.Context, m MinimumWage) error
	DeleteMinimumWage(ctx context.Context, region, from string) error
	// LatestDeclaredYear is the latest business year with a declaration in one of statuses; found
	// is false when there is none.
	LatestDeclaredYear(ctx context.Context, statuses []rules.DeclarationStatus) (year int, found bool, err error)

	Years(ctx context.Context) ([]rules.BusinessYear, error)
	Year(ctx context.Context, year int) (rules.BusinessYear, bool, error)
	InsertYear(ctx context.Context, y rules.BusinessYear) error
	UpdateYear(ctx context.Context, y rules.BusinessYear) error
	Pledges(ctx context.Context) ([]Pledge, error)
	Pledge(ctx context.Context, version string) (Pledge, bool, error)
	InsertPledge(ctx context.Context, p Pledge) error

	Levies(ctx context.Context) ([]Levy, error)
	Levy(ctx context.Context, province string, year int) (Levy, bool, error)
	SaveLevy(ctx context.Context, l Levy) error

	// The working-day calendar (工作日历): the years entered and one year's arrangement.
	WorkCalendarYears(ctx context.Context) ([]int, error)
	WorkCalendar(ctx context.Context, year int) (rules.YearCalendar, error)
	ReplaceWorkCalendar(ctx context.Context, y rules.YearCalendar) error

	// The federation office tree, for the actor's scope.
	scope.Tree

	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
}

// Service runs the console's use cases.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns a service that runs each use case through run (one transaction each).
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}

// Office kinds.
const (
	Federation = "federation"
	Tax        = "tax"
)

// Scope is the actor's jurisdiction, for pages that show only what it manages; the use cases
// decide with the same rule themselves.
func (s *Service) Scope(ctx context.Context, a actor.Actor) (scope.Admin, error) {
	var sc scope.Admin
	err := s.run(ctx, func(tx Tx) (err error) { sc, err = scope.Resolve(ctx, tx, a); return err })
	return sc, err
}

// audited records a refused attempt (scope.Audited) in a transaction of its own.
func (s *Service) audited(ctx context.Context, a actor.Actor, action, objectType, objectID string, err error) error {
	return scope.Audited(ctx, s.run, a, action, objectType, objectID, err)
}

// Province is the province whose levy parameters the console edits. The demo ships Jilin; a
// deployment for another province changes the reference data, not this package's callers.
const Province = "220000"
