package placement

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/exchange"
	"quotacert/internal/rules"
)

// MonthView is one column of the verification grid (seed 第四步) with the employer's selection.
type MonthView struct {
	rules.MonthResult
	Reasons []string
	// Selected is the saved selection, or for a placement whose months were never saved, the
	// default: passed months selected.
	Selected bool
	// TakenElsewhere: the month is counted or pending for this person at another employer.
	TakenElsewhere bool
	Claim          *Claim
}

// View is a placement opened in full: its data, the grid computed from current official data, and
// the saved selection.
type View struct {
	Placement
	Employer Employer
	Months   [12]MonthView
	Result   rules.Result
	// Saved reports whether the months were saved at least once.
	Saved bool
	// YearLocked: the year is submitted; nothing may change.
	YearLocked bool
	// Registry holds the registry's certificates of the person (full numbers: an authorised view).
	Registry []exchange.RegistryCertificate
}

// facts are the inputs of the rules engine read before the transaction: official data comes from the
// Source, which may be a remote service and must not run inside a database transaction.
type facts struct {
	registry []exchange.RegistryCertificate
	payments exchange.Payments
}

func (s *Service) readFacts(ctx context.Context, idNumber string, payers []string, year int) (facts, error) {
	certs, err := s.source.Certificates(ctx, idNumber)
	if err != nil {
		return facts{}, fmt.Errorf("read registry: %w", err)
	}
	pay, err := s.source.Payments(ctx, idNumber, payers, rules.MonthOf(year, 1), rules.MonthOf(year, 12))
	if err != nil {
		return facts{}, fmt.Errorf("read payments: %w", err)
	}
	return facts{registry: certs, payments: pay}, nil
}

// verify builds the engine's case from the placement and the facts.
func verify(p Placement, emp Employer, wages []rules.MinimumWage, f facts) rules.Result {
	c := rules.Case{
		Year: p.Year, Region: emp.District, MinimumWages: wages, Dispatched: p.Dispatched,
		Person: rules.Person{BirthDate: p.Person.BirthDate, Female: p.Person.Gender == "女", FemaleRetirementAge: p.FemaleRetirementAge},
		Wages:  f.payments.Wages, SocialInsurance: f.payments.Social, MedicalInsurance: f.payments.Medical,
	}
	for _, r := range f.registry {
		c.Certificates = append(c.Certificates, r.Rule())
	}
	for _, m := range p.Certificates {
		if m.Review == ReviewRejected {
			continue
		}
		c.Certificates = append(c.Certificates, rules.Certificate{Level: m.Level, Issued: m.Issued, ValidUntil: m.ValidUntil,
			Active: true, Manual: true, Approved: m.Review == ReviewApproved})
	}
	for _, k := range p.Contracts {
		c.Contracts = append(c.Contracts, rules.Contract{Start: k.Start, End: k.End})
	}
	return rules.Verify(c)
}

// pre reads, in a short transaction, what the engine needs from the database about a placement.
type pre struct {
	p      Placement
	emp    Employer
	payers []string
	wages  []rules.MinimumWage
	id     string // the person's full ID number
}

func (s *Service) load(ctx context.Context, a actor.Actor, id int64, own bool) (pre, error) {
	var out pre
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if own {
			out.p, err = s.ownPlacement(ctx, tx, a, id)
			if err == nil {
				out.emp, err = tx.Employer(ctx, out.p.EmployerID)
			}
		} else {
			out.p, out.emp, err = s.visiblePlacement(ctx, tx, a, id)
		}
		if err != nil {
			return err
		}
		if out.payers, err = tx.PayerCodes(ctx, out.p.EmployerID); err != nil {
			return err
		}
		out.wages, err = tx.MinimumWages(ctx)
		return err
	})
	if err != nil {
		return pre{}, err
	}
	if out.id, err = s.pii.Open(out.p.Person.IDSealed); err != nil {
		return pre{}, apperr.Wrap(apperr.Internal, "无法读取人员信息", err)
	}
	return out, nil
}

// Get opens a placement in full with its grid. Staff views of a person's full record are audited.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (View, error) {
	pr, err := s.load(ctx, a, id, false)
	if err != nil {
		return View{}, err
	}
	f, err := s.readFacts(ctx, pr.id, pr.payers, pr.p.Year)
	if err != nil {
		return View{}, err
	}
	v := View{Placement: pr.p, Employer: pr.emp, Registry: f.registry}
	v.Person.IDNumber = pr.id
	for i := range v.Certificates {
		if v.Certificates[i].Number, err = s.pii.Open(v.Certificates[i].Sealed); err != nil {
			return View{}, apperr.Wrap(apperr.Internal, "无法读取证件信息", err)
		}
	}
	v.Result = verify(pr.p, pr.emp, pr.wages, f)
	err = s.run(ctx, func(tx Tx) error {
		saved, err := tx.SavedMonths(ctx, id)
		if err != nil {
			return err
		}
		claims, err := tx.Claims(ctx, id)
		if err != nil {
			return err
		}
		taken, err := tx.MonthsTakenElsewhere(ctx, pr.p.Person.ID, id, yearMonths(pr.p.Year))
		if err != nil {
			return err
		}
		st, err := tx.YearState(ctx, pr.p.EmployerID, pr.p.Year)
		if err != nil {
			return err
		}
		v.YearLocked = st.Locked()
		v.Saved = len(saved) > 0
		v.fill(saved, claims, taken)
		if a.IsStaff() {
			e := audit.For(a, "placement.view", "placement", fmt.Sprint(id))
			e.Detail = "person=" + pr.p.Person.IDMasked
			return tx.AppendAudit(ctx, e)
		}
		return nil
	})
	return v, err
}

func (v *View) fill(saved []SavedMonth, claims []Claim, taken []string) {
	savedBy := map[string]SavedMonth{}
	for _, m := range saved {
		savedBy[m.Month] = m
	}
	claimBy := map[string]Claim{}
	for _, c := range claims {
		claimBy[c.Month] = c
	}
	for i, mr := range v.Result.Months {
		key := mr.Month.String()
		mv := MonthView{MonthResult: mr, Reasons: mr.Reasons(), TakenElsewhere: slices.Contains(taken, key)}
		if sm, ok := savedBy[key]; ok {
			mv.Selected = sm.Selected
		} else if len(saved) == 0 {
			mv.Selected = mr.Passed && !mv.TakenElsewhere
		}
		if c, ok := claimBy[key]; ok {
			mv.Claim = &c
		}
		v.Months[i] = mv
	}
}

func yearMonths(year int) []string {
	out := make([]string, 12)
	for i := range out {
		out[i] = rules.MonthOf(year, i+1).String()
	}
	return out
}

// ClaimInput is a failed month the employer selects with evidence (CONTRACT.md claims).
type ClaimInput struct {
	Month   string
	FileIDs []string
	Note    string
}

// SaveInput is the month selection of 保存，下一步 on the verification page.
type SaveInput struct {
	Selected []string
	Claims   []ClaimInput
}

// SaveMonths saves the month selection (DOMAIN.md §4): passed months of a non-dispatched person are
// always selected (locked); a failed month is selectable only as a claim with at least one file per
// failed check; a month counted or pending at another employer cannot be selected. The placement
// becomes confirmed when nothing waits for review, else pending. Saving the same selection twice
// leaves the same state.
func (s *Service) SaveMonths(ctx context.Context, a actor.Actor, id int64, in SaveInput) (Status, error) {
	pr, err := s.load(ctx, a, id, true)
	if err != nil {
		return "", err
	}
	f, err := s.readFacts(ctx, pr.id, pr.payers, pr.p.Year)
	if err != nil {
		return "", err
	}
	res := verify(pr.p, pr.emp, pr.wages, f)
	months, claims, err := plan(pr.p, res, in)
	if err != nil {
		return "", err
	}
	var status Status
	err = s.run(ctx, func(tx Tx) error {
		p, err := s.ownPlacement(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := s.checkEditable(ctx, tx, a.EmployerID, p.Year); err != nil {
			return err
		}
		if p.Status == Rejected {
			return apperr.New(apperr.Conflict, "该人员已被残联退回，请先重新登记后再保存")
		}
		var files []string
		for _, c := range claims {
			files = append(files, c.FileIDs...)
		}
		if len(files) > 0 {
			n, err := tx.FilesOwned(ctx, a.EmployerID, files)
			if err != nil {
				return err
			}
			if n != len(uniq(files)) {
				return apperr.FieldErrors(map[string]string{"claims": "证明材料不存在或不属于本单位，请重新上传"})
			}
		}
		var selected []string
		for _, m := range months {
			if m.Selected {
				selected = append(selected, m.Month)
			}
		}
		taken, err := tx.MonthsTakenElsewhere(ctx, p.Person.ID, id, selected)
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			bad := map[string]string{}
			for _, m := range taken {
				bad["months."+m] = m + " 该月已由其他单位申报"
			}
			return &apperr.Error{Code: apperr.Conflict, Message: "该月已由其他单位申报：" + strings.Join(taken, "、"), Fields: bad}
		}
		if err := tx.ReplaceMonths(ctx, id, p.Person.ID, months); err != nil {
			return err
		}
		if err := s.saveClaims(ctx, tx, p, claims); err != nil {
			return err
		}
		pending, err := tx.PendingReviewItems(ctx, id)
		if err != nil {
			return err
		}
		status = Confirmed
		if pending > 0 {
			status = Pending
		}
		if err := tx.SetPlacementStatus(ctx, id, status, ""); err != nil {
			return err
		}
		e := audit.For(a, "placement.months.save", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("selected=%d claims=%d status=%s", len(selected), len(claims), status)
		return tx.AppendAudit(ctx, e)
	})
	return status, err
}

// saveClaims makes the stored claims match the request: new claims wait for review; a claim already
// approved stays approved; a rejected one claimed again goes back to review with the new evidence;
// claims no longer requested are withdrawn unless already decided (kept as history).
func (s *Service) saveClaims(ctx context.Context, tx Tx, p Placement, claims []Claim) error {
	existing, err := tx.Claims(ctx, p.ID)
	if err != nil {
		return err
	}
	want := map[string]Claim{}
	for _, c := range claims {
		want[c.Month] = c
	}
	var withdraw []string
	for _, e := range existing {
		if _, ok := want[e.Month]; !ok && e.Status == ReviewPending {
			withdraw = append(withdraw, e.Month)
		}
	}
	if err := tx.DeleteClaims(ctx, p.ID, withdraw); err != nil {
		return err
	}
	for _, c := range claims {
		if i := slices.IndexFunc(existing, func(e Claim) bool { return e.Month == c.Month }); i >= 0 && existing[i].Status == ReviewApproved {
			continue
		}
		c.PlacementID, c.EmployerID, c.Year, c.Status = p.ID, p.EmployerID, p.Year, ReviewPending
		if err := tx.UpsertClaim(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// plan turns the request into the twelve saved months and the claims, enforcing the selection rules
// against the freshly computed grid. It is pure.
func plan(p Placement, res rules.Result, in SaveInput) ([]SavedMonth, []Claim, error) {
	bad := map[string]string{}
	want := map[string]bool{}
	inYear := func(field, s string) (string, bool) {
		m, err := rules.ParseMonth(strings.TrimSpace(s))
		if err != nil || m.Year() != p.Year {
			bad[field] = fmt.Sprintf("月份应为 %d 年内的 YYYY-MM", p.Year)
			return "", false
		}
		return m.String(), true
	}
	for i, s := range in.Selected {
		if m, ok := inYear(fmt.Sprintf("selected[%d]", i), s); ok {
			want[m] = true
		}
	}
	claimFor := map[string]ClaimInput{}
	for i, c := range in.Claims {
		m, ok := inYear(fmt.Sprintf("claims[%d].month", i), c.Month)
		if !ok {
			continue
		}
		if len([]rune(c.Note)) > 500 {
			bad[fmt.Sprintf("claims[%d].note", i)] = "说明不能超过500个字"
		}
		c.FileIDs = uniq(c.FileIDs)
		claimFor[m] = c
		want[m] = true
	}
	months := make([]SavedMonth, 0, 12)
	var claims []Claim
	levelWeight := 1
	if p.Level == 1 || p.Level == 2 {
		levelWeight = 2
	}
	for _, mr := range res.Months {
		key := mr.Month.String()
		sm := SavedMonth{Month: key, Passed: mr.Passed}
		switch {
		case mr.Passed:
			// Locked months of a non-dispatched person count whatever the request says.
			sm.Selected = want[key] || mr.Locked
			if sm.Selected {
				sm.Weight = mr.Weight
			}
		case mr.PendingCertificate && want[key] && len(claimFor[key].FileIDs) == 0:
			// Passes once the manual certificate is approved: selected, counted only after review.
			sm.Selected, sm.PendingCert, sm.Weight = true, true, mr.PendingWeight
		case want[key]:
			c, ok := claimFor[key]
			failed := failedChecks(mr)
			if !ok || len(c.FileIDs) < failed {
				bad["months."+key] = fmt.Sprintf("%s 核验未通过，勾选该月须为每项未通过的核验上传证明材料（共%d项）", key, failed)
				continue
			}
			sm.Selected, sm.Weight = true, levelWeight
			claims = append(claims, Claim{Month: key, FileIDs: c.FileIDs, Note: strings.TrimSpace(c.Note)})
		}
		months = append(months, sm)
	}
	for m := range claimFor {
		i := slices.IndexFunc(res.Months[:], func(r rules.MonthResult) bool { return r.Month.String() == m })
		if i >= 0 && res.Months[i].Passed {
			bad["months."+m] = m + " 已核验通过，无需申请审核"
		}
	}
	if len(bad) > 0 {
		return nil, nil, apperr.FieldErrors(bad)
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].Month < claims[j].Month })
	return months, claims, nil
}

// failedChecks counts the failed checks of a month: each needs its own evidence.
func failedChecks(mr rules.MonthResult) int {
	n := 0
	for _, ok := range []bool{mr.Wage, mr.SocialInsurance, mr.MedicalInsurance, mr.Certificate, mr.WorkingAge, mr.Contract} {
		if !ok {
			n++
		}
	}
	return n
}
