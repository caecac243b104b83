// Package declaration is the employer's yearly declaration (申报) and what follows it: the blockers
// that keep a year from being submitted, 完成申报 with the pledge (承诺书), the certification letter
// (年审认证确认书) with its public verification, the reopen request (年审认证反馈) and the certified
// results the tax bureau reads (DOMAIN.md §5, §8; seed 第六步–第七步).
package declaration

import (
	"context"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// LetterStatus is a certification letter's state: valid, or cancelled when a reopen request is
// approved (the letter is kept: the tax export and the public verification show it cancelled).
type LetterStatus string

// Letter statuses (CONTRACT.md results).
const (
	LetterValid     LetterStatus = "valid"
	LetterCancelled LetterStatus = "cancelled"
)

// Label is the status in Chinese.
func (s LetterStatus) Label() string {
	switch s {
	case LetterValid:
		return "有效"
	case LetterCancelled:
		return "已作废"
	}
	return string(s)
}

// Declaration is an employer's declaration of a year.
type Declaration struct {
	ID            int64
	EmployerID    int64
	Year          int
	Status        rules.DeclarationStatus
	SubmittedAt   time.Time
	SubmittedBy   int64
	PledgeVersion string
	ClientAddr    string
}

// Letter is a certification letter with its snapshot (DOMAIN.md §5): everything below but the
// status and the issued PDF is written at 完成申报 and never changes, so the PDF, the verify page
// and the tax export read these fields, never the live employer, offices or placements.
type Letter struct {
	ID               int64
	DeclarationID    int64
	Number           string
	VerifyCode       string
	Status           LetterStatus
	Persons          int
	CountedMonths    int
	WeightMonths     rules.WeightMonths
	FederationOffice string
	OfficeName       string // the federation office's name at submission: the issuing office
	IssuedAt         time.Time
	CancelledAt      time.Time
	Year             int
	// The employer as it was at submission.
	EmployerName  string
	CreditCode    string
	TaxOffice     string
	TaxOfficeName string
	District      string
	DistrictName  string // full name, "吉林省长春市南关区"
	Employees     int    // 在职职工人数
	// Certified are the persons the letter names, in its order (序号 = index + 1).
	Certified []CertifiedPerson
	// PDFFile is the attachment holding the issued (signed) PDF, "" until it is first drawn;
	// PDFSHA256 is the SHA-256 of those bytes, as the verify page shows it.
	PDFFile   string
	PDFSHA256 string
}

// CertifiedPerson is one person of a letter's snapshot: a row of its table.
type CertifiedPerson struct {
	Name            string
	IDMasked        string
	CertificateKind rules.CertificateKind
	Category        int // 残疾人证: 残疾类别 (0 unknown)
	Level           int // 残疾人证: 残疾等级
	Grade           int // 残疾军人证: 伤残等级
	CountedMonths   int
	WeightMonths    rules.WeightMonths
}

// Certificate is the certificate a placement's person is registered with (placement.Placement).
type Certificate struct {
	Kind                   rules.CertificateKind
	Category, Level, Grade int
}

// SnapshotNames are the names of the employer's district and offices at submission.
type SnapshotNames struct {
	District, FederationOffice, TaxOffice string
}

// IssueDate is the letter's issue date in China.
func (l Letter) IssueDate() rules.Date { return rules.ChinaDate(l.IssuedAt) }

// ReopenRequest is one 年审认证反馈 of the employer with the federation's answer.
type ReopenRequest struct {
	ID        int64
	Reason    string
	Status    rules.ReviewStatus
	Comment   string
	CreatedAt time.Time
	DecidedAt time.Time
}

// Result is one line of the tax export (CONTRACT.md GET /years/{year}/results).
type Result struct {
	CreditCode       string             `json:"creditCode"`
	Name             string             `json:"name"`
	TaxOffice        string             `json:"taxOffice"`
	TaxOfficeName    string             `json:"-"`
	Persons          int                `json:"persons"`
	CountedMonths    int                `json:"countedMonths"`
	WeightMonths     rules.WeightMonths `json:"-"`
	EquivalentPerson float64            `json:"equivalentPersons"`
	LetterNumber     string             `json:"letterNumber"`
	Status           LetterStatus       `json:"status"`
	LetterID         int64              `json:"-"`
	// Certified are the letter's persons (the base of the levy), read for the Excel export only.
	Certified []CertifiedPerson `json:"-"`
	// Seq and ChangedAt are the row's place in the change sequence (ResultFeed): the number and the
	// database time of the letter's last change (issue or cancellation).
	Seq       int64     `json:"-"`
	ChangedAt time.Time `json:"-"`
}

// ResultScope is whose results a feed reads: the employers whose letter was issued in a federation
// office's subtree (staff), those whose tax office lies in a tax office's region subtree (an API
// client of that tax office), or the whole province.
type ResultScope struct {
	FederationOffice string
	TaxOffice        string
	Province         bool
}

// LevyParameters are a province's levy figures for a year (DOMAIN.md §7).
type LevyParameters struct {
	Province          string
	QuotaBasisPoints  int
	SocialAverageWage rules.Fen
}

// Holder is a placement's person as the certificate-on-submission rule reads them from the
// database (DOMAIN.md §10): the sealed ID number the registry is asked by and the manual
// certificates of the placement. The registry's certificates come through exchange.Source.
type Holder struct {
	PlacementID  int64
	IDSealed     []byte
	Certificates []placement.ManualCertificate
}

// Protector opens sealed identifiers (pii.Protector).
type Protector interface {
	Open(b []byte) (string, error)
}

// Source is how declarations read the registry (exchange.Source).
type Source = exchange.Source

// Tx is what the declaration use cases need from the store, inside one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
	// LockYear locks the employer's business year (its declaration row), first in every write of
	// the year, so that submission checks its conditions with no save of the year in between.
	LockYear(ctx context.Context, employerID int64, year int) error

	BusinessYear(ctx context.Context, year int) (rules.BusinessYear, error)
	// PledgeText is the text of a pledge version.
	PledgeText(ctx context.Context, version string) (string, error)
	EmployerProfile(ctx context.Context, id int64) (employer.Profile, error)
	ListPlacements(ctx context.Context, employerID int64, year int) ([]placement.ListRow, error)
	// CertificateHolders lists the year's placements with what the certificate-on-submission rule
	// reads of them from the database.
	CertificateHolders(ctx context.Context, employerID int64, year int) ([]Holder, error)
	Declaration(ctx context.Context, employerID int64, year int) (Declaration, bool, error)
	EnsureDeclaration(ctx context.Context, employerID int64, year int) (Declaration, error)
	// MarkSubmitted moves an open declaration to submitted with the pledge record; false when it
	// was not open any more (a concurrent submit won).
	MarkSubmitted(ctx context.Context, id, userID int64, pledgeVersion, clientAddr string) (bool, error)
	SetDeclarationStatus(ctx context.Context, employerID int64, year int, from, to rules.DeclarationStatus) (bool, error)
	LockYearAffiliates(ctx context.Context, employerID int64, year int) (int, error)
	// InsertLetter issues a letter with its snapshot (the persons and names in l).
	InsertLetter(ctx context.Context, l Letter) (Letter, error)
	// PlacementCertificates returns the certificate of each of the year's placements, by id.
	PlacementCertificates(ctx context.Context, employerID int64, year int) (map[int64]Certificate, error)
	// SnapshotNames reads the names a letter keeps beside the codes; an unknown code has "".
	SnapshotNames(ctx context.Context, district, federationOffice, taxOffice string) (SnapshotNames, error)
	// LetterOfYear loads the valid letter of an employer's year or, when none is valid (the
	// year was reopened), the latest; found is false when the year has no letter.
	LetterOfYear(ctx context.Context, employerID int64, year int) (Letter, bool, error)
	// RecordIssuedPDF stores the issued PDF's attachment row and points the letter at it, unless
	// the letter has one already (a concurrent first download won): false then.
	RecordIssuedPDF(ctx context.Context, letterID int64, f IssuedFile) (bool, error)
	// LetterPersons loads the certified persons of a letter's snapshot, in its order.
	LetterPersons(ctx context.Context, letterID int64) ([]CertifiedPerson, error)
	// BlobOfFile is the blob name of an attachment ("" when unknown).
	BlobOfFile(ctx context.Context, fileID string) (string, error)
	// BlobInUse reports whether any attachment row refers to the blob.
	BlobInUse(ctx context.Context, name string) (bool, error)
	// OfficeWithin reports whether office is ancestor or lies below it in the federation tree.
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)
	ValidLetter(ctx context.Context, declarationID int64) (Letter, bool, error)
	LetterByCode(ctx context.Context, code string) (Letter, error)
	InsertReopenRequest(ctx context.Context, employerID int64, year int, reason string) (int64, error)
	ReopenRequests(ctx context.Context, employerID int64, year int) ([]ReopenRequest, error)
	// Results lists the results of the filter in credit code order (or its sort): a page from
	// Offset, or the chunk after After.
	Results(ctx context.Context, f ResultFilter) ([]Result, error)
	// ResultsSummary counts the year's results in the office's subtree and those the filter keeps.
	ResultsSummary(ctx context.Context, f ResultFilter) (ResultSummary, error)
	// LettersPersons loads the certified persons of the letters, by letter id, each in its order.
	LettersPersons(ctx context.Context, letterIDs []int64) (map[int64][]CertifiedPerson, error)
	// ResultFeed lists a year's results in the scope whose change number is above after and whose
	// change time is at or after sinceUS (microseconds since 1970; 0 = any), in change order, at most
	// limit.
	ResultFeed(ctx context.Context, sc ResultScope, year int, after, sinceUS int64, limit int) ([]Result, error)
	// ResultFeedCount counts every row ResultFeed would list from the same point, all pages.
	ResultFeedCount(ctx context.Context, sc ResultScope, year int, after, sinceUS int64) (int, error)
	LevyParameters(ctx context.Context, province string, year int) (LevyParameters, bool, error)
}
