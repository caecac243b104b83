package review

import (
	"context"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
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
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	q := Query{Office: a.Office, Kind: f.Kind, District: f.District, Year: f.Year, Limit: f.Limit}
	switch st := rules.ReviewStatus(f.Status); st {
	case "":
		q.Status = rules.ReviewPending
	case rules.ReviewPending, rules.ReviewApproved, rules.ReviewRejected:
		q.Status = st
	case "all":
	default:
		return nil, apperr.FieldErrors(map[string]string{"status": "状态应为 pending、approved、rejected 或 all"})
	}
	switch f.Kind {
	case "", KindClaim, KindCertificate, KindReopen, KindAffiliate:
	default:
		return nil, apperr.FieldErrors(map[string]string{"kind": "类型应为 claim、certificate、reopen 或 affiliate"})
	}
	if f.District != "" && !allDigits(f.District) {
		return nil, apperr.FieldErrors(map[string]string{"district": "行政区划代码应为数字"})
	}
	if f.OlderThanDays < 0 || f.OlderThanDays > 3660 {
		return nil, apperr.FieldErrors(map[string]string{"age": "等待天数应在 0 到 3660 之间"})
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 500
	}
	q.Employer = strings.TrimSpace(f.Employer)
	if f.OlderThanDays > 0 {
		q.CreatedBefore = s.now().Add(-time.Duration(f.OlderThanDays) * 24 * time.Hour)
	}
	var out []Item
	err := s.run(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Queue(ctx, q)
		return err
	})
	return out, err
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) <= 6
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
			hist, err = tx.ReopenItems(ctx, d.Item.EmployerID, d.Item.Year)
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
	comment = strings.TrimSpace(comment)
	switch {
	case !approve && comment == "":
		return apperr.FieldErrors(map[string]string{"comment": "审核不通过时必须填写意见"})
	case len([]rune(comment)) > maxComment:
		return apperr.FieldErrors(map[string]string{"comment": fmt.Sprintf("意见不能超过%d个字", maxComment)})
	}
	status := rules.ReviewRejected
	if approve {
		status = rules.ReviewApproved
	}
	return s.run(ctx, func(tx Tx) error {
		it, err := visibleItem(ctx, tx, a, id)
		if err != nil {
			return err
		}
		// The item's employer-year first (issue 13), then the item again as the lock leaves it: a
		// decision never interleaves with the employer's save, deletion or submission.
		if err := tx.LockYear(ctx, it.EmployerID, it.Year); err != nil {
			return err
		}
		if it, err = visibleItem(ctx, tx, a, id); err != nil {
			return err
		}
		if it.Status != rules.ReviewPending {
			if it.Status == status {
				return nil // a double submit of the same decision is harmless
			}
			return apperr.New(apperr.Conflict, "该事项已审核（"+it.Status.Label()+"），审核结果不能更改")
		}
		ok, err := tx.Decide(ctx, id, status, a.UserID, comment)
		if err != nil {
			return err
		}
		if !ok { // decided by someone else meanwhile
			return apperr.New(apperr.Conflict, "该事项已被其他审核人员处理，请刷新后查看")
		}
		if err := s.apply(ctx, tx, it, status); err != nil {
			return err
		}
		e := audit.For(a, "review.decide", "review_item", fmt.Sprint(id))
		e.EmployerID = it.EmployerID
		e.Detail = fmt.Sprintf("kind=%s decision=%s employer=%s year=%d", it.Kind, status, it.EmployerCode, it.Year)
		if it.Month != "" {
			e.Detail += " month=" + it.Month
		}
		return tx.AppendAudit(ctx, e)
	})
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
	err := s.run(ctx, func(tx Tx) error {
		var err error
		t, err = tx.Tallies(ctx, a.Office, year)
		return err
	})
	if err != nil {
		return Dashboard{}, err
	}
	return dashboard(year, t), nil
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
