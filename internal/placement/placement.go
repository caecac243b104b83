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
	"quotacert/internal/employer"
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
// federation approves it. It is a 残疾人证 (category and level from its number) or a 残疾军人证
// (Kind, with the grade the employer chose and a free-text number).
type ManualCertificate struct {
	ID         int64
	Kind       rules.CertificateKind
	Number     string // full number: only on input and in an authorised full view
	Masked     string
	Hash       string
	Sealed     []byte
	Category   int // 残疾人证 only
	Level      int // 残疾人证 only
	Grade      int // 残疾军人证 only
	Issued     rules.Date
	ValidUntil rules.Date
	Review     rules.ReviewStatus
	FileIDs    []string
}

// Rule converts the certificate for the verification engine: it counts once approved, and a
// rejected one not at all.
func (m ManualCertificate) Rule() (rules.Certificate, bool) {
	if m.Review == rules.ReviewRejected {
		return rules.Certificate{}, false
	}
	return rules.Certificate{Kind: m.Kind, Level: m.Level, Grade: m.Grade, Issued: m.Issued, ValidUntil: m.ValidUntil,
		Active: true, Manual: true, Approved: m.Review == rules.ReviewApproved}, true
}

// ContractWithoutFile is the index of the first contract without an attachment, or -1: a placement
// imported from Excel has its contracts' files added on the form before its months are saved.
func (p Placement) ContractWithoutFile() int {
	for i, c := range p.Contracts {
		if len(c.FileIDs) == 0 {
			return i
		}
	}
	return -1
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
	// CertificateKind, Category, Level and Grade are the certificate the person is registered
	// with: a 残疾人证 with its category and level, or a 残疾军人证 with its grade (伤残等级). A claimed
	// month weighs what they say (DOMAIN.md §3); the letter prints them.
	CertificateKind rules.CertificateKind
	Category        int // 残疾人证 only
	Level           int // 残疾人证 only
	Grade           int // 残疾军人证 only
	Graduate        Graduate
	ReturnReason    string
	// DraftReason says why a placement whose months were saved is still 未完成 (Settle).
	DraftReason  string
	Contracts    []Contract
	Certificates []ManualCertificate
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SavedMonth is one month of the saved grid: what the employer selected and what it weighed then.
type SavedMonth struct {
	Month       string
	Passed      bool
	Selected    bool
	Weight      int
	PendingCert bool // selected thanks to a manual certificate still under review
}

// Count is what a saved selection counts (DOMAIN.md §3–§5): the selected months and the sum of the
// weights they were saved with. Selected months count once the placement is confirmed (a claimed
// month only once approved: a rejected claim releases its month); until then they wait. The list,
// the summaries, the letter and GET /placements/{id} all count with it.
func Count(saved []SavedMonth) (months int, weight rules.WeightMonths) {
	for _, m := range saved {
		if m.Selected {
			months++
			weight += rules.WeightMonths(m.Weight)
		}
	}
	return months, weight
}

// NoCountedMonth is why a placement whose months were saved without one counted month stays
// 未完成: it would certify nothing (issue 13: a letter for 0.00 persons).
const NoCountedMonth = "没有计入的月份：请勾选至少一个计入月份后保存，或删除该人员"

// Settle is the status of a placement once its months are saved or a review of it decided, with the
// reason shown beside it: 待审核 while a review item waits, else 已确认 with at least one counted
// (selected) month, else 未完成 because none counts. It is pure; placement and review both use it.
func Settle(pendingItems, countedMonths int) (Status, string) {
	switch {
	case pendingItems > 0:
		return Pending, ""
	case countedMonths == 0:
		return Draft, NoCountedMonth
	}
	return Confirmed, ""
}

// Claim (申请) is a failed month the employer selected with evidence, as the employer sees it: the
// review item (审核事项, review.Item) of kind claim. It waits for the federation's decision.
type Claim struct {
	ID          int64
	PlacementID int64
	EmployerID  int64
	Year        int
	Month       string
	FileIDs     []string
	// FileChecks labels files with the failed check they prove (file id → check key); optional.
	FileChecks map[string]string
	Note       string
	Status     rules.ReviewStatus
	Comment    string // the reviewer's comment
	DecidedAt  time.Time
	// Earlier are the month's earlier claims, decided (a rejected month claimed again is a new
	// claim: the old decision and comment stay visible), oldest first.
	Earlier []Claim
}

// Affiliate is what placements need to know of an affiliate.
type Affiliate struct {
	ID         int64
	CreditCode string
	Kind       string // subsidiary | dispatch
	Files      int
}

// YearState says whether a business year exists and how far the employer's declaration is: once
// submitted (Declaration.Locked), nothing may change.
type YearState struct {
	Exists      bool
	Declaration rules.DeclarationStatus // DeclarationOpen when there is no declaration yet
}

// ListRow is one line of the placement list with its saved months (in no particular order).
type ListRow struct {
	ID         int64
	IDMasked   string
	Name       string
	Status     Status
	Dispatched bool
	Months     []SavedMonth
	// DraftReason says why the placement is still 未完成 after a save (Settle); "" otherwise.
	DraftReason string
}

// CountedMonths is the number of selected months saved (counted once confirmed, waiting otherwise).
func (r ListRow) CountedMonths() int { n, _ := Count(r.Months); return n }

// WeightMonths is the weight of the selected months saved.
func (r ListRow) WeightMonths() rules.WeightMonths { _, w := Count(r.Months); return w }

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
	// LockYear locks the employer's business year (its declaration row): every write of a
	// placement takes it first, so writes of one year run one after the other (issue 13).
	LockYear(ctx context.Context, employerID int64, year int) error
	// DisclosureWindows returns, for each bucket in order, what its window says of the persons with
	// the given hashes (zero when the bucket has no window yet; Persons is counted only with lock).
	// With lock it first locks each window in turn (creating it, opened now, when missing), so that
	// concurrent disclosures of one bucket count one after the other, on every server; without, it
	// reads them all in one query.
	DisclosureWindows(ctx context.Context, buckets, personHashes []string, lock bool) ([]DisclosureWindow, error)
	// RecordDisclosures adds the persons with the given hashes to a bucket's window, disclosed now;
	// with reset the window opens again at openedAt and the persons of the old one are forgotten.
	RecordDisclosures(ctx context.Context, bucket string, openedAt time.Time, reset bool, personHashes []string) error

	// Employer is the profile of the placement's employer: its district decides the minimum wage,
	// its office the jurisdiction, its completeness whether placements may change.
	Employer(ctx context.Context, employerID int64) (employer.Profile, error)
	// Payers lists the employer itself and its affiliates in force (not deleted), with their review.
	Payers(ctx context.Context, employerID int64) ([]Payer, error)
	Affiliate(ctx context.Context, employerID, affiliateID int64) (Affiliate, error)
	// LiveAffiliates lists the employer's affiliates in force (an import names them by credit code).
	LiveAffiliates(ctx context.Context, employerID int64) ([]Affiliate, error)
	FilesOwned(ctx context.Context, employerID int64, ids []string) (int, error)
	YearState(ctx context.Context, employerID int64, year int) (YearState, error)
	MinimumWages(ctx context.Context) ([]rules.MinimumWage, error)
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)

	UpsertPerson(ctx context.Context, p Person) (int64, error)
	InsertPlacement(ctx context.Context, p Placement) (int64, error)
	UpdatePlacement(ctx context.Context, p Placement) error
	ReplaceContracts(ctx context.Context, placementID int64, cs []Contract) error
	InsertManualCertificate(ctx context.Context, placementID int64, c ManualCertificate) (int64, error)
	// OpenCertificateReview opens the review item (kind certificate) of a manual certificate.
	OpenCertificateReview(ctx context.Context, p Placement, certificateID int64) error
	DeletePendingManualCertificates(ctx context.Context, placementID int64) error
	LoadPlacement(ctx context.Context, id int64) (Placement, error)
	PlacementIDFor(ctx context.Context, employerID int64, year int, personHash string) (int64, error)

	// Peek reads, in one query, a Stamp: with placementID, that of the live placement's grid with
	// the placement's employer and person (employerID unused); with placementID 0, that of the
	// list of employerID's placements.
	Peek(ctx context.Context, employerID, placementID int64) (Peeked, error)
	SavedMonths(ctx context.Context, placementID int64) ([]SavedMonth, error)
	MonthsTakenElsewhere(ctx context.Context, personID, placementID int64, months []string) ([]string, error)
	ReplaceMonths(ctx context.Context, placementID, personID int64, months []SavedMonth) error
	Claims(ctx context.Context, placementID int64) ([]Claim, error)
	UpsertClaim(ctx context.Context, c Claim) error
	DeleteClaims(ctx context.Context, placementID int64, months []string) error
	PendingReviewItems(ctx context.Context, placementID int64) (int, error)
	// SetPlacementStatus sets a placement's status with the reason shown beside it: the return
	// reason of a rejected placement, why a draft is incomplete (Settle); "" for none.
	SetPlacementStatus(ctx context.Context, id int64, s Status, reason string) error
	// DeletePlacement deletes a placement but keeps its row and history: its months are released
	// (they no longer count nor block the person elsewhere) and its review items still waiting are
	// closed with comment, decided ones stay as they are; it returns how many it closed.
	DeletePlacement(ctx context.Context, id int64, comment string) (int, error)
	ListPlacements(ctx context.Context, employerID int64, year int) ([]ListRow, error)
	// ListPlacementsPage lists one page of the placements matching f with their saved months,
	// and counts all that match.
	ListPlacementsPage(ctx context.Context, f ListFilter) ([]ListRow, int, error)
	// ListSummary counts a year's placements in one aggregate query (as Summarize does on rows).
	ListSummary(ctx context.Context, employerID int64, year int) (Summary, error)
	// YearPlacements loads an employer's placements of a year with their persons and contracts
	// (not their historical certificates), in a few queries whatever their number.
	YearPlacements(ctx context.Context, employerID int64, year int) ([]Placement, error)
	// PlacedPersons lists the ID hashes of the persons an employer registered in a year.
	PlacedPersons(ctx context.Context, employerID int64, year int) ([]string, error)
	// Years lists the business years, newest first.
	Years(ctx context.Context) ([]rules.BusinessYear, error)

	// InsertImport records an Excel import (accepted, or rejected with its listed errors).
	InsertImport(ctx context.Context, rec ImportRecord, errs []RowError) (int64, error)
	// Import reads an import record with its errors.
	Import(ctx context.Context, id int64) (ImportRecord, []RowError, error)
}
