// Package placement is 残疾人安置管理: an employer registers the disabled persons it employed in a
// business year, the rules engine verifies every month, and the employer selects the months to count
// and claims failing ones with evidence for the federation to review (DOMAIN.md §3–§5).
//
// The grid is always computed afresh from the current official data (so a new import or an approved
// manual certificate shows the next time it is opened), while the months the employer saved stay as
// saved: counting reads the saved selection, never a silently recomputed one.
package placement

import (
	"context"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/exchange"
	"quotacert/internal/rules"
)

// Status is a placement's state (CONTRACT.md).
type Status string

// Placement statuses.
const (
	Draft     Status = "draft"
	Pending   Status = "pending"
	Confirmed Status = "confirmed"
	Rejected  Status = "rejected"
)

// Label is the status as the seed's list shows it.
func (s Status) Label() string {
	switch s {
	case Draft:
		return "未完成"
	case Pending:
		return "待审核"
	case Confirmed:
		return "已确认"
	case Rejected:
		return "审核不通过"
	}
	return string(s)
}

// Review states of claims and manual certificates.
const (
	ReviewPending  = "pending"
	ReviewApproved = "approved"
	ReviewRejected = "rejected"
)

// Graduate is the education record of a university graduate (高校毕业生); stored, with no weight.
type Graduate struct {
	School, Degree, Major string
	Graduated             rules.Date
	DiplomaNumber         string
}

// IsZero reports an absent record.
func (g Graduate) IsZero() bool {
	return g.School == "" && g.Degree == "" && g.Major == "" && g.Graduated.IsZero() && g.DiplomaNumber == ""
}

// Contract is a labour contract of the person, with its attachments.
type Contract struct {
	ID      int64
	Start   rules.Date
	End     rules.Date // zero: open-ended
	FileIDs []string
}

// ManualCertificate is a historical certificate the employer added by hand; it counts only once the
// federation approves it.
type ManualCertificate struct {
	ID         int64
	Number     string // full number: only on input and in an authorised full view
	Masked     string
	Hash       string
	Sealed     []byte
	Category   int
	Level      int
	Issued     rules.Date
	ValidUntil rules.Date
	Review     string
	FileIDs    []string
}

// Person is the disabled person of a placement.
type Person struct {
	ID        int64
	IDNumber  string // full: only in an authorised full view
	IDMasked  string
	IDHash    string
	IDSealed  []byte
	Name      string
	Gender    string // 男 or 女
	BirthDate rules.Date
}

// Placement is one person registered by one employer for one business year.
type Placement struct {
	ID                  int64
	EmployerID          int64
	Year                int
	Person              Person
	Status              Status
	Dispatched          bool
	AffiliateID         int64 // 0: none
	FemaleRetirementAge int
	Category            int
	Level               int
	Graduate            Graduate
	ReturnReason        string
	Contracts           []Contract
	Certificates        []ManualCertificate
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// SavedMonth is one month of the saved grid: what the employer selected and what it weighed then.
type SavedMonth struct {
	Month       string
	Passed      bool
	Selected    bool
	Weight      int
	PendingCert bool // selected thanks to a manual certificate still under review
}

// Claim is a failed month the employer selected with evidence; it waits for federation review.
type Claim struct {
	ID          int64
	PlacementID int64
	EmployerID  int64
	Year        int
	Month       string
	FileIDs     []string
	Note        string
	Status      string
	Comment     string // the reviewer's comment
	DecidedAt   time.Time
}

// Employer is what placements need to know of the employer.
type Employer struct {
	ID               int64
	CreditCode       string
	Name             string
	District         string
	FederationOffice string
}

// Affiliate is what placements need to know of an affiliate.
type Affiliate struct {
	ID    int64
	Kind  string // subsidiary | dispatch
	Files int
}

// YearState says whether a business year exists and how far the employer's declaration is.
type YearState struct {
	Exists      bool
	Declaration string // open | submitted | reopen-requested ("open" when none yet)
}

// Locked reports whether the year is closed to changes: after 完成申报 nothing may be added, edited,
// deleted or re-registered until a reopen request is approved (seed 第七步).
func (y YearState) Locked() bool {
	return y.Declaration == "submitted" || y.Declaration == "reopen-requested"
}

// ListRow is one line of the placement list.
type ListRow struct {
	ID            int64
	IDMasked      string
	Name          string
	Status        Status
	Dispatched    bool
	CountedMonths int // selected months saved (counted once confirmed, pending otherwise)
	WeightMonths  int
}

// Protector seals and hashes identifiers (pii.Protector).
type Protector interface {
	Seal(s string) []byte
	Open(b []byte) (string, error)
	Hash(s string) string
}

// Source is how placements read official data (exchange.Source: the imported registry today, a live
// provincial service later).
type Source = exchange.Source

// Tx is what the placement use cases need from the store, inside one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
	CountAudit(ctx context.Context, actorID int64, action string, since time.Time) (int, error)

	Employer(ctx context.Context, employerID int64) (Employer, error)
	PayerCodes(ctx context.Context, employerID int64) ([]string, error)
	Affiliate(ctx context.Context, employerID, affiliateID int64) (Affiliate, error)
	FilesOwned(ctx context.Context, employerID int64, ids []string) (int, error)
	YearState(ctx context.Context, employerID int64, year int) (YearState, error)
	MinimumWages(ctx context.Context) ([]rules.MinimumWage, error)
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)

	UpsertPerson(ctx context.Context, p Person) (int64, error)
	InsertPlacement(ctx context.Context, p Placement) (int64, error)
	UpdatePlacement(ctx context.Context, p Placement) error
	ReplaceContracts(ctx context.Context, placementID int64, cs []Contract) error
	InsertManualCertificate(ctx context.Context, placementID int64, c ManualCertificate) error
	DeletePendingManualCertificates(ctx context.Context, placementID int64) error
	LoadPlacement(ctx context.Context, id int64) (Placement, error)
	PlacementIDFor(ctx context.Context, employerID int64, year int, personHash string) (int64, error)

	SavedMonths(ctx context.Context, placementID int64) ([]SavedMonth, error)
	MonthsTakenElsewhere(ctx context.Context, personID, placementID int64, months []string) ([]string, error)
	ReplaceMonths(ctx context.Context, placementID, personID int64, months []SavedMonth) error
	Claims(ctx context.Context, placementID int64) ([]Claim, error)
	UpsertClaim(ctx context.Context, c Claim) error
	DeleteClaims(ctx context.Context, placementID int64, months []string) error
	PendingReviewItems(ctx context.Context, placementID int64) (int, error)
	SetPlacementStatus(ctx context.Context, id int64, s Status, returnReason string) error
	DeletePlacement(ctx context.Context, id int64) error
	ListPlacements(ctx context.Context, employerID int64, year int) ([]ListRow, error)
	// Years lists the business years, newest first.
	Years(ctx context.Context) ([]BusinessYear, error)
}
