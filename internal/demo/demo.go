package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"strings"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/attachment"
	"quotacert/internal/employer"
	"quotacert/internal/exchange"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

//go:embed data/*.csv
var registry embed.FS

// The demo accounts of CONTRACT.md.
const (
	EmployerCode = "91220101MA14U8XK2R"
	Password     = "Demo@2026"
	Reviewer     = "reviewer"
	Admin        = "admin"
	// DemoYear is the business year the demo registry covers.
	DemoYear = 2025
)

// Services are the use cases the demo is loaded through, so that it obeys every rule real data
// obeys. Accounts must be configured without a captcha (the loader is not a browser).
type Services struct {
	Accounts  *account.Service
	Employers *employer.Service
	Files     *attachment.Service
	Admin     *admin.Service
	Exchange  *exchange.Service
	// Reviews approves the demo affiliates as the demo reviewer would (DOMAIN.md §6).
	Reviews *review.Service
}

// Load creates the demo accounts, completes the demo employer's profile with a dispatch agency and a
// subsidiary, imports the synthetic registry through the data-exchange import, and opens the
// declaration window of business year 2025 around today so a newcomer can walk the whole flow. Every
// step is idempotent: a second start finds the state it wants and changes nothing else.
func Load(ctx context.Context, s Services, today rules.Date, out io.Writer) error {
	sys := actor.System("demo")
	adminActor := actor.Actor{Name: "system:demo", Role: actor.Admin, Office: "220000"}

	users, err := s.Accounts.ListUsers(ctx, adminActor, "")
	if err != nil {
		return fmt.Errorf("demo users: %w", err)
	}
	exists := map[string]bool{}
	var emp actor.Actor
	for _, u := range users {
		exists[u.Username] = true
		if u.Username == EmployerCode {
			emp = actor.Actor{UserID: u.ID, Name: u.Username, Role: u.Role, EmployerID: u.EmployerID, ClientAddr: "demo"}
		}
	}
	if emp.UserID == 0 {
		if emp, err = s.Accounts.Register(ctx, account.RegisterInput{CreditCode: EmployerCode, Name: "长春示例科技有限公司",
			ContactName: "王晓明", ContactPhone: "13843100000", Password: Password, Password2: Password, ClientAddr: "demo"}); err != nil {
			return fmt.Errorf("demo employer: %w", err)
		}
	}
	for _, st := range []account.StaffInput{
		{Username: Reviewer, Password: Password, Role: actor.Reviewer, Office: "220000"},
		{Username: Admin, Password: Password, Role: actor.Admin, Office: "220000"},
	} {
		if exists[st.Username] {
			continue
		}
		if _, err := s.Accounts.CreateStaff(ctx, sys, st); err != nil {
			return fmt.Errorf("demo staff %s: %w", st.Username, err)
		}
	}
	count, nature, economy := 120, employer.UnitEnterprise, "私营"
	if _, err := s.Employers.SaveProfile(ctx, emp, employer.ProfileInput{
		Name: "长春示例科技有限公司", FederationOffice: "220102", TaxOffice: "12201020000", District: "220102",
		ContactName: "王晓明", ContactPhone: "13843100000", EmployeeCount: &count,
		Address: "吉林省长春市南关区示例大街 1 号（演示数据）", UnitNature: &nature, EconomyType: &economy,
	}); err != nil {
		return fmt.Errorf("demo profile: %w", err)
	}
	if err := s.affiliates(ctx, emp); err != nil {
		return err
	}
	if err := s.approveAffiliates(ctx); err != nil {
		return err
	}
	if err := s.importRegistry(ctx, sys, adminActor); err != nil {
		return err
	}
	if err := s.openWindow(ctx, adminActor, today); err != nil {
		return err
	}
	fmt.Fprintf(out, `demo data loaded (synthetic persons, not real people). Demo accounts:
  用人单位 (法人登录)  统一社会信用代码 %s  密码 %s
  残联审核人员        用户名 %s  密码 %s  (吉林省残联)
  系统管理员          用户名 %s  密码 %s
`, EmployerCode, Password, Reviewer, Password, Admin, Password)
	return nil
}

// The demo affiliates (data/README.md): a labour-dispatch agency whose worker counts here by
// agreement, and a subsidiary that pays some wages and insurance.
func demoAffiliates() []struct{ code, name, kind, file string } {
	return []struct{ code, name, kind, file string }{
		{"91220104MA17DPQ346", "长春示例人力资源服务有限公司", "dispatch", "劳务派遣协议（演示）.pdf"},
		{"91220106MA15RG8N3X", "长春示例精密制造有限公司", "subsidiary", "子公司关系证明（演示）.pdf"},
	}
}

func (s Services) affiliates(ctx context.Context, emp actor.Actor) error {
	have, err := s.Employers.Affiliates(ctx, emp)
	if err != nil {
		return fmt.Errorf("demo affiliates: %w", err)
	}
next:
	for _, a := range demoAffiliates() {
		for _, h := range have {
			if h.CreditCode == a.code {
				continue next
			}
		}
		f, err := s.Files.Upload(ctx, emp, a.file, bytes.NewReader(demoPDF(a.name)))
		if err != nil {
			return fmt.Errorf("demo attachment: %w", err)
		}
		if _, err := s.Employers.AddAffiliate(ctx, emp, employer.AffiliateInput{CreditCode: a.code, Name: a.name,
			Kind: a.kind, FileIDs: []string{f.ID}}); err != nil {
			return fmt.Errorf("demo affiliate %s: %w", a.name, err)
		}
	}
	return nil
}

// approveAffiliates decides the demo employer's affiliate requests as the demo reviewer of 吉林省残联,
// so that its persons' months count from the first start; a newcomer tries review on new requests.
func (s Services) approveAffiliates(ctx context.Context) error {
	rev := actor.Actor{Name: Reviewer, Role: actor.Reviewer, Office: "220000", ClientAddr: "demo"}
	users, err := s.Accounts.ListUsers(ctx, actor.Actor{Name: "system:demo", Role: actor.Admin, Office: "220000"}, Reviewer)
	if err != nil {
		return fmt.Errorf("demo reviewer: %w", err)
	}
	for _, u := range users {
		if u.Username == Reviewer {
			rev.UserID = u.ID
		}
	}
	items, err := s.Reviews.Queue(ctx, rev, review.Filter{Kind: review.KindAffiliate, Employer: EmployerCode})
	if err != nil {
		return fmt.Errorf("demo affiliate requests: %w", err)
	}
	for _, it := range items {
		if err := s.Reviews.Decide(ctx, rev, it.ID, true, "演示数据：已核对劳务派遣协议和关联关系证明"); err != nil {
			return fmt.Errorf("demo affiliate approval: %w", err)
		}
	}
	return nil
}

// importRegistry loads data/*.csv through the real import once; later starts see it in the history.
func (s Services) importRegistry(ctx context.Context, sys, adminActor actor.Actor) error {
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
	for _, kind := range []exchange.Kind{exchange.Certificates, exchange.Wages, exchange.Social, exchange.Medical} {
		name := "demo-" + string(kind) + ".csv"
		if done[name] {
			continue
		}
		f, err := registry.Open("data/" + string(kind) + ".csv")
		if err != nil {
			return err
		}
		_, err = s.Exchange.Import(ctx, sys, kind, name, f, exchange.Options{})
		f.Close()
		if err != nil {
			return fmt.Errorf("demo import %s: %w", kind, err)
		}
	}
	return nil
}

// openWindow makes sure today lies in business year 2025's declaration window.
func (s Services) openWindow(ctx context.Context, adminActor actor.Actor, today rules.Date) error {
	open, closing := rules.Date{Year: DemoYear + 1, Month: 3, Day: 1}, rules.Date{Year: DemoYear + 1, Month: 10, Day: 31}
	if today.Before(open) {
		open = today
	}
	if later := today.AddMonths(2); closing.Before(later) {
		closing = later
	}
	o, c := open.String(), closing.String()
	if _, err := s.Admin.UpdateYear(ctx, adminActor, DemoYear, admin.YearInput{WindowOpen: &o, WindowClose: &c}); err != nil {
		return fmt.Errorf("demo declaration window: %w", err)
	}
	return nil
}

// demoPDF is a one-page PDF standing in for a scanned agreement.
func demoPDF(title string) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	b.WriteString("1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
	b.WriteString("2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n")
	b.WriteString("3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n")
	fmt.Fprintf(&b, "%% demo attachment: %s\n", title)
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return []byte(b.String())
}
