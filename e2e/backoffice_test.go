package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBackOffice drives the federation's back office in Chromium: the reviewer's dashboard with
// its due dates and overdue count (axe scan), a batch approval of two claims with one comment,
// the statistics page with its charts and drill-down (axe scans), the employer's message center
// reached from the 未读 count in the header (axe scan), and the administrator's calendar (axe
// scan). The screenshots illustrate docs/USER-GUIDE.md.
func TestBackOffice(t *testing.T) {
	axe := axeSource(t)
	base := server(t, "--demo", "--captcha", "off")
	seedClaims(t, apiLogin(t, base, "91220101MA14U8XK2R", "Demo@2026"))

	rev := withTimeout(t, browser(t), 3*time.Minute)
	signIn(t, rev, base, "staff", "reviewer", "Demo@2026")
	visit(t, rev, base+"/review")
	do(t, rev, "the dashboard", chromedp.WaitVisible(chromedp.CSS(".deadline-summary")))
	if s := textOf(t, rev, ".deadline-summary"); !strings.Contains(s, "办结期限") {
		t.Errorf("deadline summary: %q", s)
	}
	if s := textOf(t, rev, "#batch-form table"); !strings.Contains(s, "剩余") || !strings.Contains(s, "个工作日") {
		t.Errorf("queue without due dates: %q", s)
	}
	scan(t, rev, axe, "/review (dashboard)")
	screenshot(t, rev, "review-dashboard")

	do(t, rev, "tick both claims and approve them with one comment",
		chromedp.Click(chromedp.CSS(`#batch-form tbody tr:nth-child(1) input[name=id]`)),
		chromedp.Click(chromedp.CSS(`#batch-form tbody tr:nth-child(2) input[name=id]`)),
		chromedp.SendKeys(chromedp.CSS("#batch-comment"), "工资流水齐全"),
		chromedp.Click(chromedp.CSS(`#batch-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if s := textOf(t, rev, ".flash"); !strings.Contains(s, "批量审核通过") {
		t.Errorf("flash after the batch: %q", s)
	}

	visit(t, rev, base+"/stats?year=2025")
	do(t, rev, "the charts", chromedp.WaitVisible(chromedp.CSS(`svg[role="img"]`)))
	scan(t, rev, axe, "/stats")
	screenshot(t, rev, "stats")
	do(t, rev, "drill down into 长春市",
		chromedp.Click(chromedp.CSS(`#by-region-heading ~ div table a[href*="region=220100"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.breadcrumb [aria-current="page"]`)))
	if s := textOf(t, rev, `.breadcrumb [aria-current="page"]`); s != "长春市" {
		t.Errorf("after the drill-down the breadcrumb ends with %q", s)
	}
	scan(t, rev, axe, "/stats?region=220100")

	emp := withTimeout(t, browser(t), 2*time.Minute)
	signIn(t, emp, base, "employer", "91220101MA14U8XK2R", "Demo@2026")
	// Two claims approved, and the demo's two affiliates approved when it was loaded.
	if s := textOf(t, emp, `a[href="/messages"]`); !strings.Contains(s, "4 条未读") {
		t.Errorf("header link: %q", s)
	}
	do(t, emp, "open the message center", chromedp.Click(chromedp.CSS(`a[href="/messages"]`)),
		chromedp.WaitVisible(chromedp.CSS(".messages")))
	if s := textOf(t, emp, ".messages"); strings.Count(s, "申请计入的") != 2 || !strings.Contains(s, "工资流水齐全") {
		t.Errorf("messages: %q", s)
	}
	scan(t, emp, axe, "/messages")
	screenshot(t, emp, "messages")
	do(t, emp, "open the first", chromedp.Click(chromedp.CSS(`.messages button[name=open]`)),
		chromedp.WaitVisible(chromedp.CSS("main")))
	waitFor(t, emp, "the person's grid", `location.pathname.startsWith("/placements/")`)
	if s := textOf(t, emp, `a[href="/messages"]`); !strings.Contains(s, "3 条未读") {
		t.Errorf("header after opening one: %q", s)
	}

	adm := withTimeout(t, browser(t), 2*time.Minute)
	signIn(t, adm, base, "staff", "admin", "Demo@2026")
	visit(t, adm, base+"/admin/calendar")
	scan(t, adm, axe, "/admin/calendar")
	screenshot(t, adm, "admin-calendar")
}
