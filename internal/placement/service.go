package placement

import (
	"context"
	"fmt"
	"quotacert/internal/readtx"
	"slices"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Service runs the placement use cases, each in one transaction with its audit record.
type Service struct {
	run    func(ctx context.Context, fn func(Tx) error) error
	source Source
	pii    Protector
	now    func() time.Time
	limits DisclosureLimits
	seen   seenWindows // persons found counted in the disclosure windows (disclosure.go)
}

// NewService wires the service: run is the store's transaction runner, source the official data.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, source Source, p Protector, now func() time.Time) *Service {
	return &Service{run: run, source: source, pii: p, now: now, limits: DefaultDisclosureLimits(), seen: newSeenWindows()}
}

// DuplicateError is the cause of the conflict when a person is added twice in one year; ID is the
// existing placement, so a page can send the user there instead of failing a double click.
type DuplicateError struct{ ID int64 }

func (e *DuplicateError) Error() string { return fmt.Sprintf("placement %d exists", e.ID) }

// errLocked is the answer to any change of a submitted year.
func errLocked() error {
	return apperr.New(apperr.Conflict, "该业务年度已完成申报，不能新增、修改、删除或重新登记人员；如需修改，请先提交年审认证反馈并经残联审核通过")
}

func (s *Service) today() rules.Date { return rules.ChinaDate(s.now()) }

// Create registers a person for the employer's business year (添加残疾人 → 保存). The placement
// starts as a draft; its months are saved on the next step.
func (s *Service) Create(ctx context.Context, a actor.Actor, year int, in Input) (int64, error) {
	if a.Role != actor.Employer {
		return 0, apperr.New(apperr.Forbidden, "只有用人单位可以登记安置人员")
	}
	p, err := in.validate(s.today())
	if err != nil {
		return 0, err
	}
	var id int64
	var refused error
	err = s.run(ctx, func(tx Tx) error {
		if err := tx.LockYear(ctx, a.EmployerID, year); err != nil {
			return err
		}
		emp, err := tx.Employer(ctx, a.EmployerID)
		if err != nil {
			return err
		}
		if err := s.checkWritable(ctx, tx, emp, year); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, a.EmployerID, p); err != nil {
			return err
		}
		hash := s.pii.Hash(p.person.IDNumber)
		if existing, err := tx.PlacementIDFor(ctx, a.EmployerID, year, hash); err == nil {
			return apperr.Wrap(apperr.Conflict, "该人员本业务年度已登记，请勿重复添加", &DuplicateError{ID: existing})
		} else if apperr.CodeOf(err) != apperr.NotFound {
			return err
		}
		person := p.person
		person.IDHash, person.IDMasked = hash, idnum.MaskID(person.IDNumber)
		// The next page shows the person's certificates: it counts as a disclosure now.
		if refused, err = s.disclose(ctx, tx, a, "placement.create", person); err != nil || refused != nil {
			return err
		}
		if id, err = s.insert(ctx, tx, a, year, p); err != nil {
			return err
		}
		e := audit.For(a, "placement.create", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("year=%d person=%s", year, idnum.MaskID(p.person.IDNumber))
		return tx.AppendAudit(ctx, e)
	})
	if err == nil && refused != nil {
		return 0, refused
	}
	return id, err
}

// Update changes a draft placement's details (after 重新登记, or before its months were saved). The
// person's ID number is fixed: a different person is a different placement.
func (s *Service) Update(ctx context.Context, a actor.Actor, id int64, in Input) error {
	p, err := in.validate(s.today())
	if err != nil {
		return err
	}
	return s.run(ctx, func(tx Tx) error {
		cur, emp, err := s.lockedPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkWritable(ctx, tx, emp, cur.Year); err != nil {
			return err
		}
		if cur.Status != Draft {
			return apperr.New(apperr.Conflict, "只能修改未完成登记的人员；已确认或待审核的人员请先重新登记")
		}
		if s.pii.Hash(p.person.IDNumber) != cur.Person.IDHash {
			return apperr.FieldErrors(map[string]string{"idNumber": "身份证号不能修改；如登记错人，请删除后重新添加"})
		}
		if err := s.checkRefs(ctx, tx, a.EmployerID, p); err != nil {
			return err
		}
		upd := p.placement
		upd.ID, upd.EmployerID, upd.Year, upd.Status, upd.Person.ID = cur.ID, cur.EmployerID, cur.Year, Draft, cur.Person.ID
		if err := tx.UpdatePlacement(ctx, upd); err != nil {
			return err
		}
		person := p.person
		person.IDHash, person.IDSealed, person.IDMasked = cur.Person.IDHash, s.pii.Seal(person.IDNumber), cur.Person.IDMasked
		if _, err := tx.UpsertPerson(ctx, person); err != nil {
			return err
		}
		if err := tx.DeletePendingManualCertificates(ctx, id); err != nil {
			return err
		}
		if err := s.writeDetails(ctx, tx, upd, p, cur.Certificates); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "placement.update", "placement", fmt.Sprint(id)))
	})
}

// writeDetails stores contracts and manual certificates. A certificate the federation already
// approved (in existing) is kept and not reviewed again; one it rejected may be entered again with
// new images, which opens a new review (the rejected record stays as history).
func (s *Service) writeDetails(ctx context.Context, tx Tx, pl Placement, p parsed, existing []ManualCertificate) error {
	if err := tx.ReplaceContracts(ctx, pl.ID, p.contracts); err != nil {
		return err
	}
	for _, c := range p.certificates {
		c.Hash, c.Sealed, c.Masked = s.pii.Hash(c.Number), s.pii.Seal(c.Number), exchange.MaskCertificateNumber(c.Kind, c.Number)
		if slices.ContainsFunc(existing, func(e ManualCertificate) bool {
			return e.Hash == c.Hash && e.Kind.Veteran() == c.Kind.Veteran() && e.Review == rules.ReviewApproved
		}) {
			continue
		}
		certID, err := tx.InsertManualCertificate(ctx, pl.ID, c)
		if err != nil {
			return err
		}
		// A manual certificate counts only once the federation approves it (DOMAIN.md §3).
		if err := tx.OpenCertificateReview(ctx, pl, certID); err != nil {
			return err
		}
	}
	return nil
}

// checkRefs verifies the references an input makes: the affiliate and the attachments must be the
// employer's own.
func (s *Service) checkRefs(ctx context.Context, tx Tx, employerID int64, p parsed) error {
	bad := map[string]string{}
	if p.placement.AffiliateID != 0 {
		af, err := tx.Affiliate(ctx, employerID, p.placement.AffiliateID)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			bad["affiliateId"] = errNoAffiliate
		case err != nil:
			return err
		default:
			if msg := agencyProblem(af, p.placement.Dispatched); msg != "" {
				bad["affiliateId"] = msg
			}
		}
	}
	if len(p.fileIDs) > 0 {
		n, err := tx.FilesOwned(ctx, employerID, p.fileIDs)
		if err != nil {
			return err
		}
		if n != len(uniq(p.fileIDs)) {
			bad["files"] = "附件不存在或不属于本单位，请重新上传"
		}
	}
	if len(bad) > 0 {
		return apperr.FieldErrors(bad)
	}
	return nil
}

// errNoAffiliate is the refusal of an affiliate that is not (or no longer) the employer's.
const errNoAffiliate = "关联单位不存在，请先在单位信息维护管理中添加"

// agencyProblem is why a placement may not use the affiliate af, "" when it may: a dispatched
// person needs a dispatch agency, and that agency's agreement (残联厅函〔2022〕63号: the using
// employer counts a dispatched worker only with an agreement).
func agencyProblem(af Affiliate, dispatched bool) string {
	switch {
	case dispatched && af.Kind != "dispatch":
		return "劳务派遣人员须选择劳务派遣单位类型的关联单位"
	case dispatched && af.Files == 0:
		return "该劳务派遣单位尚未上传劳务派遣协议，不能计入本单位"
	}
	return ""
}

// checkWritable refuses every change of an employer's placements while its profile misses a
// required field (DOMAIN.md §6: the pages send the employer there first; the API answers 409), and
// changes to a year that does not exist or whose declaration is submitted.
func (s *Service) checkWritable(ctx context.Context, tx Tx, emp employer.Profile, year int) error {
	if err := employer.RequireComplete(emp); err != nil {
		return err
	}
	st, err := tx.YearState(ctx, emp.ID, year)
	if err != nil {
		return err
	}
	if !st.Exists {
		return apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
	}
	if st.Declaration.Locked() {
		return errLocked()
	}
	return nil
}

// ownPlacement loads a placement the employer owns, with the employer's profile; another
// employer's is "not found".
func (s *Service) ownPlacement(ctx context.Context, tx Tx, a actor.Actor, id int64) (Placement, employer.Profile, error) {
	if err := employerOnly(a); err != nil {
		return Placement{}, employer.Profile{}, err
	}
	p, err := tx.LoadPlacement(ctx, id)
	if err != nil {
		return Placement{}, employer.Profile{}, err
	}
	if p.EmployerID != a.EmployerID {
		return Placement{}, employer.Profile{}, apperr.NotFoundf("安置人员")
	}
	emp, err := tx.Employer(ctx, p.EmployerID)
	if err != nil {
		return Placement{}, employer.Profile{}, err
	}
	return p, emp, nil
}

// employerOnly refuses anyone but an employer's account: only it changes its placements.
func employerOnly(a actor.Actor) error {
	if a.Role != actor.Employer {
		return apperr.New(apperr.Forbidden, "只有用人单位可以修改安置人员")
	}
	return nil
}

// lockedPlacement is ownPlacement for a write: it locks the placement's employer-year first
// (Tx.LockYear) and reads the placement under the lock, so the write acts on what the write
// before it left (a save racing a submission, or two tabs saving). Which year to lock comes from
// the placement's row alone (Peek): loading the whole placement, its contracts and certificates
// and the employer twice made three of a save's statements in ten.
func (s *Service) lockedPlacement(ctx context.Context, tx Tx, a actor.Actor, id int64) (Placement, employer.Profile, error) {
	if err := employerOnly(a); err != nil {
		return Placement{}, employer.Profile{}, err
	}
	pk, err := tx.Peek(ctx, 0, id)
	if err != nil {
		return Placement{}, employer.Profile{}, err
	}
	if pk.EmployerID != a.EmployerID {
		// Another employer's year is not locked, and its placement is not named.
		return Placement{}, employer.Profile{}, apperr.NotFoundf("安置人员")
	}
	if err := tx.LockYear(ctx, pk.EmployerID, pk.Year); err != nil {
		return Placement{}, employer.Profile{}, err
	}
	return s.ownPlacement(ctx, tx, a, id)
}

// visiblePlacement loads a placement the actor may read: its employer, or staff whose federation
// office subtree holds the employer's office.
func (s *Service) visiblePlacement(ctx context.Context, tx Tx, a actor.Actor, id int64) (Placement, employer.Profile, error) {
	p, err := tx.LoadPlacement(ctx, id)
	if err != nil {
		return Placement{}, employer.Profile{}, err
	}
	emp, err := tx.Employer(ctx, p.EmployerID)
	if err != nil {
		return Placement{}, employer.Profile{}, err
	}
	switch {
	case a.Role == actor.Employer && p.EmployerID == a.EmployerID:
		return p, emp, nil
	case a.IsStaff():
		ok, err := tx.OfficeWithin(ctx, emp.FederationOffice, a.Office)
		if err != nil {
			return Placement{}, employer.Profile{}, err
		}
		if ok {
			return p, emp, nil
		}
	}
	return Placement{}, employer.Profile{}, apperr.NotFoundf("安置人员")
}

// Reregister sends a placement back to draft (重新登记): its data is kept, its month selection and
// pending claims are withdrawn so the employer can correct and save again.
func (s *Service) Reregister(ctx context.Context, a actor.Actor, id int64) error {
	return s.run(ctx, func(tx Tx) error {
		p, emp, err := s.lockedPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkWritable(ctx, tx, emp, p.Year); err != nil {
			return err
		}
		if p.Status == Draft && p.DraftReason == "" {
			return nil // already a draft: a double click changes nothing
		}
		if err := tx.ReplaceMonths(ctx, id, p.Person.ID, nil); err != nil {
			return err
		}
		claims, err := tx.Claims(ctx, id)
		if err != nil {
			return err
		}
		var pending []string
		for _, c := range claims {
			if c.Status == rules.ReviewPending {
				pending = append(pending, c.Month)
			}
		}
		if err := tx.DeleteClaims(ctx, id, pending); err != nil {
			return err
		}
		if err := tx.SetPlacementStatus(ctx, id, Draft, ""); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "placement.reregister", "placement", fmt.Sprint(id)))
	})
}

// Delete removes a placement from the employer's year. Its review history stays (issue 13): the
// row is kept, marked deleted, with its claims, certificates and their decisions, which reviewers
// still see; its months no longer count nor block the person at another employer, and its review
// items still waiting are closed with a comment saying why. Deleting it twice is "not found".
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64) error {
	return s.run(ctx, func(tx Tx) error {
		p, emp, err := s.lockedPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkWritable(ctx, tx, emp, p.Year); err != nil {
			return err
		}
		closed, err := tx.DeletePlacement(ctx, id, DeletedComment)
		if err != nil {
			return err
		}
		e := audit.For(a, "placement.delete", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("year=%d person=%s reviewItemsClosed=%d", p.Year, p.Person.IDMasked, closed)
		return tx.AppendAudit(ctx, e)
	})
}

// DeletedComment closes the review items of a deleted placement that were still waiting.
const DeletedComment = "单位已删除该人员，待审核事项随之关闭"

// Summary is the year's count of an employer's placements (CONTRACT.md; the list page and the
// declaration page): only the selected months of confirmed placements count; what waits for review
// is shown beside them, never added in (DOMAIN.md §5).
type Summary struct {
	Persons, Confirmed, Pending, Rejected, Draft int
	// Counted is the number of confirmed placements with at least one counted month: the persons a
	// certification letter names.
	Counted       int
	CountedMonths int
	WeightMonths  rules.WeightMonths
	// PendingMonths are the selected months of pending placements: what waits for review.
	PendingMonths int
	// YearLocked: the year is submitted, so the list offers no changes.
	YearLocked bool
}

// List returns the employer's placements of a year with the summary.
func (s *Service) List(ctx context.Context, a actor.Actor, year int) (Summary, []ListRow, error) {
	if a.Role != actor.Employer {
		return Summary{}, nil, apperr.New(apperr.Forbidden, "只有用人单位可以查看安置列表")
	}
	var rows []ListRow
	var locked bool
	err := s.run(readtx.Mark(ctx), func(tx Tx) error {
		st, err := tx.YearState(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		if !st.Exists {
			return apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
		}
		locked = st.Declaration.Locked()
		rows, err = tx.ListPlacements(ctx, a.EmployerID, year)
		return err
	})
	if err != nil {
		return Summary{}, nil, err
	}
	sum := Summarize(rows)
	sum.YearLocked = locked
	return sum, rows, nil
}

// Summarize counts a year's placements (Count on each saved selection).
func Summarize(rows []ListRow) Summary {
	var sum Summary
	for _, r := range rows {
		months, weight := Count(r.Months)
		sum.Persons++
		switch r.Status {
		case Confirmed:
			sum.Confirmed++
			sum.CountedMonths += months
			sum.WeightMonths += weight
			if months > 0 {
				sum.Counted++
			}
		case Pending:
			sum.Pending++
			sum.PendingMonths += months
		case Rejected:
			sum.Rejected++
		default:
			sum.Draft++
		}
	}
	return sum
}

func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
