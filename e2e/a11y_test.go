package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"quotacert/internal/store/storetest"
)

// axeSource is axe-core from e2e/node_modules (npm ci in e2e/, done by scripts/setup.sh).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("node_modules/axe-core/axe.min.js")
	if err != nil {
		if storetest.Required() {
			t.Fatalf("axe-core missing (run npm ci in e2e/): %v", err)
		}
		t.Skip("accessibility scan skipped: axe-core not installed (npm ci --prefix e2e)")
	}
	return string(b)
}

// signIn logs in through the login form, as a person would. kind is "employer" or "staff".
func signIn(t *testing.T, ctx context.Context, base, kind, user, password string) {
	t.Helper()
	nameField, passField := "#creditCode", "#password"
	if kind == "staff" {
		nameField, passField = "#username", "#staff-password"
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(nameField), user),
		chromedp.SendKeys(chromedp.CSS(passField), password+"\r"),
		// Signed-in pages carry the logout button in the header.
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
	if err != nil {
		body, textErr := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("sign in as %s: %v\n%s (%v)", user, err, body, textErr)
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []string `json:"target"`
	} `json:"nodes"`
}

// scan runs axe-core's WCAG 2 A/AA rules on the current page and fails on any violation.
func scan(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: inject axe: %v", page, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => r.violations)`,
		func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: axe result: %v", page, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, where)
	}
}

// visit opens a page and checks it answered with a page of ours, not an error page.
func visit(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatalf("title of %s: %v", url, err)
	}
	if strings.Contains(title, "页面不存在") || strings.Contains(title, "系统内部错误") || strings.Contains(title, "无权访问") {
		t.Fatalf("%s shows an error page: %q", url, title)
	}
	// 使用帮助 is linked from every page (issue 17), in the navigation and the footer.
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('nav a[href="/help"], footer a[href="/help"]').length`)); err != nil || n != 2 {
		t.Errorf("%s: %d links to 使用帮助 (%v), want the navigation's and the footer's", url, n, err)
	}
}

// TestAccessibility scans every page of each role with axe-core (WCAG 2.1 A and AA).
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	base := server(t, "--demo", "--captcha", "off")
	placementID := seedClaims(t, apiLogin(t, base, "91220101MA14U8XK2R", "Demo@2026"))
	var queue struct{ Items []struct{ ID int64 } }
	apiLoginAs(t, base, map[string]string{"username": "reviewer", "password": "Demo@2026"}).do("GET", "/api/v1/reviews?status=pending", nil, 200, &queue)
	if len(queue.Items) == 0 {
		t.Fatal("no review item to scan")
	}
	request := seedAffiliateRequest(t, base)
	pages := map[string][]string{
		"": {"/", "/login", "/register"},
		"employer": {"/", "/employer", "/employer/affiliates/new", "/notices", "/account/password", "/account/security", "/account/mfa",
			"/placements?year=2025", "/placements/new?year=2025", fmt.Sprintf("/placements/%d", placementID),
			"/declaration?year=2025", fmt.Sprintf("/employer/affiliate-requests/%d", request)},
		"reviewer": {"/review", fmt.Sprintf("/review/items/%d", queue.Items[0].ID), fmt.Sprintf("/review/items/%d", request),
			"/review/results", "/review/results?year=2024&pageSize=1"},
		"admin": {"/admin/", "/admin/users", "/admin/audit", "/admin/imports", "/admin/notices", "/admin/notices/new",
			"/admin/regions", "/admin/offices/federation", "/admin/offices/tax", "/admin/minwages", "/admin/years", "/admin/levy"},
	}
	for _, role := range []string{"", "employer", "reviewer", "admin"} {
		t.Run("role="+role, func(t *testing.T) {
			ctx := withTimeout(t, browser(t), 3*time.Minute)
			switch role {
			case "employer":
				signIn(t, ctx, base, "employer", "91220101MA14U8XK2R", "Demo@2026")
			case "reviewer":
				signIn(t, ctx, base, "staff", "reviewer", "Demo@2026")
			case "admin":
				signIn(t, ctx, base, "staff", "admin", "Demo@2026")
			}
			for _, p := range pages[role] {
				visit(t, ctx, base+p)
				scan(t, ctx, axe, p)
			}
		})
	}
}
