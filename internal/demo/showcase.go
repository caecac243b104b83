package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// The showcase (issue 17): a newcomer sees every state at once. The demo employer has, in 2025, a
// confirmed person, one waiting with a claim, one waiting with a historical certificate, one
// returned (审核不通过) and a draft; its 2024 is submitted with a letter (and 复制上年名单 offers that
// person). A second employer, 长春示例物流有限公司, has its 2024 submitted and a reopen request and an
// affiliate request waiting, so the reviewer's queue holds an item of every kind. The persons are
// the registry's (data/README.md), never P01, P06, P17 or the unregistered 220102199003070013,
// which the user guide and the browser tests type in themselves.
const (
	// SecondEmployerCode is the showcase's second employer (X of data/README.md).
	SecondEmployerCode = "91220105MA13W7KE73"
	// LastYear is the showcase's submitted year.
	LastYear = DemoYear - 1
)

// showcasePerson is a placement the showcase creates, and what happens to it.
type showcasePerson struct {
	id, name    string
	category    int
	level       int
	start, end  string
	claim       string // a failed month claimed with evidence ("" = none)
	claimCheck  string // the check the claim's evidence proves
	certificate *placement.CertificateInput
	returned    string // the reviewer's reason for returning it ("" = not returned)
	draft       bool   // created, months never saved
	year        int
}

func showcasePersons() []showcasePerson {
	return []showcasePerson{
		// 已确认: every month passes (补发证 B1, 肢体二级 → weight 2).
		{id: "220104197205190711", name: "韩立新", category: 4, level: 2, start: "2017-04-01", year: DemoYear},
		// 待审核, a claim: September lacks its medical-insurance record.
		{id: "220113198101190849", name: "王淑芬", category: 2, level: 3, start: "2019-04-01", claim: "2025-09", claimCheck: "medicalInsurance", year: DemoYear},
		// 待审核, a historical certificate: the registry's certificate was first issued 2025-05-20.
		{id: "22010319790223017X", name: "赵国强", category: 2, level: 4, start: "2024-03-01", year: DemoYear,
			certificate: &placement.CertificateInput{Kind: string(rules.DisabilityCertificate), Number: "22010319790223017X24",
				Issued: "2015-05-20", ValidUntil: "2025-05-19"}},
		// 审核不通过: April's pension came from a unit that is not an affiliate; the reviewer returned it.
		{id: "220112199205160730", name: "郑海波", category: 5, level: 4, start: "2023-07-01", claim: "2025-04", claimCheck: "socialInsurance", year: DemoYear,
			returned: "演示数据：4–6月养老保险由非关联单位缴纳，不能计入本单位，请核实后重新登记"},
		// 未完成: saved, months not chosen yet.
		{id: "220105198309140285", name: "钱晓梅", category: 4, level: 4, start: "2021-01-01", draft: true, year: DemoYear},
		// 2024, submitted with a letter.
		{id: "220104199011050461", name: "孙雅琴", category: 1, level: 2, start: "2022-09-01", end: "2027-08-31", year: LastYear},
	}
}

// showcase loads the showcase after the basic demo. Every step looks first and acts only when its
// state is missing, so a second start changes nothing.
func (s Services) showcase(ctx context.Context, sys, adminActor, emp actor.Actor, today rules.Date) error {
	if s.Placements == nil || s.Declarations == nil {
		return errors.New("demo showcase: the placement and declaration services are required")
	}
	if err := s.importLastYear(ctx, sys, adminActor); err != nil {
		return err
	}
	// The year before is declared now, out of its usual window: open it around today too.
	if err := s.openYear(ctx, adminActor, LastYear, today); err != nil {
		return err
	}
	rev, err := s.reviewer(ctx)
	if err != nil {
		return err
	}
	for _, p := range showcasePersons() {
		if err := s.showcasePlacement(ctx, emp, rev, p); err != nil {
			return fmt.Errorf("demo showcase %s: %w", p.name, err)
		}
	}
	if err := s.submit(ctx, emp, LastYear); err != nil {
		return err
	}
	return s.secondEmployer(ctx)
}

// importLastYear imports the 2024 wage, pension and medical records of data/2024 once.
func (s Services) importLastYear(ctx context.Context, sys, adminActor actor.Actor) error {
	history, err := s.Exchange.History(ctx, adminActor, 1000)
	if err != nil {
		return fmt.Errorf("demo import history: %w", err)
	}
	done := map[string]bool{}
	for _, h := range history {
		if h.Accepted() {
			done[h.FileName] = true
		}
	}
	for _, kind := range []exchange.Kind{exchange.Wages, exchange.Social, exchange.Medical} {
		name := fmt.Sprintf("demo-%d-%s.csv", LastYear, kind)
		if done[name] {
			continue
		}
		f, err := registry.Open(fmt.Sprintf("data/%d/%s.csv", LastYear, kind))
		if err != nil {
			return err
		}
		_, err = s.Exchange.Import(ctx, sys, kind, name, f, exchange.Options{})
		f.Close()
		if err != nil {
			return fmt.Errorf("demo import %s: %w", name, err)
		}
	}
	return nil
}

// openYear makes sure today lies in a business year's declaration window (keeping its usual dates
// when they already cover today).
func (s Services) openYear(ctx context.Context, adminActor actor.Actor, year int, today rules.Date) error {
	open, closing := rules.Date{Year: year + 1, Month: 3, Day: 1}, rules.Date{Year: year + 1, Month: 10, Day: 31}
	if today.Before(open) {
		open = today
	}
	if later := today.AddMonths(2); closing.Before(later) {
		closing = later
	}
	o, c := open.String(), closing.String()
	if _, err := s.Admin.UpdateYear(ctx, adminActor, year, admin.YearInput{WindowOpen: &o, WindowClose: &c}); err != nil {
		return fmt.Errorf("demo declaration window %d: %w", year, err)
	}
	return nil
}

// reviewer is the demo reviewer of 吉林省残联 as the services see it.
func (s Services) reviewer(ctx context.Context) (actor.Actor, error) {
	rev := actor.Actor{Name: Reviewer, Role: actor.Reviewer, Office: "220000", ClientAddr: "demo"}
	users, err := s.Accounts.ListUsers(ctx, actor.Actor{Name: "system:demo", Role: actor.Admin, Office: "220000"}, Reviewer)
	if err != nil {
		return rev, fmt.Errorf("demo reviewer: %w", err)
	}
	for _, u := range users {
		if u.Username == Reviewer {
			rev.UserID = u.ID
		}
	}
	return rev, nil
}

// showcasePlacement creates one placement and brings it to its state; a placement found already
// (the person is registered that year) is left as it is.
func (s Services) showcasePlacement(ctx context.Context, emp, rev actor.Actor, p showcasePerson) error {
	// Looked up by name before anything is uploaded, so a second start stores no file either.
	_, rows, err := s.Placements.List(ctx, emp, p.year)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Name == p.name {
			return nil
		}
	}
	contract, err := s.Files.Upload(ctx, emp, "劳动合同（演示）.pdf", bytes.NewReader(demoPDF("劳动合同 "+p.name)))
	if err != nil {
		return err
	}
	in := placement.Input{IDNumber: p.id, Name: p.name, CertificateKind: string(rules.DisabilityCertificate),
		Category: p.category, Level: p.level, FemaleRetirementAge: 50,
		Contracts: []placement.ContractInput{{Start: p.start, End: p.end, FileIDs: []string{contract.ID}}}}
	if p.certificate != nil {
		img, err := s.Files.Upload(ctx, emp, "历史残疾人证（演示）.pdf", bytes.NewReader(demoPDF("历史残疾人证 "+p.name)))
		if err != nil {
			return err
		}
		c := *p.certificate
		c.FileIDs = []string{img.ID}
		in.Certificates = []placement.CertificateInput{c}
	}
	id, err := s.Placements.Create(ctx, emp, p.year, in)
	var dup *placement.DuplicateError
	if errors.As(err, &dup) {
		return nil // loaded before
	}
	if err != nil {
		return err
	}
	if p.draft {
		return nil
	}
	var save placement.SaveInput
	if p.claim != "" {
		slip, err := s.Files.Upload(ctx, emp, "缴费证明（演示）.pdf", bytes.NewReader(demoPDF("缴费证明 "+p.name)))
		if err != nil {
			return err
		}
		save.Months = append(save.Months, placement.MonthInput{Month: p.claim, FileIDs: []string{slip.ID}, Note: "演示数据：补缴记录见附件",
			Checks: map[string]string{slip.ID: p.claimCheck}})
	}
	if p.certificate != nil {
		// The months before the registry's certificate count once the historical one is approved.
		for m := 1; m <= 4; m++ {
			save.Months = append(save.Months, placement.MonthInput{Month: fmt.Sprintf("%d-%02d", p.year, m)})
		}
	}
	if _, err := s.Placements.SaveMonths(ctx, emp, id, save); err != nil {
		return err
	}
	if p.returned != "" {
		return s.Reviews.Return(ctx, rev, id, p.returned)
	}
	return nil
}

// submit completes a year's declaration (the letter is issued) unless it is submitted already.
func (s Services) submit(ctx context.Context, emp actor.Actor, year int) error {
	st, err := s.Declarations.State(ctx, emp, year)
	if err != nil {
		return fmt.Errorf("demo declaration %d: %w", year, err)
	}
	if st.Status != rules.DeclarationOpen {
		return nil
	}
	if _, err := s.Declarations.Submit(ctx, emp, year, true, "demo"); err != nil {
		return fmt.Errorf("demo submission %d: %w", year, err)
	}
	return nil
}

// secondEmployer registers 长春示例物流有限公司 with its 2024 submitted, then asks to reopen it and
// to count 长春示例精密制造有限公司 as its subsidiary: two items waiting for the reviewer.
func (s Services) secondEmployer(ctx context.Context) error {
	const name = "长春示例物流有限公司"
	x, err := s.employerAccount(ctx, account.RegisterInput{CreditCode: SecondEmployerCode, Name: name,
		ContactName: "李红", ContactPhone: "13943100000", Password: Password, Password2: Password, ClientAddr: "demo"})
	if err != nil {
		return err
	}
	count, nature, economy := 45, employer.UnitEnterprise, "私营"
	if _, err := s.Employers.SaveProfile(ctx, x, employer.ProfileInput{
		Name: name, FederationOffice: "220105", TaxOffice: "12201050000", District: "220105",
		ContactName: "李红", ContactPhone: "13943100000", EmployeeCount: &count,
		Address: "吉林省长春市二道区示例路 8 号（演示数据）", UnitNature: &nature, EconomyType: &economy,
	}); err != nil {
		return fmt.Errorf("demo second profile: %w", err)
	}
	rev, err := s.reviewer(ctx)
	if err != nil {
		return err
	}
	if err := s.showcasePlacement(ctx, x, rev, showcasePerson{id: "22020319650315019X", name: "陈福林", category: 4, level: 3,
		start: "2015-06-01", year: LastYear}); err != nil {
		return fmt.Errorf("demo second employer's person: %w", err)
	}
	if err := s.submit(ctx, x, LastYear); err != nil {
		return err
	}
	st, err := s.Declarations.State(ctx, x, LastYear)
	if err != nil {
		return err
	}
	if st.Status == rules.DeclarationSubmitted && len(st.Reopens) == 0 {
		if err := s.Declarations.RequestReopen(ctx, x, LastYear, "演示数据：漏报一名残疾职工，申请重新办理"); err != nil {
			return fmt.Errorf("demo reopen request: %w", err)
		}
	}
	have, err := s.Employers.Affiliates(ctx, x)
	if err != nil {
		return err
	}
	if len(have) == 0 {
		const code, aname = "91220106MA15RG8N3X", "长春示例精密制造有限公司"
		f, err := s.Files.Upload(ctx, x, "子公司关系证明（演示）.pdf", bytes.NewReader(demoPDF(aname)))
		if err != nil {
			return err
		}
		if _, err := s.Employers.AddAffiliate(ctx, x, employer.AffiliateInput{CreditCode: code, Name: aname,
			Kind: employer.KindSubsidiary, FileIDs: []string{f.ID}}); err != nil {
			return fmt.Errorf("demo second employer's affiliate: %w", err)
		}
	}
	return nil
}
