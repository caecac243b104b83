// Package employer maintains what an employer declares about itself (DOMAIN.md §6): its profile —
// the offices that certify it and collect its levy, its district, its contact, its size — and its
// affiliates, the subsidiaries and dispatch agencies whose wage and insurance records count for it.
// Every use case runs in one transaction with its audit entry; authorization is decided here, so
// the HTML pages and the JSON API cannot differ.
package employer

import (
	"context"
	"time"

	"quotacert/internal/audit"
	"quotacert/internal/message"
	"quotacert/internal/rules"
)

// Profile is an employer's registered data. CreditCode is fixed at registration (it is the login
// name and the tax bureau's key), so no use case here changes it.
type Profile struct {
	ID               int64
	CreditCode       string
	Name             string
	FederationOffice string // office code ('' = not chosen yet)
	TaxOffice        string // office code
	District         string // 6-digit region code
	ContactName      string
	ContactPhone     string
	EmployeeCount    int
	Address          string
	// UnitNature is the 单位性质 (UnitNatures; '' = not chosen yet, a missing required field). Only
	// an enterprise gets the small-firm levy exemption (DOMAIN.md §8): see Enterprise.
	UnitNature string
	// EconomyType is the 经济类型 (EconomyTypes; '' = not given, the field is optional).
	EconomyType string
	// ContactEmail is the contact's e-mail address ('' = none): messages are mailed there too.
	ContactEmail string
	UpdatedAt    time.Time
}

// Enterprise reports whether the unit is an enterprise (企业), the only nature that gets the
// small-firm levy exemption.
func (p Profile) Enterprise() bool { return p.UnitNature == UnitEnterprise }

// UnitEnterprise is the unit nature 企业.
const UnitEnterprise = "企业"

// UnitNatures lists the 单位性质 of a profile, in the order of the legacy summary tables.
func UnitNatures() []string {
	return []string{"企业", "机关", "事业单位", "社会团体", "民办非企业"}
}

// EconomyTypes lists the 经济类型 of a profile.
func EconomyTypes() []string {
	return []string{"国有", "集体", "私营", "外商投资", "港澳台投资", "其他"}
}

// ProfileInput is what an employer may change (CONTRACT.md PUT /employer). UnitNature, EconomyType
// and ContactEmail are pointers so that an API client that does not know a field keeps its value.
type ProfileInput struct {
	Name             string  `json:"name"`
	FederationOffice string  `json:"federationOffice"`
	TaxOffice        string  `json:"taxOffice"`
	District         string  `json:"district"`
	ContactName      string  `json:"contactName"`
	ContactPhone     string  `json:"contactPhone"`
	EmployeeCount    *int    `json:"employeeCount"`
	Address          string  `json:"address"`
	UnitNature       *string `json:"unitNature,omitempty"`
	EconomyType      *string `json:"economyType,omitempty"`
	ContactEmail     *string `json:"contactEmail,omitempty"`
}

// Affiliate kinds (CONTRACT.md).
const (
	KindSubsidiary = "subsidiary"
	KindDispatch   = "dispatch"
)

// KindLabel is the Chinese name of an affiliate kind for pages.
func KindLabel(kind string) string {
	switch kind {
	case KindSubsidiary:
		return "子公司"
	case KindDispatch:
		return "劳务派遣单位"
	}
	return kind
}

// Affiliate is a subsidiary or dispatch agency of an employer. Locked is set when a submitted
// declaration used it: from then on its credit code is fixed and its attachments can only grow,
// because the certified result rests on them.
//
// Review is the federation's review of the affiliate (DOMAIN.md §6): a new affiliate, a changed
// credit code or kind, or a rejected one changed again waits (pending) and its wage and insurance
// records count for the employer only once approved. Decision is the latest decided request.
type Affiliate struct {
	ID         int64
	EmployerID int64
	CreditCode string
	Name       string
	Kind       string
	Locked     bool
	Review     rules.ReviewStatus
	Decision   AffiliateDecision
	Files      []FileRef
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Deleted    bool
}

// AffiliateDecision is how the latest decided review of an affiliate ended: the reviewer's comment,
// or the objection of the unit the credit code belongs to (Objected). Zero when none was decided.
type AffiliateDecision struct {
	Status    rules.ReviewStatus
	Comment   string
	Objected  bool
	DecidedAt time.Time
}

// ReviewLabel is the affiliate's review state for pages.
func (a Affiliate) ReviewLabel() string {
	switch a.Review {
	case rules.ReviewPending:
		return "待残联审核"
	case rules.ReviewRejected:
		if a.Decision.Objected {
			return "审核未通过（对方单位提出异议）"
		}
		return "审核未通过"
	}
	return "审核通过"
}

// FileRef names an attachment without its bytes.
type FileRef struct {
	ID   string
	Name string
	Size int64
}

// AffiliateInput is the body of POST and PUT /employer/affiliates (CONTRACT.md).
type AffiliateInput struct {
	CreditCode string   `json:"creditCode"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	FileIDs    []string `json:"fileIds"`
}

// Region is an administrative division (GB/T 2260).
type Region struct {
	Code   string
	Name   string
	Parent string
}

// Office is a federation or tax office; Region is the division it serves.
type Office struct {
	Code   string
	Name   string
	Region string
}

// Office kinds of GET /offices?kind=.
const (
	OfficeFederation = "federation"
	OfficeTax        = "tax"
)

// Tx is what this package needs from the store, inside one transaction.
type Tx interface {
	Profile(ctx context.Context, id int64) (Profile, error)
	UpdateProfile(ctx context.Context, p Profile) error
	Region(ctx context.Context, code string) (Region, bool, error)
	RegionChildren(ctx context.Context, parent string) ([]Region, error)
	Offices(ctx context.Context, kind string, regions []string) ([]Office, error)
	Office(ctx context.Context, kind, code string) (Office, bool, error)

	Affiliates(ctx context.Context, employerID int64) ([]Affiliate, error)
	// Affiliate returns an affiliate of the employer, deleted ones included; found is false when no
	// such affiliate belongs to the employer.
	Affiliate(ctx context.Context, employerID, id int64) (a Affiliate, found bool, err error)
	LiveAffiliateByCode(ctx context.Context, employerID int64, creditCode string) (Affiliate, bool, error)
	// InsertAffiliate stores a new affiliate with its review state.
	InsertAffiliate(ctx context.Context, a Affiliate) (int64, error)
	// UpdateAffiliate stores the code, name and kind; never the review state.
	UpdateAffiliate(ctx context.Context, a Affiliate) error
	DeleteAffiliate(ctx context.Context, employerID, id int64) error
	// OpenAffiliateReview opens the review item (kind affiliate) of a request — the affiliate as it
	// is now, for the employer's federation office, counted in business year year — and sets the
	// affiliate's review to pending.
	OpenAffiliateReview(ctx context.Context, a Affiliate, year int) error
	// WithdrawAffiliateReview removes an affiliate's requests still pending and returns how many.
	WithdrawAffiliateReview(ctx context.Context, affiliateID int64) (int, error)
	// SetAffiliateFiles makes the live attachments of an affiliate exactly ids (soft-deleting the rest).
	SetAffiliateFiles(ctx context.Context, affiliateID int64, ids []string) error
	// OwnedFiles returns the files among ids that belong to the employer.
	OwnedFiles(ctx context.Context, employerID int64, ids []string) ([]FileRef, error)

	// EmployerByCode finds the registered employer with a credit code; found is false for none.
	EmployerByCode(ctx context.Context, creditCode string) (id int64, found bool, err error)
	// PostMessage posts a message to an employer (and queues its mail), in this transaction.
	PostMessage(ctx context.Context, m message.New) error

	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
}

// Service runs the employer use cases.
type Service struct {
	run func(ctx context.Context, fn func(Tx) error) error
}

// NewService returns a service that runs each use case through run (one transaction each).
func NewService(run func(ctx context.Context, fn func(Tx) error) error) *Service {
	return &Service{run: run}
}
