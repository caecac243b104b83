package declaration

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"quotacert/internal/actor"
	"quotacert/internal/apperr"
	"quotacert/internal/audit"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// Service runs the declaration use cases, each in one transaction with its audit record.
type Service struct {
	run    func(ctx context.Context, fn func(Tx) error) error
	source Source
	pii    Protector
	now    func() time.Time
	docs   Documents // where issued PDFs are kept (WithDocuments)
}

// NewService wires the service: run is the store's transaction runner, source the registry (read
// only for the certificate-on-submission rule), p opens the persons' sealed ID numbers, now the
// clock.
func NewService(run func(ctx context.Context, fn func(Tx) error) error, source Source, p Protector, now func() time.Time) *Service {
	return &Service{run: run, source: source, pii: p, now: now}
}

// State is the declaration page and GET /years/{year}/declaration.
type State struct {
	Year rules.BusinessYear
	// Pledge is the text of the year's pledge version.
	Pledge     string
	Status     rules.DeclarationStatus
	CanSubmit  bool
	Blockers   []string
	Letter     *Letter
	Summary    placement.Summary
	Placements []placement.ListRow
	Profile    employer.Profile
	Reopens    []ReopenRequest
	InWindow   bool
	// NoValidCertificate lists, when the year requires it, the persons without a certificate valid
	// today (the day of submission).
	NoValidCertificate []placement.ListRow

	today   rules.Date
	holders []Holder // read when the certificate-on-submission rule applies
}

// needsCertificates reports whether the certificate-on-submission rule applies to the state.
func (st State) needsCertificates() bool {
	return st.Year.CertValidAtSubmission && st.Status == rules.DeclarationOpen
}

func employerOnly(a actor.Actor) error {
	if a.Role != actor.Employer || a.EmployerID == 0 {
		return apperr.New(apperr.Forbidden, "只有用人单位可以办理申报")
	}
	return nil
}

// State reads the employer's declaration of a year with the blockers that keep it from being
// submitted, in Chinese.
func (s *Service) State(ctx context.Context, a actor.Actor, year int) (State, error) {
	if err := employerOnly(a); err != nil {
		return State{}, err
	}
	var st State
	err := s.run(ctx, func(tx Tx) error {
		var err error
		st, err = s.state(ctx, tx, a.EmployerID, year)
		return err
	})
	if err != nil || !st.needsCertificates() {
		return st, err
	}
	registry, err := s.registry(ctx, st.holders)
	if err != nil {
		return State{}, err
	}
	if err := st.checkCertificates(registry); err != nil {
		return State{}, err
	}
	return st, nil
}

// registry reads, outside any transaction (the Source may be a remote service), the registry
// certificates of the holders, by placement.
func (s *Service) registry(ctx context.Context, holders []Holder) (map[int64][]exchange.RegistryCertificate, error) {
	ids := make([]string, len(holders))
	for i, h := range holders {
		var err error
		if ids[i], err = s.pii.Open(h.IDSealed); err != nil {
			return nil, apperr.Wrap(apperr.Internal, "无法读取人员信息", err)
		}
	}
	certs, err := s.source.Certificates(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]exchange.RegistryCertificate, len(holders))
	for i, h := range holders {
		out[h.PlacementID] = certs[i]
	}
	return out, nil
}

// checkCertificates applies the certificate-on-submission rule with the registry's certificates
// and adds its blockers. A holder the registry was not asked about (a person added meanwhile) is
// a conflict: the page is out of date.
func (st *State) checkCertificates(registry map[int64][]exchange.RegistryCertificate) error {
	for _, h := range st.holders {
		if _, ok := registry[h.PlacementID]; !ok {
			return apperr.New(apperr.Conflict, "申报状态已变化，请刷新后重试")
		}
	}
	st.NoValidCertificate = withoutValidCertificate(st.Placements, st.holders, registry, st.today)
	st.Blockers = blockers(*st, st.today)
	st.CanSubmit = len(st.Blockers) == 0
	return nil
}

// withoutValidCertificate lists the placements whose person holds no counting certificate valid on
// day (DOMAIN.md §10): a registry certificate in force (有效) or a manual one the federation
// approved, issued on or before day and not expired before it. It is pure.
func withoutValidCertificate(rows []placement.ListRow, holders []Holder, registry map[int64][]exchange.RegistryCertificate, day rules.Date) []placement.ListRow {
	valid := map[int64]bool{}
	for _, h := range holders {
		for _, c := range registry[h.PlacementID] {
			valid[h.PlacementID] = valid[h.PlacementID] || c.Rule().ValidOn(day)
		}
		for _, m := range h.Certificates {
			if c, ok := m.Rule(); ok && c.ValidOn(day) {
				valid[h.PlacementID] = true
			}
		}
	}
	var out []placement.ListRow
	for _, r := range rows {
		if !valid[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// state reads the declaration in tx with its blockers, but for the certificate-on-submission rule,
// which needs the registry (checkCertificates, after the transaction).
func (s *Service) state(ctx context.Context, tx Tx, employerID int64, year int) (State, error) {
	var st State
	var err error
	if st.Year, err = tx.BusinessYear(ctx, year); err != nil {
		return st, err
	}
	if st.Pledge, err = tx.PledgeText(ctx, st.Year.PledgeVersion); err != nil {
		return st, err
	}
	if st.Profile, err = tx.EmployerProfile(ctx, employerID); err != nil {
		return st, err
	}
	if st.Placements, err = tx.ListPlacements(ctx, employerID, year); err != nil {
		return st, err
	}
	st.Summary = placement.Summarize(st.Placements)
	d, found, err := tx.Declaration(ctx, employerID, year)
	if err != nil {
		return st, err
	}
	st.Status = rules.DeclarationOpen
	if found {
		st.Status = d.Status
		l, ok, err := tx.ValidLetter(ctx, d.ID)
		if err != nil {
			return st, err
		}
		if ok {
			st.Letter = &l
		}
	}
	if st.Reopens, err = tx.ReopenRequests(ctx, employerID, year); err != nil {
		return st, err
	}
	st.today = rules.ChinaDate(tx.Now())
	st.InWindow = st.Year.InWindow(st.today)
	if st.needsCertificates() {
		if st.holders, err = tx.CertificateHolders(ctx, employerID, year); err != nil {
			return st, err
		}
	}
	st.Blockers = blockers(st, st.today)
	st.CanSubmit = len(st.Blockers) == 0
	return st, nil
}

// blockers lists why the year cannot be submitted now (DOMAIN.md §5). It is pure.
func blockers(st State, today rules.Date) []string {
	switch st.Status {
	case rules.DeclarationSubmitted:
		return []string{"本年度已完成申报；如需修改，请提交年审认证反馈"}
	case rules.DeclarationReopenRequested:
		return []string{"年审认证反馈正在等待残联审核"}
	}
	var out []string
	window := fmt.Sprintf("（申报时间：%s 至 %s）", st.Year.WindowOpen, st.Year.WindowClose)
	switch {
	case st.Year.InWindow(today): // open: nothing to say
	case today.Before(st.Year.WindowOpen):
		out = append(out, "本年度申报尚未开始"+window)
	default:
		out = append(out, "本年度申报已截止"+window)
	}
	if missing := employer.Complete(st.Profile); len(missing) > 0 {
		out = append(out, "单位信息不完整，请先在单位信息维护管理中填写："+strings.Join(missing, "、"))
	}
	if len(st.Placements) == 0 {
		out = append(out, "尚未登记安置残疾人员")
	} else if st.Summary.CountedMonths == 0 {
		// A letter certifies counted months: with none it would certify 0.00 persons (issue 13).
		out = append(out, "尚无计入的月份：至少须有一名已确认人员的一个计入月份，才能完成申报")
	}
	for _, p := range st.Placements {
		if p.Status != placement.Confirmed {
			out = append(out, fmt.Sprintf("%s（%s）的状态为“%s”，须全部为“已确认”后才能完成申报", p.Name, p.IDMasked, p.Status.Label()))
		}
	}
	for _, p := range st.NoValidCertificate {
		out = append(out, fmt.Sprintf("%s（%s）在申报当日（%s）无有效残疾证，本年度要求残疾证在完成申报时仍有效", p.Name, p.IDMasked, today))
	}
	return out
}

// Submit is 完成申报: with the pledge accepted and nothing blocking, the year is submitted and
// locked, the pledge version, time, user and client address are recorded, the affiliates the
// placements use are locked and the certification letter is issued. Submitting again returns the
// same letter.
func (s *Service) Submit(ctx context.Context, a actor.Actor, year int, pledgeAccepted bool, clientAddr string) (Letter, error) {
	if err := employerOnly(a); err != nil {
		return Letter{}, err
	}
	if !pledgeAccepted {
		return Letter{}, apperr.FieldErrors(map[string]string{"pledgeAccepted": "请先阅读承诺书并点击“已阅读、确认”"})
	}
	// The registry is read before the submitting transaction (the Source may be remote); the
	// transaction reads everything else again and refuses when the page it checked is out of date.
	var registry map[int64][]exchange.RegistryCertificate
	var pre State
	err := s.run(ctx, func(tx Tx) error {
		var err error
		pre, err = s.state(ctx, tx, a.EmployerID, year)
		return err
	})
	if err != nil {
		return Letter{}, err
	}
	if pre.needsCertificates() {
		if registry, err = s.registry(ctx, pre.holders); err != nil {
			return Letter{}, err
		}
	}
	var out Letter
	err = s.run(ctx, func(tx Tx) error {
		// Under the employer-year's lock (issue 13) the conditions below are checked on what every
		// earlier write of the year committed, and no save can slip in before this one commits.
		if err := tx.LockYear(ctx, a.EmployerID, year); err != nil {
			return err
		}
		st, err := s.state(ctx, tx, a.EmployerID, year)
		if err != nil {
			return err
		}
		if st.Status == rules.DeclarationSubmitted && st.Letter != nil {
			out = *st.Letter // a double submit: same result, one letter
			return nil
		}
		if st.needsCertificates() {
			if err := st.checkCertificates(registry); err != nil {
				return err
			}
		}
		if !st.CanSubmit {
			return apperr.New(apperr.Conflict, "暂不能完成申报："+strings.Join(st.Blockers, "；"))
		}
		d, err := tx.EnsureDeclaration(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		ok, err := tx.MarkSubmitted(ctx, d.ID, a.UserID, st.Year.PledgeVersion, clientAddr)
		if err != nil {
			return err
		}
		if !ok {
			// A concurrent submit won; answer with its letter.
			l, found, err := tx.ValidLetter(ctx, d.ID)
			if err != nil {
				return err
			}
			if !found {
				return apperr.New(apperr.Conflict, "申报状态已变化，请刷新后重试")
			}
			out = l
			return nil
		}
		locked, err := tx.LockYearAffiliates(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		code, err := verifyCode()
		if err != nil {
			return err
		}
		// The snapshot is taken here, in the submitting transaction: what is certified is what
		// this transaction read, and nothing read later can change it.
		l, err := snapshot(ctx, tx, st, a.EmployerID, year)
		if err != nil {
			return err
		}
		if l.Persons != st.Summary.Counted || l.CountedMonths != st.Summary.CountedMonths || l.WeightMonths != st.Summary.WeightMonths {
			return fmt.Errorf("letter snapshot %d persons %d months %s differs from the summary %+v", l.Persons, l.CountedMonths, l.WeightMonths, st.Summary)
		}
		l.DeclarationID, l.VerifyCode, l.Status = d.ID, code, LetterValid
		if out, err = tx.InsertLetter(ctx, l); err != nil {
			return err
		}
		e := audit.For(a, "declaration.submit", "declaration", fmt.Sprint(d.ID))
		e.ClientAddr = clientAddr
		e.Detail = fmt.Sprintf("year=%d pledge=%s letter=%s persons=%d months=%d equivalent=%s affiliatesLocked=%d",
			year, st.Year.PledgeVersion, out.Number, out.Persons, out.CountedMonths, out.WeightMonths, locked)
		return tx.AppendAudit(ctx, e)
	})
	return out, err
}

// verifyCode is the letter's public verification code: 80 random bits, unguessable, short enough
// to type from paper (16 characters of lower-case base32).
func verifyCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("verify code: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// RequestReopen is 年审认证反馈: the employer asks, with a reason, to cancel the submitted result
// and edit again. The year stays locked until a reviewer approves. Asking twice is harmless.
func (s *Service) RequestReopen(ctx context.Context, a actor.Actor, year int, reason string) error {
	if err := employerOnly(a); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.FieldErrors(map[string]string{"reason": "请填写反馈理由"})
	case len([]rune(reason)) > 500:
		return apperr.FieldErrors(map[string]string{"reason": "反馈理由不能超过500个字"})
	}
	return s.run(ctx, func(tx Tx) error {
		if _, err := tx.BusinessYear(ctx, year); err != nil {
			return err
		}
		if err := tx.LockYear(ctx, a.EmployerID, year); err != nil {
			return err
		}
		d, found, err := tx.Declaration(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		switch {
		case !found || d.Status == rules.DeclarationOpen:
			return apperr.New(apperr.Conflict, "本年度尚未完成申报，可直接修改安置人员，无需提交年审认证反馈")
		case d.Status == rules.DeclarationReopenRequested:
			return nil // already waiting: a double submit changes nothing
		}
		ok, err := tx.SetDeclarationStatus(ctx, a.EmployerID, year, rules.DeclarationSubmitted, rules.DeclarationReopenRequested)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "申报状态已变化，请刷新后重试")
		}
		id, err := tx.InsertReopenRequest(ctx, a.EmployerID, year, reason)
		if err != nil {
			return err
		}
		e := audit.For(a, "declaration.reopen.request", "review_item", fmt.Sprint(id))
		e.Detail = fmt.Sprintf("year=%d", year)
		return tx.AppendAudit(ctx, e)
	})
}

// Letter returns the employer's valid certification letter of a year.
func (s *Service) Letter(ctx context.Context, a actor.Actor, year int) (Letter, error) {
	if err := employerOnly(a); err != nil {
		return Letter{}, err
	}
	var out Letter
	err := s.run(ctx, func(tx Tx) error {
		if _, err := tx.BusinessYear(ctx, year); err != nil {
			return err
		}
		d, found, err := tx.Declaration(ctx, a.EmployerID, year)
		if err != nil {
			return err
		}
		var ok bool
		if found {
			if out, ok, err = tx.ValidLetter(ctx, d.ID); err != nil {
				return err
			}
		}
		if !ok {
			return apperr.New(apperr.NotFound, "本年度尚无有效的年审认证确认书：完成申报后才能下载")
		}
		return nil
	})
	return out, err
}

// Verify looks a letter up by its public verification code (no login). The answer holds no
// personal data: the snapshot's employer, offices and figures, the status and the PDF's hash.
func (s *Service) Verify(ctx context.Context, code string) (Letter, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" || len(code) > 64 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return Letter{}, apperr.NotFoundf("年审认证确认书")
	}
	var out Letter
	err := s.run(ctx, func(tx Tx) error {
		var err error
		out, err = tx.LetterByCode(ctx, code)
		return err
	})
	out.Certified = nil // the persons are not for the public page
	return out, err
}

// Levy is the levy estimate of the declaration page with the parameters it used.
type Levy struct {
	Params   LevyParameters
	Estimate rules.LevyEstimate
}

// reductionYears is the period of 财政部公告2019年第98号 extended by 2023年第8号.
func reductionPeriod(year int) bool { return year >= 2020 && year <= 2027 }

// EstimateLevy computes the levy estimate (DOMAIN.md §8) for the employer's year from its employee
// count, the counted equivalent persons, the province's parameters and the average annual wage the
// employer types (not stored: the tax office computes the real amount from its own data).
func (s *Service) EstimateLevy(ctx context.Context, a actor.Actor, year int, averageWage rules.Fen) (Levy, error) {
	if err := employerOnly(a); err != nil {
		return Levy{}, err
	}
	var out Levy
	var st State
	err := s.run(ctx, func(tx Tx) error {
		var err error
		if st, err = s.state(ctx, tx, a.EmployerID, year); err != nil {
			return err
		}
		if len(st.Profile.District) < 2 {
			return apperr.New(apperr.Conflict, "请先在单位信息中填写行政所属区，才能测算残保金")
		}
		province := st.Profile.District[:2] + "0000"
		p, ok, err := tx.LevyParameters(ctx, province, year)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.NotFound, fmt.Sprintf("尚未配置%d年度的残保金测算参数", year))
		}
		out.Params = p
		return nil
	})
	if err != nil {
		return Levy{}, err
	}
	out.Estimate, err = rules.EstimateLevy(rules.LevyInput{
		Employees: st.Profile.EmployeeCount, QuotaRatioBP: out.Params.QuotaBasisPoints,
		WeightMonths: st.Summary.WeightMonths, AverageWage: averageWage,
		SocialAverageWage: out.Params.SocialAverageWage, Enterprise: st.Profile.Enterprise(),
		ReductionPeriod: reductionPeriod(year),
	})
	var le rules.LevyInputError
	if errors.As(err, &le) {
		return Levy{}, apperr.FieldErrors(map[string]string{"averageWage": le.Error()})
	}
	return out, err
}
