package placement

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
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
	// Hold says why an affiliate's records do not count in the month yet ("2025-03 关联单位待审核：…"),
	// "" when nothing holds it. A held month cannot be selected or claimed.
	Hold  string
	Claim *Claim
}

// View is a placement opened in full: its data, the grid computed from current official data, and
// the saved selection.
type View struct {
	Placement
	Employer employer.Profile
	Months   [12]MonthView
	Result   rules.Result
	// Saved holds the months as saved (none until the months are saved once): what counts.
	Saved []SavedMonth
	// YearLocked: the year is submitted; nothing may change.
	YearLocked bool
	// Registry holds the registry's certificates of the person (full numbers: an authorised view).
	Registry []exchange.RegistryCertificate
}

// Stamp counts the writes to what a placement's grid is computed from: the placement's own data
// and its person's months at any employer, its employer's profile, affiliates and declaration, and
// the reference data (official records, minimum wages, business years). The store raises the
// counters in the transaction of every such write, so a view computed after the stamp was read
// is the view while the stamp reads the same: the grid page keeps what it rendered and shows it
// again without loading and verifying the placement. Under PostgreSQL's READ COMMITTED each
// statement sees what had committed when it began, so what is read after the stamp is at least as
// new: a page kept at its stamp can be newer than the stamp says, never older.
//
// Placements is the counter of the placement for a grid, and of all the employer's placements for
// the list (ListStamp).
type Stamp struct{ Placements, Employer, Reference int64 }

// Peeked is what Peek reads of a placement: whose it is, whom it names, and its stamp.
type Peeked struct {
	EmployerID int64
	Year       int    // the placement's business year (0 for a list's peek)
	Person     Person // ID, IDHash and IDMasked only
	Stamp      Stamp
}

// Peek checks an employer's view of a placement as Get does — the placement is the employer's
// and live, and its person is counted in the disclosure budget (a refusal is the same error) — and
// reads its stamp, without loading or verifying the placement: the caller may show again a view
// it kept at the same stamp, or keep the view it gets next (Get) at this one. ok is false for
// staff, whose every view is audited by Get.
func (s *Service) Peek(ctx context.Context, a actor.Actor, id int64) (st Stamp, ok bool, err error) {
	if a.Role != actor.Employer {
		return Stamp{}, false, nil
	}
	var refused error
	err = readFirst(ctx, func(ctx context.Context) error {
		return s.run(ctx, func(tx Tx) error {
			pk, err := tx.Peek(ctx, 0, id)
			if err != nil {
				return err
			}
			if pk.EmployerID != a.EmployerID {
				return apperr.NotFoundf("安置人员")
			}
			if refused, err = s.disclose(ctx, tx, a, "placement.read", pk.Person); err != nil || refused != nil {
				return err
			}
			st = pk.Stamp
			return nil
		})
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return Stamp{}, false, err
	}
	return st, true, nil
}

// IsSaved reports whether the months were saved at least once.
func (v View) IsSaved() bool { return len(v.Saved) > 0 }

// CountedMonths is the number of selected months saved (Count).
func (v View) CountedMonths() int { n, _ := Count(v.Saved); return n }

// WeightMonths is the weight of the selected months saved (Count): ÷ 12 the equivalent persons.
func (v View) WeightMonths() rules.WeightMonths { _, w := Count(v.Saved); return w }

// readRecords reads what the rules engine needs from the official data. The Source may be a remote
// service, so it is never called inside a database transaction; it answers in one read.
func (s *Service) readRecords(ctx context.Context, idNumber string, payers []string, year int) (exchange.Records, error) {
	r, err := s.source.Records(ctx, idNumber, payers, rules.MonthOf(year, 1), rules.MonthOf(year, 12))
	if err != nil {
		return exchange.Records{}, fmt.Errorf("read official records: %w", err)
	}
	return r, nil
}

// verify builds the engine's case from the placement and the official records.
func verify(p Placement, emp employer.Profile, wages []rules.MinimumWage, r exchange.Records) rules.Result {
	c := rules.Case{
		Year: p.Year, Region: emp.District, MinimumWages: wages, Dispatched: p.Dispatched,
		Person: rules.Person{BirthDate: p.Person.BirthDate, Female: p.Person.Gender == "女", FemaleRetirementAge: p.FemaleRetirementAge},
		Wages:  r.Payments.Wages, SocialInsurance: r.Payments.Social, MedicalInsurance: r.Payments.Medical,
	}
	for _, rc := range r.Certificates {
		c.Certificates = append(c.Certificates, rc.Rule())
	}
	for _, m := range p.Certificates {
		if rc, ok := m.Rule(); ok {
			c.Certificates = append(c.Certificates, rc)
		}
	}
	for _, k := range p.Contracts {
		c.Contracts = append(c.Contracts, rules.Contract{Start: k.Start, End: k.End})
	}
	return rules.Verify(c)
}

// pre is what one short transaction reads about a placement before the official records are read.
type pre struct {
	p      Placement
	emp    employer.Profile
	payers []Payer
	wages  []rules.MinimumWage
	id     string // the person's full ID number
}

// grid reads the official records of the placement's person and verifies the year. Only the
// records of payers that count reach the engine (DOMAIN.md §3, §6); when an affiliate is held, its
// records are read apart (a second read, only then) to say which months it holds.
func (s *Service) grid(ctx context.Context, pr pre) (exchange.Records, rules.Result, [12]string, error) {
	split := splitPayers(pr.payers)
	rec, err := s.readRecords(ctx, pr.id, codes(split.counted), pr.p.Year)
	if err != nil {
		return exchange.Records{}, rules.Result{}, [12]string{}, err
	}
	res := verify(pr.p, pr.emp, pr.wages, rec)
	var held exchange.Payments
	if len(split.held) > 0 && agencyHold(pr.p, pr.payers) == "" {
		r, err := s.readRecords(ctx, pr.id, codes(split.held), pr.p.Year)
		if err != nil {
			return exchange.Records{}, rules.Result{}, [12]string{}, err
		}
		held = r.Payments
	}
	return rec, res, holds(pr.p, pr.payers, res, held), nil
}

// loadFor reads the placement a use case acts on with what the engine needs, in tx. Employers
// reach only their own placements; staff, with read, those of their office subtree.
func (s *Service) loadFor(ctx context.Context, tx Tx, a actor.Actor, id int64, read bool) (pre, error) {
	var out pre
	var err error
	if read {
		out.p, out.emp, err = s.visiblePlacement(ctx, tx, a, id)
	} else {
		out.p, out.emp, err = s.ownPlacement(ctx, tx, a, id)
	}
	if err != nil {
		return pre{}, err
	}
	if out.payers, err = tx.Payers(ctx, out.p.EmployerID); err != nil {
		return pre{}, err
	}
	if out.wages, err = tx.MinimumWages(ctx); err != nil {
		return pre{}, err
	}
	return out, nil
}

// openID opens the person's sealed ID number, which the Source is asked by, and takes the birth
// date from it: the birth date is not stored apart (beside the masked ID number it would give
// the whole number away).
func (s *Service) openID(pr *pre) error {
	var err error
	if pr.id, err = s.pii.Open(pr.p.Person.IDSealed); err != nil {
		return apperr.Wrap(apperr.Internal, "无法读取人员信息", err)
	}
	// The number was validated when it was stored; the far "today" only skips the check that the
	// birth date is not in the future, which a stored number needs no more.
	id, err := idnum.ParseResidentID(pr.id, idnum.Date{Year: 9999, Month: 12, Day: 31})
	if err != nil {
		return apperr.Wrap(apperr.Internal, "无法读取人员信息", fmt.Errorf("stored ID number: %w", err))
	}
	pr.p.Person.BirthDate = rules.Date(id.Birth)
	return nil
}

// Get opens a placement in full with its grid, in two round trips: one transaction for the
// placement, its saved months and claims, then one read of the official records. Staff views of a
// person's full record are audited.
func (s *Service) Get(ctx context.Context, a actor.Actor, id int64) (View, error) {
	var pr pre
	var vs viewState
	var refused error
	// An employer's re-read of a grid writes nothing (the persons are disclosed already): it runs
	// read-only, without the write lock. Should the disclosure budget need writing, or for staff
	// (each view is audited), it runs as a write.
	read := func(ctx context.Context) error {
		return s.run(ctx, func(tx Tx) error {
			var err error
			if pr, err = s.loadFor(ctx, tx, a, id, true); err != nil {
				return err
			}
			if refused, err = s.disclose(ctx, tx, a, "placement.read", pr.p.Person); err != nil || refused != nil {
				return err
			}
			if vs, err = readViewState(ctx, tx, pr.p); err != nil {
				return err
			}
			if a.IsStaff() {
				e := audit.For(a, "placement.view", "placement", fmt.Sprint(id))
				e.EmployerID = pr.p.EmployerID
				e.Detail = "person=" + pr.p.Person.IDMasked
				return tx.AppendAudit(ctx, e)
			}
			return nil
		})
	}
	var err error
	if a.IsStaff() {
		err = read(ctx)
	} else {
		err = readFirst(ctx, read)
	}
	if err != nil {
		return View{}, err
	}
	if refused != nil {
		return View{}, refused
	}
	if err := s.openID(&pr); err != nil {
		return View{}, err
	}
	rec, res, held, err := s.grid(ctx, pr)
	if err != nil {
		return View{}, err
	}
	return s.assemble(pr, rec, res, held, vs)
}

// viewState is what a View shows besides the placement and its verification.
type viewState struct {
	saved  []SavedMonth
	claims []Claim
	taken  []string
	locked bool
}

// readViewState reads the saved months, the claims, the months taken at other employers and the
// year's lock of a placement, in tx.
func readViewState(ctx context.Context, tx Tx, p Placement) (viewState, error) {
	var vs viewState
	var err error
	if vs.saved, err = tx.SavedMonths(ctx, p.ID); err != nil {
		return vs, err
	}
	if vs.claims, err = tx.Claims(ctx, p.ID); err != nil {
		return vs, err
	}
	if vs.taken, err = tx.MonthsTakenElsewhere(ctx, p.Person.ID, p.ID, yearMonths(p.Year)); err != nil {
		return vs, err
	}
	st, err := tx.YearState(ctx, p.EmployerID, p.Year)
	if err != nil {
		return vs, err
	}
	vs.locked = st.Declaration.Locked()
	return vs, nil
}

// assemble builds a View from the placement read (its ID number opened), its official records and
// their verification, and its state.
func (s *Service) assemble(pr pre, rec exchange.Records, res rules.Result, held [12]string, vs viewState) (View, error) {
	v := View{Placement: pr.p, Employer: pr.emp, Registry: rec.Certificates, Result: res, Saved: vs.saved, YearLocked: vs.locked}
	v.Person.IDNumber = pr.id
	for i := range v.Certificates {
		var err error
		if v.Certificates[i].Number, err = s.pii.Open(v.Certificates[i].Sealed); err != nil {
			return View{}, apperr.Wrap(apperr.Internal, "无法读取证件信息", err)
		}
	}
	v.fill(vs.claims, vs.taken, held)
	return v, nil
}

func (v *View) fill(claims []Claim, taken []string, held [12]string) {
	savedBy := map[string]SavedMonth{}
	for _, m := range v.Saved {
		savedBy[m.Month] = m
	}
	claimBy := map[string]Claim{}
	for _, c := range currentClaims(claims) {
		claimBy[c.Month] = c
	}
	for i, mr := range v.Result.Months {
		key := mr.Month.String()
		mv := MonthView{MonthResult: mr, Reasons: mr.Reasons(), TakenElsewhere: slices.Contains(taken, key), Hold: held[i]}
		if mv.Hold != "" {
			mv.Reasons = append([]string{mv.Hold}, mv.Reasons...)
		}
		if sm, ok := savedBy[key]; ok {
			mv.Selected = sm.Selected
		} else if len(v.Saved) == 0 {
			mv.Selected = mr.Passed && !mv.TakenElsewhere && mv.Hold == ""
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

// MonthInput is one month the employer ticks with the evidence attached to it: none for a month
// that passed; for a failed month (a claim) one file per failed check and an optional note.
type MonthInput struct {
	Month   string
	FileIDs []string
	Note    string
	// Checks says which failed check a file proves (file id → rules check key), when the grid's
	// input per check told; the reviewer sees each file labelled by it. Optional.
	Checks map[string]string
}

// SaveInput is 保存，下一步 on the verification page and PUT /placements/{id}/months alike: the
// ticked months. The service decides which of them are selections and which are claims.
type SaveInput struct {
	Months []MonthInput
}

// SaveMonths saves the month selection (DOMAIN.md §4): passed months of a non-dispatched person are
// always selected (locked); a failed month is selectable only as a claim with at least one file per
// failed check; a month counted or pending at another employer cannot be selected. The placement
// becomes confirmed when nothing waits for review, else pending. Saving the same selection twice
// leaves the same state.
//
// It takes three round trips and verifies once: a read-only transaction reads the placement and
// its stamp (and refuses what cannot be saved before asking for official data), one read of the
// official records, and the transaction that takes the year's lock, finds the stamp unchanged and
// writes. A stamp that changed meanwhile (the placement edited, official data imported, the person's
// months saved by another employer) means the verification is not of what is there now: the save
// starts again, so what it writes was always verified on the data it is written over.
func (s *Service) SaveMonths(ctx context.Context, a actor.Actor, id int64, in SaveInput) (Status, error) {
	sv, err := s.saveMonths(ctx, a, id, in, false)
	return sv.Status, err
}

// Saved is a months save with the grid as it shows afterwards (SaveMonthsShown).
type Saved struct {
	Status Status
	// View is the placement's view after the save, from the save's own reads and verification,
	// and Stamp the stamp it is the view at; Shown is false when something else was written
	// meanwhile (the grid must then be read again).
	View  View
	Stamp Stamp
	Shown bool
}

// SaveMonthsShown is SaveMonths that also hands back the grid as saved, so that the page shown
// after the save needs no second verification. It takes the same three transactions: the check
// reads the stamp first, the write reads it once more after the year lock (nothing of the
// placement, the employer or the reference data changed since the check, or the save starts
// again) and, after its writes, reads the view's state and the stamp the view is kept at. Under the
// year lock only another employer's months of the same person can raise the placement's counter
// meanwhile; they change only which months are taken elsewhere, read after the writes (and a
// write after this transaction's own raise of the counter waits for its commit, then raises it
// again).
func (s *Service) SaveMonthsShown(ctx context.Context, a actor.Actor, id int64, in SaveInput) (Saved, error) {
	return s.saveMonths(ctx, a, id, in, true)
}

func (s *Service) saveMonths(ctx context.Context, a actor.Actor, id int64, in SaveInput, show bool) (Saved, error) {
	for attempt := 1; ; attempt++ {
		sv, err := s.saveMonthsOnce(ctx, a, id, in, show)
		if !errors.Is(err, errStale) {
			return sv, err
		}
		if attempt == saveAttempts {
			// On the months (a field): the page shows the grid again as it is now, with the
			// clerk's choices and files kept, rather than an error page.
			const msg = "该人员的信息或核验所依据的数据刚刚发生了变化，请核对后重新保存"
			return Saved{}, &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{"months": msg}}
		}
	}
}

// errStale ends a save whose stamp changed between its check and its year lock (saveMonths).
var errStale = errors.New("the placement's stamp changed since its months were verified")

// saveAttempts bounds the attempts of a save whose stamp changes under it: data written between
// the check and the lock at every attempt changes faster than a clerk saves; it is told as a
// conflict to refresh and save again.
const saveAttempts = 3

// saveMonthsOnce is one attempt of saveMonths; errStale when it must start again.
func (s *Service) saveMonthsOnce(ctx context.Context, a actor.Actor, id int64, in SaveInput, show bool) (Saved, error) {
	var pr pre
	var refused error
	var before Stamp
	check := func(ctx context.Context) error {
		return s.run(ctx, func(tx Tx) error {
			pk, err := tx.Peek(ctx, 0, id)
			if err != nil {
				return err
			}
			before = pk.Stamp
			if pr, err = s.loadFor(ctx, tx, a, id, false); err != nil {
				return err
			}
			if err := s.checkSavable(ctx, tx, pr.p, pr.emp); err != nil {
				return err
			}
			// A refused save names the months' failed checks: it discloses like a read.
			refused, err = s.disclose(ctx, tx, a, "placement.save", pr.p.Person)
			return err
		})
	}
	// The person is almost always disclosed already (the clerk saves the grid it was shown), so the
	// check reads without the write lock and only a first disclosure runs it again as a write:
	// the save then holds the writer once, for the transaction that writes the months.
	err := readFirst(ctx, check)
	if err != nil {
		return Saved{}, err
	}
	if refused != nil {
		return Saved{}, refused
	}
	if err := s.openID(&pr); err != nil {
		return Saved{}, err
	}
	rec, res, held, err := s.grid(ctx, pr)
	if err != nil {
		return Saved{}, err
	}
	months, claims, err := plan(pr.p, res, held, in)
	if err != nil {
		return Saved{}, err
	}
	var sv Saved
	var after Placement
	var vs viewState
	err = s.run(ctx, func(tx Tx) error {
		// The year of the placement as checked (a placement's employer and year never change),
		// then its stamp under the lock: unchanged, everything the check and the verification read
		// — the placement, the profile, the year's state, the official data, the person's months
		// elsewhere — is what is there now, and stays so until the commit.
		p := pr.p
		if err := tx.LockYear(ctx, p.EmployerID, p.Year); err != nil {
			return err
		}
		pk, err := tx.Peek(ctx, 0, id)
		if err != nil {
			return err
		}
		if pk.Stamp != before {
			return errStale
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
		// No counted month: the placement stays 未完成 with the reason (Settle).
		var reason string
		sv.Status, reason = Settle(pending, len(selected))
		if err := tx.SetPlacementStatus(ctx, id, sv.Status, reason); err != nil {
			return err
		}
		e := audit.For(a, "placement.months.save", "placement", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("selected=%d claims=%d status=%s", len(selected), len(claims), sv.Status)
		if err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		if !show {
			return nil
		}
		if after, err = tx.LoadPlacement(ctx, id); err != nil {
			return err
		}
		if vs, err = readViewState(ctx, tx, after); err != nil {
			return err
		}
		if pk, err = tx.Peek(ctx, 0, id); err != nil {
			return err
		}
		sv.Stamp = pk.Stamp
		// This transaction raised the placement's counters; the employer's and the reference
		// data's must still be those the view was verified on (a write of this transaction that
		// raised them would make the view one of data it was not verified on).
		sv.Shown = sv.Stamp.Employer == before.Employer && sv.Stamp.Reference == before.Reference
		return nil
	})
	if err != nil || !sv.Shown {
		sv.Shown = false
		return sv, err
	}
	// The placement as written, with the birth date opened at the check (the ID number is not
	// changed by a save).
	after.Person.BirthDate = pr.p.Person.BirthDate
	pr.p = after
	if sv.View, err = s.assemble(pr, rec, res, held, vs); err != nil {
		return Saved{}, err
	}
	return sv, nil
}

// checkSavable refuses a months save the placement's state forbids.
func (s *Service) checkSavable(ctx context.Context, tx Tx, p Placement, emp employer.Profile) error {
	if err := s.checkWritable(ctx, tx, emp, p.Year); err != nil {
		return err
	}
	if p.Status == Rejected {
		return apperr.New(apperr.Conflict, "该人员已被残联退回，请先重新登记后再保存")
	}
	if i := p.ContractWithoutFile(); i >= 0 {
		// Imported from Excel: a contract counts only with its attachment (DOMAIN.md §3 evidence).
		return apperr.FieldErrors(map[string]string{"contracts": fmt.Sprintf(
			"合同 %d 尚未上传附件：请先点击“返回修改人员信息”上传劳动合同附件，再保存申报月份", i+1)})
	}
	return nil
}

// currentClaims keeps the latest claim of each month (claims come oldest first), with the month's
// earlier claims in its Earlier: the decisions a new claim did not erase.
func currentClaims(claims []Claim) []Claim {
	var out []Claim
	at := map[string]int{}
	for _, c := range claims {
		i, ok := at[c.Month]
		if !ok {
			at[c.Month] = len(out)
			out = append(out, c)
			continue
		}
		prev := out[i]
		hist := prev.Earlier
		prev.Earlier = nil
		c.Earlier = append(hist, prev)
		out[i] = c
	}
	return out
}

// saveClaims makes the stored claims match the request: new claims wait for review; a claim already
// approved stays approved; a claim still waiting gets the new evidence; a rejected month claimed
// again is a new claim, the rejected one staying beside it with its decision and comment (issue 13);
// claims no longer requested are withdrawn unless already decided (kept as history).
func (s *Service) saveClaims(ctx context.Context, tx Tx, p Placement, claims []Claim) error {
	all, err := tx.Claims(ctx, p.ID)
	if err != nil {
		return err
	}
	existing := currentClaims(all)
	want := map[string]Claim{}
	for _, c := range claims {
		want[c.Month] = c
	}
	var withdraw []string
	for _, e := range existing {
		if _, ok := want[e.Month]; !ok && e.Status == rules.ReviewPending {
			withdraw = append(withdraw, e.Month)
		}
	}
	if err := tx.DeleteClaims(ctx, p.ID, withdraw); err != nil {
		return err
	}
	for _, c := range claims {
		if i := slices.IndexFunc(existing, func(e Claim) bool { return e.Month == c.Month }); i >= 0 && existing[i].Status == rules.ReviewApproved {
			continue
		}
		c.PlacementID, c.EmployerID, c.Year, c.Status = p.ID, p.EmployerID, p.Year, rules.ReviewPending
		if err := tx.UpsertClaim(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// plan turns the ticked months into the twelve saved months and the claims, enforcing the selection
// rules against the freshly computed grid: a month an affiliate holds (held, see holds) is neither
// selected nor claimed. It is pure.
func plan(p Placement, res rules.Result, held [12]string, in SaveInput) ([]SavedMonth, []Claim, error) {
	bad := map[string]string{}
	ticked := map[string]MonthInput{}
	for i, mi := range in.Months {
		m, err := rules.ParseMonth(strings.TrimSpace(mi.Month))
		if err != nil || m.Year() != p.Year {
			bad[fmt.Sprintf("months[%d]", i)] = fmt.Sprintf("月份应为 %d 年内的 YYYY-MM", p.Year)
			continue
		}
		if len([]rune(mi.Note)) > 500 {
			bad[fmt.Sprintf("months[%d].note", i)] = "说明不能超过500个字"
		}
		// The same month ticked twice is one month with the evidence of both.
		key := m.String()
		t := ticked[key]
		t.Month, t.FileIDs = key, uniq(append(t.FileIDs, mi.FileIDs...))
		for f, c := range mi.Checks {
			if t.Checks == nil {
				t.Checks = map[string]string{}
			}
			t.Checks[f] = c
		}
		if note := strings.TrimSpace(mi.Note); note != "" {
			t.Note = note
		}
		ticked[key] = t
	}
	months := make([]SavedMonth, 0, 12)
	var claims []Claim
	// A claimed month weighs what the person's registered certificate says (a 残疾人证 of level
	// 1–2 or a 残疾军人证 of grade 1–3: 2).
	levelWeight := p.CertificateKind.MonthWeight(p.Level, p.Grade)
	for i, mr := range res.Months {
		key := mr.Month.String()
		t, want := ticked[key]
		evidence := len(t.FileIDs) > 0
		sm := SavedMonth{Month: key, Passed: mr.Passed}
		switch {
		case held[i] != "":
			if want {
				bad["months."+key] = held[i] + "，该月暂不能申报"
			}
		case mr.Passed:
			if want && evidence {
				bad["months."+key] = key + " 已核验通过，无需申请审核"
			}
			// Locked months of a non-dispatched person count whatever the request says.
			sm.Selected = want || mr.Locked
			if sm.Selected {
				sm.Weight = mr.Weight
			}
		case mr.PendingCertificate && want && !evidence:
			// Passes once the manual certificate is approved: selected, counted only after review.
			sm.Selected, sm.PendingCert, sm.Weight = true, true, mr.PendingWeight
		case want:
			if failed := mr.FailedChecks(); len(t.FileIDs) < failed {
				bad["months."+key] = fmt.Sprintf("%s 核验未通过，勾选该月须为每项未通过的核验上传证明材料（共%d项）", key, failed)
				continue
			}
			sm.Selected, sm.Weight = true, levelWeight
			claims = append(claims, Claim{Month: key, FileIDs: t.FileIDs, Note: t.Note, FileChecks: failedOnly(t.Checks, mr)})
		}
		months = append(months, sm)
	}
	if len(bad) > 0 {
		return nil, nil, apperr.FieldErrors(bad)
	}
	return months, claims, nil
}

// failedOnly keeps the file labels that name a check the month failed: a label is the employer's
// word on what a file proves, and a passed or unknown check is no such word.
func failedOnly(checks map[string]string, mr rules.MonthResult) map[string]string {
	var out map[string]string
	for f, key := range checks {
		for _, c := range rules.Checks() {
			if c.Key == key && !c.Passed(mr) {
				if out == nil {
					out = map[string]string{}
				}
				out[f] = key
			}
		}
	}
	return out
}
