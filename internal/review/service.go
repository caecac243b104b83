package review

import (
	"cmp"
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"slices"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/message"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Service runs the reviewer's use cases, each in one transaction with its audit record.
type Service struct {
	run        func(ctx context.Context, fn func(Tx) error) error
	placements Placements
	now        func() time.Time
}

// NewService wires the service: run is the store's transaction runner, placements opens a person's
// grid for the item page.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, placements Placements, now func() time.Time) *Service {
	return &Service{run: run, placements: placements, now: now}
}

// maxComment bounds a reviewer's comment and a return reason.
const maxComment = 500

func staffOnly(a actor.Actor) error {
	if !a.IsStaff() || a.Office == "" {
		return apperr.New(apperr.Forbidden, "只有残联工作人员可以审核")
	}
	return nil
}

// Queue lists the review items of the reviewer's subtree, oldest first.
func (s *Service) Queue(ctx context.Context, a actor.Actor, f Filter) ([]Item, error) {
	q, err := s.query(a, f)
	if err != nil {
		return nil, err
	}
	var out []Item
	err = s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		if out, err = tx.Queue(ctx, q); err != nil {
			return err
		}
		return s.withDeadlines(ctx, tx, out)
	})
	return out, err
}

// Paging of the queue: a province's queue holds thousands of items in the busy months.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// QueuePage is one page of the queue with the figures for paging.
type QueuePage struct {
	Items                 []Item
	Total                 int // items matching the filter, all pages
	Page, PageSize, Pages int
}

// HasNext reports whether a page follows.
func (p QueuePage) HasNext() bool { return p.Page < p.Pages }

// QueuePaged lists one page of the queue (f.Page, f.PageSize) with the count of all matching
// items, in one read-only transaction.
func (s *Service) QueuePaged(ctx context.Context, a actor.Actor, f Filter) (QueuePage, error) {
	bad := map[string]string{}
	if f.Page < 0 {
		bad["page"] = "页码应为正整数"
	}
	if f.PageSize < 0 || f.PageSize > MaxPageSize {
		bad["pageSize"] = fmt.Sprintf("每页条数应在 1 到 %d 之间", MaxPageSize)
	}
	if len(bad) > 0 {
		return QueuePage{}, apperr.FieldErrors(bad)
	}
	page := QueuePage{Page: max(f.Page, 1), PageSize: f.PageSize}
	if page.PageSize == 0 {
		page.PageSize = DefaultPageSize
	}
	f.Limit = page.PageSize
	q, err := s.query(a, f)
	if err != nil {
		return QueuePage{}, err
	}
	q.Offset = (page.Page - 1) * page.PageSize
	err = s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		if page.Total, err = tx.QueueCount(ctx, q); err != nil {
			return err
		}
		if page.Items, err = tx.Queue(ctx, q); err != nil {
			return err
		}
		return s.withDeadlines(ctx, tx, page.Items)
	})
	page.Pages = max(1, (page.Total+page.PageSize-1)/page.PageSize)
	return page, err
}

// query checks a filter and turns it into the store's query, scoped to the reviewer's subtree.
func (s *Service) query(a actor.Actor, f Filter) (Query, error) {
	if err := staffOnly(a); err != nil {
		return Query{}, err
	}
	q := Query{Office: a.Office, Kind: f.Kind, District: f.District, Year: f.Year, Limit: f.Limit}
	switch st := rules.ReviewStatus(f.Status); st {
	case "":
		q.Status = rules.ReviewPending
	case rules.ReviewPending, rules.ReviewApproved, rules.ReviewRejected:
		q.Status = st
	case "all":
	default:
		return Query{}, apperr.FieldErrors(map[string]string{"status": "状态应为 pending、approved、rejected 或 all"})
	}
	switch f.Kind {
	case "", KindClaim, KindCertificate, KindReopen, KindAffiliate:
	default:
		return Query{}, apperr.FieldErrors(map[string]string{"kind": "类型应为 claim、certificate、reopen 或 affiliate"})
	}
	// A district filter is a region code: six digits or a shorter prefix of one.
	if f.District != "" && (!idnum.AllDigits(f.District) || len(f.District) > 6) {
		return Query{}, apperr.FieldErrors(map[string]string{"district": "行政区划代码应为数字"})
	}
	if f.OlderThanDays < 0 || f.OlderThanDays > 3660 {
		return Query{}, apperr.FieldErrors(map[string]string{"age": "等待天数应在 0 到 3660 之间"})
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 500
	}
	q.Employer = strings.TrimSpace(f.Employer)
	if f.OlderThanDays > 0 {
		q.CreatedBefore = s.now().Add(-time.Duration(f.OlderThanDays) * 24 * time.Hour)
	}
	return q, nil
}

// withDeadlines sets each item's due date from the calendar as it is now: an administrator's
// correction of a holiday moves the due dates of items opened before it too. The queue's order
// (oldest first) is the order of the due dates, which grow with the day an item was opened.
func (s *Service) withDeadlines(ctx context.Context, tx Tx, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	cal, err := tx.WorkCalendar(ctx)
	if err != nil {
		return err
	}
	today := rules.ChinaDate(s.now())
	for i := range items {
		items[i].Deadline = deadline(cal, today, items[i])
	}
	return nil
}

// deadline is an item's due date on cal, seen on today. It is pure.
func deadline(cal rules.Calendar, today rules.Date, it Item) Deadline {
	d := Deadline{Pending: it.Status == rules.ReviewPending}
	d.Due, d.Assumed = cal.ReviewDue(rules.ChinaDate(it.CreatedAt))
	if d.Pending {
		var assumed bool
		d.Left, assumed = cal.WorkingDaysBetween(today, d.Due)
		d.Assumed = d.Assumed || assumed
	}
	return d
}

// visibleItem loads an item the reviewer may see; outside the subtree it does not exist.
func visibleItem(ctx context.Context, tx Tx, a actor.Actor, id int64) (Item, error) {
	it, err := tx.Item(ctx, id)
	if err != nil {
		return Item{}, err
	}
	ok, err := tx.OfficeWithin(ctx, it.EmployerOffice, a.Office)
	if err != nil {
		return Item{}, err
	}
	if !ok {
		return Item{}, apperr.NotFoundf("审核事项")
	}
	return it, nil
}

// Detail is the item page: the item, its evidence, the placement's grid and the history.
type Detail struct {
	Item  Item
	Files []File
	// View is the person's grid (claims and certificates); nil for reopen requests.
	View *placement.View
	// FailedChecks are the reasons the claimed month failed.
	FailedChecks []string
	// History holds the other review items of the same placement (or earlier reopen requests, or
	// the affiliate's earlier requests).
	History []Item
	// Registered is the registered employer whose credit code an affiliate request names; nil when
	// the code is not registered (or for other kinds).
	Registered *Unit
}

// Get opens an item for review. Opening the person's grid is audited by the placement service.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (Detail, error) {
	if err := staffOnly(a); err != nil {
		return Detail{}, err
	}
	var d Detail
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if d.Item, err = visibleItem(ctx, tx, a, id); err != nil {
			return err
		}
		if d.Files, err = tx.ItemFiles(ctx, d.Item); err != nil {
			return err
		}
		one := []Item{d.Item}
		if err := s.withDeadlines(ctx, tx, one); err != nil {
			return err
		}
		d.Item = one[0]
		var hist []Item
		switch {
		case d.Item.PlacementID != 0:
			hist, err = tx.PlacementItems(ctx, d.Item.PlacementID)
		case d.Item.Kind == KindAffiliate:
			if hist, err = tx.AffiliateItems(ctx, d.Item.AffiliateID); err != nil {
				return err
			}
			if u, ok, err := tx.RegisteredUnit(ctx, d.Item.AffiliateCode); err != nil {
				return err
			} else if ok {
				d.Registered = &u
			}
		default:
			if hist, err = tx.ReopenItems(ctx, d.Item.EmployerID, d.Item.Year); err != nil {
				return err
			}
		}
		for _, h := range hist {
			if h.ID != id {
				d.History = append(d.History, h)
			}
		}
		return err
	})
	if err != nil || d.Item.PlacementID == 0 || d.Item.PlacementDeleted {
		// A deleted placement's items stay readable with their history; its grid is gone.
		return d, err
	}
	v, err := s.placements.Get(ctx, a, d.Item.PlacementID)
	if err != nil {
		return Detail{}, err
	}
	d.View = &v
	if d.Item.Month != "" {
		for _, m := range v.Months {
			if m.Month.String() == d.Item.Month {
				d.FailedChecks = m.Reasons
			}
		}
	}
	return d, nil
}

// Decide records a reviewer's decision on an item and applies its effects (DOMAIN.md §4–§6):
// an approved claim counts; a rejected claim releases its month; an approved manual certificate
// makes the months saved on it count; a rejected one releases them; a placement with nothing left
// to review becomes confirmed. An approved reopen request opens the year again and cancels the
// letter; a rejected one leaves the year submitted. An approved affiliate's records count for its
// employer from then on; a rejected one's never do. Decisions are final: the same decision again
// changes nothing, the opposite one is a conflict.
func (s *Service) Decide(ctx context.Context, a actor.Actor, id int64, approve bool, comment string) error {
	if err := staffOnly(a); err != nil {
		return err
	}
	comment, err := checkComment(approve, comment)
	if err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		_, err := s.decide(ctx, tx, a, id, approve, comment)
		return err
	})
}

// checkComment trims a reviewer's comment and refuses a rejection without one or one too long.
func checkComment(approve bool, comment string) (string, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case !approve && comment == "":
		return "", apperr.FieldErrors(map[string]string{"comment": "审核不通过时必须填写意见"})
	case len([]rune(comment)) > maxComment:
		return "", apperr.FieldErrors(map[string]string{"comment": fmt.Sprintf("意见不能超过%d个字", maxComment)})
	}
	return comment, nil
}

// decide is one decision inside the caller's transaction: the item, its effects, the message to
// the employer and the audit entry. changed is false when the same decision was recorded before.
func (s *Service) decide(ctx context.Context, tx Tx, a actor.Actor, id int64, approve bool, comment string) (changed bool, err error) {
	status := rules.ReviewRejected
	if approve {
		status = rules.ReviewApproved
	}
	it, err := visibleItem(ctx, tx, a, id)
	if err != nil {
		return false, err
	}
	// The item's employer-year first (issue 13), then the item again as the lock leaves it: a
	// decision never interleaves with the employer's save, deletion or submission.
	if err := tx.LockYear(ctx, it.EmployerID, it.Year); err != nil {
		return false, err
	}
	if it, err = visibleItem(ctx, tx, a, id); err != nil {
		return false, err
	}
	if it.Status != rules.ReviewPending {
		if it.Status == status {
			return false, nil // a double submit of the same decision is harmless
		}
		return false, apperr.New(apperr.Conflict, "该事项已审核（"+it.Status.Label()+"），审核结果不能更改")
	}
	ok, err := tx.Decide(ctx, id, status, a.UserID, comment)
	if err != nil {
		return false, err
	}
	if !ok { // decided by someone else meanwhile
		return false, apperr.New(apperr.Conflict, "该事项已被其他审核人员处理，请刷新后查看")
	}
	if err := s.apply(ctx, tx, it, status); err != nil {
		return false, err
	}
	if err := tx.PostMessage(ctx, decisionMessage(it, status, comment)); err != nil {
		return false, err
	}
	e := audit.For(a, "review.decide", "review_item", fmt.Sprint(id))
	e.EmployerID = it.EmployerID
	e.Detail = fmt.Sprintf("kind=%s decision=%s employer=%s year=%d", it.Kind, status, it.EmployerCode, it.Year)
	if it.Month != "" {
		e.Detail += " month=" + it.Month
	}
	return true, tx.AppendAudit(ctx, e)
}

// lockYears locks the employer-years of items in ascending (employer, year) order, each once.
func lockYears(ctx context.Context, tx Tx, items []Item) error {
	type key struct {
		employer int64
		year     int
	}
	var keys []key
	seen := map[key]bool{}
	for _, it := range items {
		if k := (key{it.EmployerID, it.Year}); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.employer, b.employer); c != 0 {
			return c
		}
		return cmp.Compare(a.year, b.year)
	})
	for _, k := range keys {
		if err := tx.LockYear(ctx, k.employer, k.year); err != nil {
			return err
		}
	}
	return nil
}

// MaxBatch bounds the claims of one batch approval.
const MaxBatch = 100

// BatchResult is what a batch approval did: the items it approved now and those approved before.
type BatchResult struct {
	Approved, Already int
}

// ApproveClaims approves several claims with one comment (批量通过), all in one transaction: each
// is decided, messaged and audited one by one as Decide would, and if any cannot be approved — not
// a claim, outside the reviewer's subtree, rejected before — nothing is. Claims approved before
// are counted, not changed, so a double submit is harmless.
func (s *Service) ApproveClaims(ctx context.Context, a actor.Actor, ids []int64, comment string) (BatchResult, error) {
	if err := staffOnly(a); err != nil {
		return BatchResult{}, err
	}
	comment, err := checkComment(true, comment)
	if err != nil {
		return BatchResult{}, err
	}
	seen := map[int64]bool{}
	var list []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			list = append(list, id)
		}
	}
	switch {
	case len(list) == 0:
		return BatchResult{}, apperr.FieldErrors(map[string]string{"ids": "请至少勾选一项核验未通过月份申请"})
	case len(list) > MaxBatch:
		return BatchResult{}, apperr.FieldErrors(map[string]string{"ids": fmt.Sprintf("一次最多批量通过 %d 项", MaxBatch)})
	}
	var res BatchResult
	err = s.run(ctx, func(tx Tx) error {
		res = BatchResult{}
		items := make([]Item, len(list))
		for i, id := range list {
			it, err := visibleItem(ctx, tx, a, id)
			if err != nil {
				return apperr.Wrap(apperr.As(err).Code, fmt.Sprintf("第 %d 号事项：%s，本次未作任何更改", id, apperr.As(err).Message), err)
			}
			if it.Kind != KindClaim {
				return apperr.New(apperr.Invalid, fmt.Sprintf("第 %d 号事项是%s，批量通过只用于核验未通过月份申请，本次未作任何更改", id, it.Kind.Label()))
			}
			items[i] = it
		}
		// A batch spans several employer-years: their locks (issue 13) are taken in one order,
		// employer then year, before any decision, so two batches cannot wait for each other.
		if err := lockYears(ctx, tx, items); err != nil {
			return err
		}
		for _, id := range list {
			changed, err := s.decide(ctx, tx, a, id, true, comment)
			if err != nil {
				return apperr.Wrap(apperr.As(err).Code, fmt.Sprintf("第 %d 号事项：%s，本次未作任何更改", id, apperr.As(err).Message), err)
			}
			if changed {
				res.Approved++
			} else {
				res.Already++
			}
		}
		return nil
	})
	return res, err
}

// decisionMessage tells the employer of a decision.
func decisionMessage(it Item, status rules.ReviewStatus, comment string) message.New {
	verdict := "已审核通过"
	if status == rules.ReviewRejected {
		verdict = "未通过审核"
	}
	m := message.New{EmployerID: it.EmployerID, Kind: message.KindReview}
	switch it.Kind {
	case KindClaim:
		m.Title = fmt.Sprintf("核验未通过月份申请%s：%s %s", verdict, it.PersonName, it.Month)
		m.Body = fmt.Sprintf("贵单位%d年度为 %s（%s）申请计入的 %s %s。", it.Year, it.PersonName, it.PersonMasked, it.Month, verdict)
		m.Link = fmt.Sprintf("/placements/%d", it.PlacementID)
	case KindCertificate:
		m.Title = fmt.Sprintf("历史残疾证件%s：%s", verdict, it.PersonName)
		m.Body = fmt.Sprintf("贵单位%d年度为 %s（%s）补充的历史残疾证件%s。", it.Year, it.PersonName, it.PersonMasked, verdict)
		m.Link = fmt.Sprintf("/placements/%d", it.PlacementID)
	case KindReopen:
		m.Kind = message.KindReopen
		m.Title = fmt.Sprintf("%d年度年审认证反馈%s", it.Year, verdict)
		if status == rules.ReviewApproved {
			m.Body = fmt.Sprintf("贵单位%d年度的年审认证反馈已审核通过：申报已重新打开，原确认书已作废，请修改后重新完成申报。", it.Year)
		} else {
			m.Body = fmt.Sprintf("贵单位%d年度的年审认证反馈未通过审核，原申报和确认书保持有效。", it.Year)
		}
		m.Link = "/declaration"
	case KindAffiliate:
		m.Kind = message.KindAffiliate
		m.Title = fmt.Sprintf("关联单位审核%s：%s", verdict, it.AffiliateName)
		m.Body = fmt.Sprintf("贵单位添加的关联单位 %s（%s）%s。", it.AffiliateName, it.AffiliateCode, verdict)
		m.Link = "/employer"
	}
	if comment != "" {
		m.Body += "审核意见：" + comment
	}
	return m
}

func (s *Service) apply(ctx context.Context, tx Tx, it Item, decision rules.ReviewStatus) error {
	approved := decision == rules.ReviewApproved
	switch it.Kind {
	case KindClaim:
		if !approved {
			if err := tx.ReleaseMonth(ctx, it.PlacementID, it.Month); err != nil {
				return err
			}
		}
	case KindCertificate:
		if err := tx.SetManualCertificateReview(ctx, it.ManualCertificateID, decision); err != nil {
			return err
		}
		// Months saved on a certificate count once it is approved; a rejection releases them
		// unless another certificate of the placement is still under review (it may yet carry them).
		if approved {
			if err := tx.CountCertificateMonths(ctx, it.PlacementID); err != nil {
				return err
			}
		} else {
			others, err := tx.PendingCertificates(ctx, it.PlacementID)
			if err != nil {
				return err
			}
			if others == 0 {
				if err := tx.ReleaseCertificateMonths(ctx, it.PlacementID); err != nil {
					return err
				}
			}
		}
	case KindReopen:
		if approved {
			if _, err := tx.SetDeclarationStatus(ctx, it.EmployerID, it.Year, rules.DeclarationReopenRequested, rules.DeclarationOpen); err != nil {
				return err
			}
			return tx.CancelLetter(ctx, it.EmployerID, it.Year)
		}
		_, err := tx.SetDeclarationStatus(ctx, it.EmployerID, it.Year, rules.DeclarationReopenRequested, rules.DeclarationSubmitted)
		return err
	case KindAffiliate:
		// From now on its records count for the employer (approved) or are shown as refused.
		return tx.SetAffiliateReview(ctx, it.AffiliateID, decision)
	}
	pending, err := tx.PendingItems(ctx, it.PlacementID)
	if err != nil {
		return err
	}
	p, err := tx.Placement(ctx, it.PlacementID)
	if err != nil {
		return err
	}
	if p.Status != placement.Pending || pending > 0 {
		return nil
	}
	// Nothing waits any more: 已确认 with a counted month left, else 未完成 (a rejection may have
	// released the last one; issue 13: no 已确认 placement certifies nothing).
	counted, err := tx.SelectedMonths(ctx, p.ID)
	if err != nil {
		return err
	}
	st, reason := placement.Settle(pending, counted)
	return tx.SetPlacementStatus(ctx, p.ID, st, reason)
}

// Return sends a whole placement back to the employer (退回, status rejected) with a reason; its
// pending review items are closed as rejected with that reason and its months released, so the
// employer re-registers (重新登记) or deletes it.
func (s *Service) Return(ctx context.Context, a actor.Actor, placementID int64, reason string) error {
	if err := staffOnly(a); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.FieldErrors(map[string]string{"reason": "退回时必须填写理由"})
	case len([]rune(reason)) > maxComment:
		return apperr.FieldErrors(map[string]string{"reason": fmt.Sprintf("理由不能超过%d个字", maxComment)})
	}
	return s.run(ctx, func(tx Tx) error {
		p, err := tx.Placement(ctx, placementID)
		if err != nil {
			return err
		}
		ok, err := tx.OfficeWithin(ctx, p.EmployerOffice, a.Office)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("安置人员")
		}
		// The employer-year's lock, then the placement as it leaves it (issue 13).
		if err := tx.LockYear(ctx, p.EmployerID, p.Year); err != nil {
			return err
		}
		if p, err = tx.Placement(ctx, placementID); err != nil {
			return err
		}
		switch p.Status {
		case placement.Rejected:
			return nil // returned already: a double submit changes nothing
		case placement.Draft:
			return apperr.New(apperr.Conflict, "该人员尚未完成登记，无需退回")
		}
		if p.Declaration != rules.DeclarationOpen {
			return apperr.New(apperr.Conflict, "该单位本年度已完成申报，不能退回人员；如需更正，请由单位提交年审认证反馈")
		}
		n, err := tx.ClosePendingItems(ctx, placementID, a.UserID, "人员被退回："+reason)
		if err != nil {
			return err
		}
		if err := tx.RejectPendingCertificates(ctx, placementID); err != nil {
			return err
		}
		if err := tx.ReleaseAllMonths(ctx, placementID); err != nil {
			return err
		}
		if err := tx.SetPlacementStatus(ctx, placementID, placement.Rejected, reason); err != nil {
			return err
		}
		if err := tx.PostMessage(ctx, message.New{EmployerID: p.EmployerID, Kind: message.KindReturn,
			Title: fmt.Sprintf("%d年度有安置人员被退回", p.Year),
			Body:  fmt.Sprintf("贵单位%d年度登记的一名安置人员被残联退回，退回理由：%s。请按理由修改后重新登记，或删除该人员。", p.Year, reason),
			Link:  fmt.Sprintf("/placements/%d", placementID)}); err != nil {
			return err
		}
		e := audit.For(a, "review.return", "placement", fmt.Sprint(placementID))
		e.EmployerID = p.EmployerID
		e.Detail = fmt.Sprintf("year=%d closed=%d", p.Year, n)
		return tx.AppendAudit(ctx, e)
	})
}

// Dashboard counts the year's placements, declarations and pending items of the reviewer's subtree,
// overall and by district. Year 0 means the business year being declared now (last year in China).
func (s *Service) Dashboard(ctx context.Context, a actor.Actor, year int) (Dashboard, error) {
	if err := staffOnly(a); err != nil {
		return Dashboard{}, err
	}
	if year == 0 {
		year = rules.ChinaDate(s.now()).Year - 1
	}
	var t Tallies
	var overdue, dueSoon int
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		var err error
		if t, err = tx.Tallies(ctx, a.Office, year); err != nil {
			return err
		}
		cal, err := tx.WorkCalendar(ctx)
		if err != nil {
			return err
		}
		today := rules.ChinaDate(s.now())
		cutoff, soon := cal.ReviewOverdueBefore(today), cal.ReviewDueWithinBefore(today, 3)
		if overdue, err = tx.PendingOpenedBefore(ctx, a.Office, year, rules.ChinaStart(cutoff)); err != nil {
			return err
		}
		n, err := tx.PendingOpenedBefore(ctx, a.Office, year, rules.ChinaStart(soon))
		dueSoon = n - overdue
		return err
	})
	if err != nil {
		return Dashboard{}, err
	}
	d := dashboard(year, t)
	d.Overdue, d.DueSoon = overdue, dueSoon
	return d, nil
}

// dashboard arranges the store's counts for the page, with the Chinese labels. It is pure.
func dashboard(year int, t Tallies) Dashboard {
	d := Dashboard{Year: year}
	byDistrict := map[string]*DistrictCount{}
	var order []string
	district := func(code, name string) *DistrictCount {
		if c, ok := byDistrict[code]; ok {
			return c
		}
		c := &DistrictCount{District: code, Name: name}
		byDistrict[code] = c
		order = append(order, code)
		return c
	}
	placements := map[placement.Status]int{}
	for _, n := range t.Placements {
		c := district(n.District, n.DistrictName)
		c.Persons += n.N
		st := placement.Status(n.Status)
		switch st {
		case placement.Confirmed:
			c.Confirmed += n.N
		case placement.Pending:
			c.Pending += n.N
		case placement.Rejected:
			c.Rejected += n.N
		default:
			c.Draft += n.N
		}
		placements[st] += n.N
	}
	for _, st := range []placement.Status{placement.Draft, placement.Pending, placement.Confirmed, placement.Rejected} {
		d.Placements = append(d.Placements, Count{Key: string(st), Label: st.Label(), N: placements[st]})
	}
	declarations := map[rules.DeclarationStatus]int{}
	for _, n := range t.Declarations {
		c := district(n.District, n.DistrictName)
		st := rules.DeclarationStatus(n.Status)
		switch st {
		case rules.DeclarationSubmitted:
			c.Submitted += n.N
		case rules.DeclarationReopenRequested:
			c.ReopenRequested += n.N
		}
		declarations[st] += n.N
	}
	for _, st := range rules.DeclarationStatuses() {
		d.Declarations = append(d.Declarations, Count{Key: string(st), Label: st.Label(), N: declarations[st]})
	}
	for _, k := range Kinds() {
		d.Items = append(d.Items, Count{Key: string(k), Label: k.Label(), N: t.PendingItems[k]})
	}
	for _, code := range order {
		d.Districts = append(d.Districts, *byDistrict[code])
	}
	return d
}
