package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/account"
	"quotacert/internal/actor"
	"quotacert/internal/admin"
	"quotacert/internal/message"
	"quotacert/internal/refdata"
	"quotacert/internal/review"
	"quotacert/internal/stats"
	"quotacert/internal/store"
	"quotacert/internal/store/storetest"
	"quotacert/internal/web"
)

// backofficeSite is a server with the statistics, the message center, the review queue and the
// console, two employers (南关区 and 昌邑区 of 吉林市) and staff at the province, 南关区 and the root
// administrator.
func backofficeSite(t *testing.T, db *store.DB, now func() time.Time) *site {
	t.Helper()
	ctx := context.Background()
	cfg := account.DefaultConfig()
	cfg.Secrets = testSecrets(t)
	cfg.StaffMFARequired, cfg.CaptchaRequired = false, false
	cfg.Argon2 = account.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	cfg.Now = now
	acc, err := account.NewService(cfg, store.AccountRunner(db), db.IsUniqueViolation)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{empCode, otherCode} {
		if _, err := acc.Register(ctx, account.RegisterInput{CreditCode: code, Name: "单位" + code[:4], ContactName: "王芳",
			ContactPhone: "13812345678", Password: password, Password2: password, ClientAddr: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []struct {
		user, office string
		role         actor.Role
	}{{"province", "220000", actor.Reviewer}, {"nanguan", "220102", actor.Reviewer}, {"root", "220000", actor.Admin}} {
		if _, err := acc.CreateStaff(ctx, actor.System("test"), account.StaffInput{Username: s.user, Password: password, Role: s.role, Office: s.office}); err != nil {
			t.Fatal(err)
		}
	}
	cookies := &web.SessionCookies{Accounts: acc}
	srv, err := web.New(web.Deps{DB: db, Accounts: acc, Sessions: cookies, Cookies: cookies, Now: now,
		Reviews:  review.NewService(store.ReviewRunner(db), nil, now),
		Stats:    stats.NewService(store.StatsRunner(db), now),
		Messages: message.NewService(store.MessageRunner(db)),
		Admin:    admin.NewService(store.AdminRunner(db))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	s := &site{t: t, db: db, srv: hs}
	// 南关区's employer is certified with a letter; 昌邑区's has submitted; both are enterprises.
	s.exec(`UPDATE employers SET federation_office = '220102', tax_office = '12201020000', district = '220102', employee_count = 100,
        address = '长春市', unit_nature = '企业', contact_email = 'hr@example.com' WHERE credit_code = $1`, empCode)
	s.exec(`UPDATE employers SET federation_office = '220202', tax_office = '12201020000', district = '220202', employee_count = 40,
        address = '吉林市', unit_nature = '企业', economy_type = '私营' WHERE credit_code = $1`, otherCode)
	s.exec(`INSERT INTO declarations (employer_id, year, status, submitted_at) SELECT id, 2025, 'reopen-requested', $1 FROM employers`,
		time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC))
	s.exec(`INSERT INTO letters (declaration_id, number, verify_code, status, persons, counted_months, weight_months, federation_office, issued_at)
        SELECT d.id, 'JL2025-1', 'v1', 'valid', 2, 24, 36, '220102', $1 FROM declarations d JOIN employers e ON e.id = d.employer_id
        WHERE e.credit_code = $2`, time.Date(2026, 5, 3, 2, 0, 0, 0, time.UTC), empCode)
	s.exec(`INSERT INTO review_items (kind, employer_id, year, note, status, created_at)
        SELECT 'reopen', id, 2025, '人数有误', 'pending', $1 FROM employers`, time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC))
	return s
}

var svgTitle = regexp.MustCompile(`(?s)<svg[^>]*role="img"[^>]*aria-labelledby="([a-z0-9-]+)-title ([a-z0-9-]+)-desc"[^>]*>.*?<title id="[a-z0-9-]+-title">([^<]+)</title>\s*<desc id="[a-z0-9-]+-desc">([^<]+)</desc>`)

// TestStatisticsPages: the page's charts are SVG with a title, a description and a data table
// beside each; the summary and the tables count only the staff member's subtree; a county
// reviewer cannot drill up; every table downloads as CSV and the whole page as a workbook.
func TestStatisticsPages(t *testing.T) {
	now := storetest.NewClock(time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)).Now
	storetest.Each(t, storetest.Options{Now: now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := backofficeSite(t, db, now)
		prov := s.login("username", "province")
		status, body, _ := prov.get("/stats?year=2025")
		if status != 200 {
			t.Fatalf("GET /stats = %d\n%s", status, body)
		}
		charts := svgTitle.FindAllStringSubmatch(body, -1)
		if len(charts) != 5 {
			t.Fatalf("%d charts with a title and a description, want 5", len(charts))
		}
		for _, c := range charts {
			if c[1] != c[2] || strings.TrimSpace(c[3]) == "" || strings.TrimSpace(c[4]) == "" {
				t.Errorf("chart %s: title %q desc %q", c[1], c[3], c[4])
			}
			// Its data table follows in the same block, with a caption.
			block := body[strings.Index(body, `<div class="chart" id="`+c[1]+`"`):]
			block = block[:strings.Index(block, "</table>")]
			if !strings.Contains(block, "<caption") || !strings.Contains(block, `<th scope="col"`) || !strings.Contains(block, `class="chart-summary"`) {
				t.Errorf("chart %s has no data table with a caption or no summary", c[1])
			}
		}
		// Each SVG is well-formed XML.
		for _, m := range regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(body, -1) {
			d := xml.NewDecoder(strings.NewReader(m))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Errorf("SVG is not well-formed: %v", err)
					}
					break
				}
			}
		}
		for _, want := range []string{"注册单位 2 户", "已完成申报 2 户", "已认证 1 户", "折算 3.00 人", "待审核事项 2 项",
			`href="/stats?region=220100&amp;year=2025"`, `/stats/by-region.csv?region=220000&amp;year=2025`} {
			if !strings.Contains(body, want) {
				i := strings.Index(body, "/stats/by-region.csv")
				t.Errorf("province page lacks %q (%s)", want, body[i:i+60])
			}
		}
		// 南关区's reviewer: one employer, and no way up.
		county := s.login("username", "nanguan")
		status, body, _ = county.get("/stats?year=2025")
		if status != 200 || !strings.Contains(body, "注册单位 1 户") || !strings.Contains(body, "已认证 1 户") || strings.Contains(body, "昌邑区") {
			t.Errorf("county page: %d", status)
		}
		for _, region := range []string{"220100", "220000", "220202"} {
			if status, _, _ := county.get("/stats?year=2025&region=" + region); status != 404 {
				t.Errorf("county reviewer drilling into %s: %d", region, status)
			}
		}
		if status, _, _ := county.get("/stats?year=abc"); status != 422 {
			t.Errorf("bad year: %d", status)
		}
		// The employer may not see the statistics.
		if status, _, _ := s.login("creditCode", empCode).get("/stats"); status != 403 {
			t.Errorf("employer on /stats: %d", status)
		}

		// Exports: CSV with a byte-order mark, the same rows as the page; a workbook of 4 sheets.
		status, csvText, h := prov.get("/stats/by-region.csv?year=2025")
		if status != 200 || !strings.HasPrefix(csvText, "\uFEFF地区,注册单位,") || !strings.Contains(h.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(csvText, "\n长春市,1,") || !strings.Contains(csvText, "\n吉林市,1,") || !strings.Contains(csvText, "\n合计,2,") {
			t.Errorf("CSV = %d\n%s", status, csvText)
		}
		for _, name := range []string{"by-nature", "by-economy", "by-month"} {
			if status, _, _ := prov.get("/stats/" + name + ".csv?year=2025"); status != 200 {
				t.Errorf("%s.csv = %d", name, status)
			}
		}
		status, xlsx, _ := prov.get("/stats/tables.xlsx?year=2025")
		if status != 200 {
			t.Fatalf("tables.xlsx = %d", status)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(xlsx)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); strings.Join(got, ",") != "按地区,按单位性质,按经济类型,按月份" {
			t.Errorf("sheets %v", got)
		}
		if v, _ := f.GetCellValue("按单位性质", "B3"); v != "2" { // 企业: both
			t.Errorf("按单位性质 B3 = %q", v)
		}
		if v, _ := f.GetCellValue("按月份", "B4"); v != "2" { // 2026-04: both submitted
			t.Errorf("按月份 B4 = %q", v)
		}
		for _, bad := range []string{"/stats/nothing.csv", "/stats/by-region.pdf", "/stats/tables.csv"} {
			if status, _, _ := prov.get(bad + "?year=2025"); status != 404 {
				t.Errorf("%s = %d", bad, status)
			}
		}
	})
}

// TestMessageCenterPages: a decision shows up in the employer's header (未读) and message center;
// opening it marks it read and goes to the page it names.
func TestMessageCenterPages(t *testing.T) {
	now := storetest.NewClock(time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)).Now
	storetest.Each(t, storetest.Options{Now: now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := backofficeSite(t, db, now)
		emp := s.login("creditCode", empCode)
		if _, body, _ := emp.get("/messages"); strings.Contains(body, "条未读") || !strings.Contains(body, "暂无消息") {
			t.Errorf("empty message center:\n%s", body)
		}
		var item int64
		s.scan(`SELECT r.id FROM review_items r JOIN employers e ON e.id = r.employer_id WHERE e.credit_code = '`+empCode+`'`, &item)
		prov := s.login("username", "province")
		status, body, _ := prov.get("/review")
		if status != 200 || !strings.Contains(body, "办结期限") || !strings.Contains(body, "2026-06-17（剩余 2 个工作日）") {
			t.Errorf("queue without due dates: %d", status)
		}
		if status, _, _ := prov.postForm(fmt.Sprintf("/review/items/%d/decision", item), url.Values{"decision": {"approve"}, "comment": {"同意"}}); status != 303 {
			t.Fatalf("decision = %d", status)
		}
		_, body, _ = emp.get("/")
		if !strings.Contains(body, `<span class="badge">1 条未读</span>`) {
			t.Errorf("header lacks the unread count")
		}
		_, body, _ = emp.get("/messages")
		if !strings.Contains(body, "2025年度年审认证反馈已审核通过") || !strings.Contains(body, "审核意见：同意") {
			t.Errorf("message center:\n%s", body)
		}
		var id int64
		s.scan(`SELECT id FROM messages`, &id)
		status, _, h := emp.postForm("/messages/read", url.Values{"id": {fmt.Sprint(id)}, "open": {"1"}})
		if status != 303 || h.Get("Location") != "/declaration" {
			t.Errorf("open = %d %s", status, h.Get("Location"))
		}
		if _, body, _ = emp.get("/messages"); strings.Contains(body, "条未读") {
			t.Errorf("still unread after opening")
		}
		// The other employer cannot read it; staff have no message center.
		other := s.login("creditCode", otherCode)
		if status, _, _ := other.postForm("/messages/read", url.Values{"id": {fmt.Sprint(id)}}); status != 404 {
			t.Errorf("other employer marking it: %d", status)
		}
		if status, _, _ := prov.get("/messages"); status != 403 {
			t.Errorf("staff on /messages: %d", status)
		}
		// The mail waits in the outbox for the background work (its test sends it to Mailpit).
		var n int
		s.scan(`SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'hr@example.com' AND status = 'pending'`, &n)
		if n != 1 {
			t.Errorf("outbox rows = %d", n)
		}
	})
}

// TestCalendarPage: the root administrator edits a year's calendar; a mistake is reported by line
// beside the field and nothing is saved.
func TestCalendarPage(t *testing.T) {
	now := storetest.NewClock(time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)).Now
	storetest.Each(t, storetest.Options{Now: now, Steps: []store.Step{refdata.Step()}}, func(t *testing.T, db *store.DB) {
		s := backofficeSite(t, db, now)
		root := s.login("username", "root")
		status, body, _ := root.get("/admin/calendar")
		if status != 200 || !strings.Contains(body, "2026-10-01 至 2026-10-07 休") || !strings.Contains(body, "2027 年工作日历") {
			t.Fatalf("calendar page = %d\n%s", status, body)
		}
		status, body, _ = root.postForm("/admin/calendar", url.Values{"year": {"2027"}, "calendar": {"2027-10-01 至 2027-10-07 休\n2027-13-01 班\n"}})
		if status != 422 || !strings.Contains(body, "第2行") {
			t.Errorf("bad calendar = %d", status)
		}
		var n int
		s.scan(`SELECT COUNT(*) FROM work_calendar WHERE day LIKE '2027-%'`, &n)
		if n != 0 {
			t.Errorf("a refused calendar wrote %d days", n)
		}
		status, _, h := root.postForm("/admin/calendar", url.Values{"year": {"2027"}, "calendar": {"2027-10-01 至 2027-10-07 休\n2027-10-09 班\n"}})
		if status != 303 || h.Get("Location") != "/admin/calendar?done=calendar-saved" {
			_, body, _ := root.postForm("/admin/calendar", url.Values{"year": {"2027"}, "calendar": {"2027-10-01 至 2027-10-07 休\n2027-10-09 班\n"}})
			t.Errorf("save = %d\n%s", status, body)
		}
		s.scan(`SELECT COUNT(*) FROM work_calendar WHERE day LIKE '2027-%'`, &n)
		if n != 8 {
			t.Errorf("2027 has %d days, want 8", n)
		}
	})
}
