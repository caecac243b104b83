package placement

import (
	"context"
	"fmt"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// 复制上年名单: an employer starts a business year from the persons it registered in an earlier one.
// Each copy is a new draft of the target year made from what the source placement holds — the
// person, the certificate it is registered with, the dispatched flag, the affiliate if it is still
// there, the contracts still in force in the target year (with their attachments) and the graduate
// record — and validated like a typed one (Input), so the grid of the target year verifies it
// against that year's records. Months, claims and historical certificates are not copied: they
// belong to the year they were decided in.

// CopyCandidate is a placement of the source year as the copy checklist shows it. Skip says why it
// cannot be copied ("" when it can): copying is decided by the same code that copies.
type CopyCandidate struct {
	FromID     int64
	Name       string
	IDMasked   string
	Status     Status
	Dispatched bool
	Skip       string
}

// CopyInput names the source year and, optionally, which of its placements to copy (none: all).
type CopyInput struct {
	FromYear     int
	PlacementIDs []int64
}

// Copied is one new draft and the placement it was copied from.
type Copied struct{ ID, FromID int64 }

// CopySkipped is a placement that was not copied, with the reason shown to the employer.
type CopySkipped struct {
	FromID int64
	Reason string
}

// CopyResult is the outcome of a copy (CONTRACT.md: created and skipped).
type CopyResult struct {
	Created []Copied
	Skipped []CopySkipped
}

// The reasons a placement is not copied.
const (
	skipPlacedAlready = "该人员本业务年度已登记"
	skipNotFound      = "未找到该人员的上年登记"
	skipNoContract    = "上年的劳动合同在本业务年度均已到期，请添加新合同后手动登记"
	skipAgencyGone    = "原劳务派遣单位已不在关联单位中，请手动登记"
)

// CopyCandidates lists the employer's placements of fromYear with what a copy to year would do.
func (s *Service) CopyCandidates(ctx context.Context, a actor.Actor, year, fromYear int) ([]CopyCandidate, error) {
	var out []CopyCandidate
	err := s.run(ctx, func(tx Tx) error {
		src, b, err := s.copySource(ctx, tx, a, year, fromYear, false)
		if err != nil {
			return err
		}
		for _, p := range src {
			_, skip, err := s.planCopy(b, year, p)
			if err != nil {
				return err
			}
			out = append(out, CopyCandidate{FromID: p.ID, Name: p.Person.Name, IDMasked: p.Person.IDMasked, Status: p.Status,
				Dispatched: p.Dispatched, Skip: skip})
		}
		return nil
	})
	return out, err
}

// Copy copies placements of in.FromYear into year as drafts, in one transaction: either every
// copyable one is created or nothing is. A placement whose person is already registered in year
// is skipped with its reason, so copying twice creates nothing the second time; a placement id
// that is not the employer's in FromYear is skipped as not found. It reads the source year, the
// target year's persons and the affiliates once, whatever the number of persons.
func (s *Service) Copy(ctx context.Context, a actor.Actor, year int, in CopyInput) (CopyResult, error) {
	var res CopyResult
	err := s.run(ctx, func(tx Tx) error {
		res = CopyResult{}
		src, b, err := s.copySource(ctx, tx, a, year, in.FromYear, true)
		if err != nil {
			return err
		}
		chosen := src
		if len(in.PlacementIDs) > 0 {
			byID := map[int64]Placement{}
			for _, p := range src {
				byID[p.ID] = p
			}
			chosen = nil
			seen := map[int64]bool{}
			for _, id := range in.PlacementIDs {
				if seen[id] {
					continue
				}
				seen[id] = true
				p, ok := byID[id]
				if !ok {
					res.Skipped = append(res.Skipped, CopySkipped{FromID: id, Reason: skipNotFound})
					continue
				}
				chosen = append(chosen, p)
			}
		}
		var plans []parsed
		var from []Placement
		for _, p := range chosen {
			plan, skip, err := s.planCopy(b, year, p)
			if err != nil {
				return err
			}
			if skip != "" {
				res.Skipped = append(res.Skipped, CopySkipped{FromID: p.ID, Reason: skip})
				continue
			}
			plans, from = append(plans, plan), append(from, p)
		}
		if err := s.checkFilesOwned(ctx, tx, a.EmployerID, plans); err != nil {
			return err
		}
		for i, plan := range plans {
			id, err := s.insert(ctx, tx, a, year, plan)
			if err != nil {
				return err
			}
			res.Created = append(res.Created, Copied{ID: id, FromID: from[i].ID})
			e := audit.For(a, "placement.copy", "placement", fmt.Sprint(id))
			e.Detail = fmt.Sprintf("year=%d from=%d fromYear=%d person=%s", year, from[i].ID, in.FromYear, from[i].Person.IDMasked)
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CopyResult{}, err
	}
	return res, nil
}

// copySource checks that the employer may add placements to year (write) or at least read them,
// and loads its placements of fromYear, an earlier business year, with what planning their copies
// needs of year.
func (s *Service) copySource(ctx context.Context, tx Tx, a actor.Actor, year, fromYear int, write bool) ([]Placement, bulk, error) {
	if a.Role != actor.Employer {
		return nil, bulk{}, apperr.New(apperr.Forbidden, "只有用人单位可以复制上年名单")
	}
	if write {
		// A copy creates placements: the target employer-year's lock first (issue 13).
		if err := tx.LockYear(ctx, a.EmployerID, year); err != nil {
			return nil, bulk{}, err
		}
	}
	emp, err := tx.Employer(ctx, a.EmployerID)
	if err != nil {
		return nil, bulk{}, err
	}
	if write {
		if err := s.checkWritable(ctx, tx, emp, year); err != nil {
			return nil, bulk{}, err
		}
	} else if st, err := tx.YearState(ctx, emp.ID, year); err != nil {
		return nil, bulk{}, err
	} else if !st.Exists {
		return nil, bulk{}, apperr.NotFoundf(fmt.Sprintf("%d业务年度", year))
	}
	if fromYear >= year {
		return nil, bulk{}, apperr.FieldErrors(map[string]string{"fromYear": "只能从之前的业务年度复制"})
	}
	st, err := tx.YearState(ctx, emp.ID, fromYear)
	if err != nil {
		return nil, bulk{}, err
	}
	if !st.Exists {
		return nil, bulk{}, apperr.NotFoundf(fmt.Sprintf("%d业务年度", fromYear))
	}
	src, err := tx.YearPlacements(ctx, emp.ID, fromYear)
	if err != nil {
		return nil, bulk{}, err
	}
	b, err := loadBulk(ctx, tx, emp.ID, year)
	return src, b, err
}

// planCopy decides what the copy of p into year would be: the validated input of the new draft,
// or the reason it is skipped. Only the attachments are left to check (checkFilesOwned, for all
// copies at once).
func (s *Service) planCopy(b bulk, year int, p Placement) (parsed, string, error) {
	if b.placed[p.Person.IDHash] {
		return parsed{}, skipPlacedAlready, nil
	}
	id, err := s.pii.Open(p.Person.IDSealed)
	if err != nil {
		return parsed{}, "", apperr.Wrap(apperr.Internal, "无法读取人员信息", err)
	}
	in := copyInput(p, id, year)
	if len(in.Contracts) == 0 {
		return parsed{}, skipNoContract, nil
	}
	if _, ok := b.agencies[p.AffiliateID]; p.AffiliateID != 0 && !ok {
		if p.Dispatched {
			return parsed{}, skipAgencyGone, nil
		}
		in.AffiliateID = 0 // a subsidiary deleted since: the copy has none
	}
	plan, err := in.validate(s.today())
	if err != nil {
		return parsed{}, firstField(apperr.As(err)), nil
	}
	if bad := b.refs(plan); len(bad) > 0 {
		return parsed{}, firstField(&apperr.Error{Fields: bad}), nil
	}
	return plan, "", nil
}

// firstField is one message of a refusal, the first in a stable order, for the skip reason.
func firstField(e *apperr.Error) string {
	best := ""
	for k := range e.Fields {
		if best == "" || k < best {
			best = k
		}
	}
	if best == "" {
		return e.Message
	}
	return e.Fields[best]
}

// copyInput is the input a copy of p into year is validated as: the contracts that cover at
// least one day of year, everything else as registered.
func copyInput(p Placement, idNumber string, year int) Input {
	in := Input{IDNumber: idNumber, Name: p.Person.Name, CertificateKind: string(p.CertificateKind), Category: p.Category,
		Level: p.Level, Grade: p.Grade, Dispatched: p.Dispatched, AffiliateID: p.AffiliateID,
		FemaleRetirementAge: p.FemaleRetirementAge}
	if g := p.Graduate; !g.IsZero() {
		in.Graduate = GraduateInput{School: g.School, Degree: g.Degree, Major: g.Major, DiplomaNumber: g.DiplomaNumber}
		if !g.Graduated.IsZero() {
			in.Graduate.Graduated = g.Graduated.String()
		}
	}
	first, last := rules.MonthOf(year, 1).First(), rules.MonthOf(year, 12).Last()
	for _, c := range p.Contracts {
		if last.Before(c.Start) || (!c.End.IsZero() && c.End.Before(first)) {
			continue
		}
		ci := ContractInput{Start: c.Start.String(), FileIDs: c.FileIDs}
		if !c.End.IsZero() {
			ci.End = c.End.String()
		}
		in.Contracts = append(in.Contracts, ci)
	}
	return in
}

// insert stores a validated person and draft placement of year with its details: Create's writes.
func (s *Service) insert(ctx context.Context, tx Tx, a actor.Actor, year int, p parsed) (int64, error) {
	person := p.person
	person.IDHash, person.IDSealed, person.IDMasked = s.pii.Hash(person.IDNumber), s.pii.Seal(person.IDNumber), idnum.MaskID(person.IDNumber)
	personID, err := tx.UpsertPerson(ctx, person)
	if err != nil {
		return 0, err
	}
	pl := p.placement
	pl.EmployerID, pl.Year, pl.Person.ID, pl.Status = a.EmployerID, year, personID, Draft
	if pl.ID, err = tx.InsertPlacement(ctx, pl); err != nil {
		return 0, err
	}
	return pl.ID, s.writeDetails(ctx, tx, pl, p, nil)
}

// bulk is what a copy or an import reads once for all its persons: who is registered in the
// target year already, and the employer's affiliates in force.
type bulk struct {
	placed   map[string]bool // person hashes with a placement in the year
	agencies map[int64]Affiliate
}

func loadBulk(ctx context.Context, tx Tx, employerID int64, year int) (bulk, error) {
	b := bulk{placed: map[string]bool{}, agencies: map[int64]Affiliate{}}
	hashes, err := tx.PlacedPersons(ctx, employerID, year)
	if err != nil {
		return bulk{}, err
	}
	for _, h := range hashes {
		b.placed[h] = true
	}
	afs, err := tx.LiveAffiliates(ctx, employerID)
	if err != nil {
		return bulk{}, err
	}
	for _, af := range afs {
		b.agencies[af.ID] = af
	}
	return b, nil
}

// refs is checkRefs's affiliate rule against the loaded affiliates.
func (b bulk) refs(p parsed) map[string]string {
	if p.placement.AffiliateID == 0 {
		return nil
	}
	af, ok := b.agencies[p.placement.AffiliateID]
	if !ok {
		return map[string]string{"affiliateId": errNoAffiliate}
	}
	if msg := agencyProblem(af, p.placement.Dispatched); msg != "" {
		return map[string]string{"affiliateId": msg}
	}
	return nil
}

// checkFilesOwned checks the attachments of all plans in one query (checkRefs's file rule).
func (s *Service) checkFilesOwned(ctx context.Context, tx Tx, employerID int64, plans []parsed) error {
	var files []string
	for _, p := range plans {
		files = append(files, p.fileIDs...)
	}
	files = uniq(files)
	if len(files) == 0 {
		return nil
	}
	n, err := tx.FilesOwned(ctx, employerID, files)
	if err != nil {
		return err
	}
	if n != len(files) {
		return apperr.FieldErrors(map[string]string{"files": "附件不存在或不属于本单位，请重新上传"})
	}
	return nil
}
