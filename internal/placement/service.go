package placement

import (
	"context"
	"fmt"
	"slices"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Service runs the placement use cases, each in one transaction with its audit record.
type Service struct {
	run    func(ctx context.Context, fn func(Tx) error) error
	source Source
	pii    Protector
	now    func() time.Time
}

// NewService wires the service: run is the store's transaction runner, source the official data.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, source Source, p Protector, now func() time.Time) *Service {
	return &Service{run: run, source: source, pii: p, now: now}
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
	err = s.run(ctx, func(tx Tx) error {
		if err := s.checkEditable(ctx, tx, a.EmployerID, year); err != nil {
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
		person.IDHash, person.IDSealed, person.IDMasked = hash, s.pii.Seal(person.IDNumber), idnum.MaskID(person.IDNumber)
		personID, err := tx.UpsertPerson(ctx, person)
		if err != nil {
			return err
		}
		pl := p.placement
		pl.EmployerID, pl.Year, pl.Person.ID, pl.Status = a.EmployerID, year, personID, Draft
		if id, err = tx.InsertPlacement(ctx, pl); err != nil {
			return err
		}
		if err := s.writeDetails(ctx, tx, id, p, nil); err != nil {
			return err
		}
		e := audit.For(a, "placement.create", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("year=%d person=%s", year, person.IDMasked)
		return tx.AppendAudit(ctx, e)
	})
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
		cur, err := s.ownPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkEditable(ctx, tx, a.EmployerID, cur.Year); err != nil {
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
		if err := s.writeDetails(ctx, tx, id, p, cur.Certificates); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.For(a, "placement.update", "placement", fmt.Sprint(id)))
	})
}

// writeDetails stores contracts and manual certificates. A certificate the federation already
// approved (in existing) is kept and not reviewed again; one it rejected may be entered again with
// new images, which opens a new review (the rejected record stays as history).
func (s *Service) writeDetails(ctx context.Context, tx Tx, id int64, p parsed, existing []ManualCertificate) error {
	if err := tx.ReplaceContracts(ctx, id, p.contracts); err != nil {
		return err
	}
	for _, c := range p.certificates {
		c.Hash, c.Sealed, c.Masked = s.pii.Hash(c.Number), s.pii.Seal(c.Number), idnum.MaskCertificate(c.Number)
		if slices.ContainsFunc(existing, func(e ManualCertificate) bool { return e.Hash == c.Hash && e.Review == ReviewApproved }) {
			continue
		}
		if err := tx.InsertManualCertificate(ctx, id, c); err != nil {
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
			bad["affiliateId"] = "关联单位不存在，请先在单位信息维护管理中添加"
		case err != nil:
			return err
		case p.placement.Dispatched && af.Kind != "dispatch":
			bad["affiliateId"] = "劳务派遣人员须选择劳务派遣单位类型的关联单位"
		case p.placement.Dispatched && af.Files == 0:
			// 残联厅函〔2022〕63号: the using employer counts a dispatched worker only with an agreement.
			bad["affiliateId"] = "该劳务派遣单位尚未上传劳务派遣协议，不能计入本单位"
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

// checkEditable refuses changes to a year that does not exist or whose declaration is submitted.
func (s *Service) checkEditable(ctx context.Context, tx Tx, employerID int64, year int) error {
	st, err := tx.YearState(ctx, employerID, year)
	if err != nil {
		return err
	}
	if !st.Exists {
		return apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
	}
	if st.Locked() {
		return errLocked()
	}
	return nil
}

// ownPlacement loads a placement the employer owns; another employer's is "not found".
func (s *Service) ownPlacement(ctx context.Context, tx Tx, a actor.Actor, id int64) (Placement, error) {
	if a.Role != actor.Employer {
		return Placement{}, apperr.New(apperr.Forbidden, "只有用人单位可以修改安置人员")
	}
	p, err := tx.LoadPlacement(ctx, id)
	if err != nil {
		return Placement{}, err
	}
	if p.EmployerID != a.EmployerID {
		return Placement{}, apperr.NotFoundf("安置人员")
	}
	return p, nil
}

// visiblePlacement loads a placement the actor may read: its employer, or staff whose federation
// office subtree holds the employer's office.
func (s *Service) visiblePlacement(ctx context.Context, tx Tx, a actor.Actor, id int64) (Placement, Employer, error) {
	p, err := tx.LoadPlacement(ctx, id)
	if err != nil {
		return Placement{}, Employer{}, err
	}
	emp, err := tx.Employer(ctx, p.EmployerID)
	if err != nil {
		return Placement{}, Employer{}, err
	}
	switch {
	case a.Role == actor.Employer && p.EmployerID == a.EmployerID:
		return p, emp, nil
	case a.IsStaff():
		ok, err := tx.OfficeWithin(ctx, emp.FederationOffice, a.Office)
		if err != nil {
			return Placement{}, Employer{}, err
		}
		if ok {
			return p, emp, nil
		}
	}
	return Placement{}, Employer{}, apperr.NotFoundf("安置人员")
}

// Reregister sends a placement back to draft (重新登记): its data is kept, its month selection and
// pending claims are withdrawn so the employer can correct and save again.
func (s *Service) Reregister(ctx context.Context, a actor.Actor, id int64) error {
	return s.run(ctx, func(tx Tx) error {
		p, err := s.ownPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkEditable(ctx, tx, a.EmployerID, p.Year); err != nil {
			return err
		}
		if p.Status == Draft {
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
			if c.Status == ReviewPending {
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

// Delete removes a placement with its months, claims and certificates.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id int64) error {
	return s.run(ctx, func(tx Tx) error {
		p, err := s.ownPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkEditable(ctx, tx, a.EmployerID, p.Year); err != nil {
			return err
		}
		if err := tx.DeletePlacement(ctx, id); err != nil {
			return err
		}
		e := audit.For(a, "placement.delete", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("year=%d person=%s", p.Year, p.Person.IDMasked)
		return tx.AppendAudit(ctx, e)
	})
}

// Summary is the year's overview of the placement list (CONTRACT.md).
type Summary struct {
	Persons, Confirmed, Pending, Rejected int
	// CountedMonths and WeightMonths count the selected months of confirmed placements only;
	// PendingMonths shows what waits for review beside them, never added in (DOMAIN.md §5).
	CountedMonths int
	WeightMonths  rules.WeightMonths
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
	err := s.run(ctx, func(tx Tx) error {
		st, err := tx.YearState(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		if !st.Exists {
			return apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
		}
		locked = st.Locked()
		rows, err = tx.ListPlacements(ctx, a.EmployerID, year)
		return err
	})
	if err != nil {
		return Summary{}, nil, err
	}
	sum := summarize(rows)
	sum.YearLocked = locked
	return sum, rows, nil
}

func summarize(rows []ListRow) Summary {
	var sum Summary
	for _, r := range rows {
		sum.Persons++
		switch r.Status {
		case Confirmed:
			sum.Confirmed++
			sum.CountedMonths += r.CountedMonths
			sum.WeightMonths += rules.WeightMonths(r.WeightMonths)
		case Pending:
			sum.Pending++
			sum.PendingMonths += r.CountedMonths
		case Rejected:
			sum.Rejected++
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
