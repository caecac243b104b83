// Package review is the federation's side of the yearly certification (审核): a reviewer works
// through the pending review items of the employers in the reviewer's federation office subtree —
// claimed months, manual certificates, reopen requests (年审认证反馈) and affiliates — approves or rejects them
// with a comment, and may return (退回) a whole placement. Decisions are final and audited; their
// effects on the employer's months, placement status and declaration are written in the same
// transaction, so the employer sees them at once (DOMAIN.md §4–§5).
package review

import (
	"context"
	"fmt"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/audit"
	"quotacert/internal/message"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Kind is what a review item asks the reviewer to decide.
type Kind string

// Review item kinds (CONTRACT.md).
const (
	KindClaim       Kind = "claim"
	KindCertificate Kind = "certificate"
	KindReopen      Kind = "reopen"
	// KindAffiliate is a new affiliate or a changed one (DOMAIN.md §6): its records count for the
	// employer only once approved. The unit the credit code belongs to may object, which rejects it.
	KindAffiliate Kind = "affiliate"
)

// Label is the kind's Chinese name for pages.
func (k Kind) Label() string {
	switch k {
	case KindClaim:
		return "核验未通过月份申请"
	case KindCertificate:
		return "历史残疾证件"
	case KindReopen:
		return "年审认证反馈"
	case KindAffiliate:
		return "关联单位审核"
	}
	return string(k)
}

// Kinds lists the kinds of review item, in the order pages show them.
func Kinds() []Kind { return []Kind{KindClaim, KindCertificate, KindReopen, KindAffiliate} }

// Item is one review item (审核事项) with what the queue and the item page show: a claim (kind
// claim, placement.Claim on the employer's side), a manual certificate or a reopen request. It carries no identifier of
// the person except the masked one: the full record is opened through placement.Service.Get, which
// audits staff views.
type Item struct {
	ID                  int64
	Kind                Kind
	EmployerID          int64
	EmployerCode        string
	EmployerName        string
	EmployerOffice      string
	District            string
	DistrictName        string
	Year                int
	PlacementID         int64 // 0 for a reopen request
	PersonName          string
	PersonMasked        string
	Month               string // claims only
	ManualCertificateID int64  // certificates only
	Note                string // the employer's note or reopen reason
	// The affiliate of an affiliate request: AffiliateCode is the credit code asked for.
	AffiliateID   int64
	AffiliateCode string
	AffiliateName string
	AffiliateKind string
	Status        rules.ReviewStatus
	CreatedAt     time.Time
	DecidedBy     string
	DecidedAt     time.Time
	Comment       string
	// Objected: the request was rejected by the objection of the unit its credit code belongs to
	// (Comment holds the reason, DecidedBy that unit's account).
	Objected bool
	// PlacementDeleted: the employer deleted the item's placement; the item stays as history.
	PlacementDeleted bool
	// Deadline is the item's statutory time limit (法定办结时限), set by the service from the
	// working-day calendar when it lists or opens items.
	Deadline Deadline
}

// Deadline is a review item's due date: ReviewWorkingDays working days after the China date it
// was opened (rules.Calendar.ReviewDue).
type Deadline struct {
	Due rules.Date
	// Assumed: a year between opening and the due date has no calendar entered, Monday–Friday was
	// assumed, and the date may still move.
	Assumed bool
	// Left counts the working days from today to the due date: 0 on the day, negative once
	// overdue. Only for pending items (a decided item has no deadline any more).
	Left int
	// Pending: the item waits for a decision, so Left and Overdue mean something.
	Pending bool
}

// Overdue reports whether a pending item is past its due date.
func (d Deadline) Overdue() bool { return d.Pending && d.Left < 0 }

// Soon reports whether a pending item is due within three working days.
func (d Deadline) Soon() bool { return d.Pending && d.Left >= 0 && d.Left <= 3 }

// Label is the deadline as the queue shows it.
func (d Deadline) Label() string {
	if d.Due.IsZero() {
		return ""
	}
	s := d.Due.String()
	switch {
	case !d.Pending:
	case d.Left < 0:
		s += fmt.Sprintf("（已超期 %d 个工作日）", -d.Left)
	case d.Left == 0:
		s += "（今日到期）"
	default:
		s += fmt.Sprintf("（剩余 %d 个工作日）", d.Left)
	}
	if d.Assumed {
		s += "，暂按周一至周五计算"
	}
	return s
}

// Unit is a registered employer as a review shows it: an affiliate request's reviewer sees the
// record of the unit whose credit code is asked for, when it is registered.
type Unit struct {
	CreditCode   string
	Name         string
	DistrictName string
	OfficeName   string
	CreatedAt    time.Time
}

// File is an evidence attachment of an item.
type File struct {
	ID          string
	Name        string
	ContentType string
	Check       string // which failed check it is for, when the employer said so
}

// Inline reports whether a browser can show the file in the page (images and PDF).
func (f File) Inline() bool {
	switch f.ContentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf":
		return true
	}
	return false
}

// Image reports whether the file is an image (shown with <img>, PDF with <object>).
func (f File) Image() bool { return f.Inline() && f.ContentType != "application/pdf" }

// Filter narrows the queue. Zero values mean "any".
type Filter struct {
	Status   string // pending (the default), approved, rejected or all
	Kind     Kind
	Employer string // credit code or part of the name
	District string // region code prefix
	Year     int
	// OlderThanDays keeps items waiting at least that many days (age filter).
	OlderThanDays int
	Limit         int
	// Page and PageSize select one page of the queue (QueuePage): page from 1, 50 a page by default.
	Page, PageSize int
}

// Query is the filter as the store runs it: Office is the reviewer's office (the subtree root),
// Status "" any status, CreatedBefore the age limit as an instant (zero: none).
type Query struct {
	Office        string
	Status        rules.ReviewStatus
	Kind          Kind
	Employer      string // credit code or part of the name
	District      string // region code prefix
	Year          int
	CreatedBefore time.Time
	Limit         int
	Offset        int // rows skipped before the first (paging)
}

// Placement is what decisions need to know of a placement.
type Placement struct {
	ID         int64
	EmployerID int64
	Year       int
	Status     placement.Status
	// EmployerOffice decides jurisdiction; Declaration is the year's declaration status (open when
	// none yet): a submitted year cannot lose a person behind the employer's back.
	EmployerOffice string
	Declaration    rules.DeclarationStatus
}

// Count is one cell of the dashboard.
type Count struct {
	Key, Label string
	N          int
}

// DistrictCount is one district's line of the dashboard.
type DistrictCount struct {
	District, Name                              string
	Employers, Persons, Confirmed, Pending      int
	Rejected, Draft, Submitted, ReopenRequested int
}

// Tally is one count the store makes for the dashboard: N of a status in a district.
type Tally struct {
	District, DistrictName string
	Status                 string
	N                      int
}

// Tallies are a year's counts in an office subtree: placements and declarations by district and
// status, pending review items by kind.
type Tallies struct {
	Placements, Declarations []Tally
	PendingItems             map[Kind]int
}

// Dashboard is the reviewer's overview of a year within the reviewer's subtree.
type Dashboard struct {
	Year         int
	Placements   []Count // by placement status
	Items        []Count // pending review items by kind
	Declarations []Count // by declaration status
	Districts    []DistrictCount
	// Overdue counts the year's pending items past their due date; DueSoon those due within three
	// working days.
	Overdue, DueSoon int
}

// Tx is what review use cases need from the store, inside one transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Entry) error
	// LockYear locks the employer's business year (its declaration row): a decision on one of its
	// items takes it first, like every write of the year (issue 13).
	LockYear(ctx context.Context, employerID int64, year int) error
	// SelectedMonths counts a placement's selected months (what counts once it is confirmed).
	SelectedMonths(ctx context.Context, placementID int64) (int, error)
	OfficeWithin(ctx context.Context, office, ancestor string) (bool, error)

	Queue(ctx context.Context, q Query) ([]Item, error)
	// QueueCount counts the items Queue would list without its limit and offset.
	QueueCount(ctx context.Context, q Query) (int, error)
	Item(ctx context.Context, id int64) (Item, error)
	ItemFiles(ctx context.Context, it Item) ([]File, error)
	PlacementItems(ctx context.Context, placementID int64) ([]Item, error)
	ReopenItems(ctx context.Context, employerID int64, year int) ([]Item, error)
	// Decide records a decision on a pending item; false when it was no longer pending (a
	// concurrent decision won).
	Decide(ctx context.Context, id int64, status rules.ReviewStatus, by int64, comment string) (bool, error)
	Placement(ctx context.Context, id int64) (Placement, error)
	// ReleaseMonth deselects a month: it no longer counts and no longer blocks the person-month
	// at other employers.
	ReleaseMonth(ctx context.Context, placementID int64, month string) error
	SetManualCertificateReview(ctx context.Context, certID int64, review rules.ReviewStatus) error
	// PendingCertificates counts a placement's manual certificates still under review.
	PendingCertificates(ctx context.Context, placementID int64) (int, error)
	// CountCertificateMonths lets the months saved on a manual certificate under review count.
	CountCertificateMonths(ctx context.Context, placementID int64) error
	// ReleaseCertificateMonths deselects the months saved on a manual certificate under review.
	ReleaseCertificateMonths(ctx context.Context, placementID int64) error
	PendingItems(ctx context.Context, placementID int64) (int, error)
	// SetPlacementStatus sets a placement's status with its reason (placement.Tx.SetPlacementStatus).
	SetPlacementStatus(ctx context.Context, id int64, s placement.Status, reason string) error
	// ClosePendingItems rejects a placement's pending items with a comment; it returns how many.
	ClosePendingItems(ctx context.Context, placementID int64, by int64, comment string) (int, error)
	// RejectPendingCertificates rejects a placement's manual certificates still under review.
	RejectPendingCertificates(ctx context.Context, placementID int64) error
	ReleaseAllMonths(ctx context.Context, placementID int64) error
	// AffiliateItems lists an affiliate's requests, oldest first (its history).
	AffiliateItems(ctx context.Context, affiliateID int64) ([]Item, error)
	// RegisteredUnit finds the registered employer with a credit code.
	RegisteredUnit(ctx context.Context, creditCode string) (Unit, bool, error)
	SetAffiliateReview(ctx context.Context, affiliateID int64, review rules.ReviewStatus) error
	// AffiliateRequests lists the requests of live affiliates whose credit code is the employer's
	// own: other employers asking to count it as their affiliate, newest first.
	AffiliateRequests(ctx context.Context, employerID int64) ([]Item, error)
	// Object rejects a pending affiliate request on the objection of its unit; false when it was
	// no longer pending.
	Object(ctx context.Context, id int64, by int64, reason string) (bool, error)
	SetDeclarationStatus(ctx context.Context, employerID int64, year int, from, to rules.DeclarationStatus) (bool, error)
	CancelLetter(ctx context.Context, employerID int64, year int) error
	Tallies(ctx context.Context, office string, year int) (Tallies, error)

	// WorkCalendar is the working-day calendar of every year entered (工作日历).
	WorkCalendar(ctx context.Context) (rules.Calendar, error)
	// PendingOpenedBefore counts the year's pending items of the subtree opened before t.
	PendingOpenedBefore(ctx context.Context, office string, year int, t time.Time) (int, error)
	// PostMessage posts a message to an employer (and queues its mail), in this transaction.
	PostMessage(ctx context.Context, m message.New) error
}

// Placements opens a placement in full for the item page (placement.Service; it audits staff views).
type Placements interface {
	Get(ctx context.Context, a actor.Actor, id int64) (placement.View, error)
}
