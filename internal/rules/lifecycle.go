package rules

// The lifecycles of DOMAIN.md §5 that several domain packages share: an employer's declaration of a
// business year and the federation's decision on a review item. (A placement's own status is
// placement.Status: only packages above placement read it.) The values are those of CONTRACT.md.

// DeclarationStatus is the state of an employer's declaration of a business year.
type DeclarationStatus string

// Declaration statuses: open → submitted (完成申报) → reopen-requested → open (request approved)
// or back to submitted (request rejected). A year without a declaration row is open.
const (
	DeclarationOpen            DeclarationStatus = "open"
	DeclarationSubmitted       DeclarationStatus = "submitted"
	DeclarationReopenRequested DeclarationStatus = "reopen-requested"
)

// Label is the status in Chinese.
func (s DeclarationStatus) Label() string {
	switch s {
	case DeclarationOpen:
		return "未申报"
	case DeclarationSubmitted:
		return "已完成申报"
	case DeclarationReopenRequested:
		return "年审认证反馈待审核"
	}
	return string(s)
}

// Locked reports whether the year is closed to changes: after 完成申报 nothing may be added, edited,
// deleted or re-registered until a reopen request is approved (seed 第七步).
func (s DeclarationStatus) Locked() bool {
	return s == DeclarationSubmitted || s == DeclarationReopenRequested
}

// DeclarationStatuses lists every status in lifecycle order (for counts and filters).
func DeclarationStatuses() []DeclarationStatus {
	return []DeclarationStatus{DeclarationOpen, DeclarationSubmitted, DeclarationReopenRequested}
}

// ReviewStatus is the state of a review item (审核事项): a claimed month, a manual certificate, a
// reopen request. Decisions are final.
type ReviewStatus string

// Review statuses: pending → approved | rejected.
const (
	ReviewPending  ReviewStatus = "pending"
	ReviewApproved ReviewStatus = "approved"
	ReviewRejected ReviewStatus = "rejected"
)

// Label is the status in Chinese.
func (s ReviewStatus) Label() string {
	switch s {
	case ReviewPending:
		return "待审核"
	case ReviewApproved:
		return "审核通过"
	case ReviewRejected:
		return "审核不通过"
	}
	return string(s)
}
