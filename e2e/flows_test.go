package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// textOf returns the visible text of the first element matching a CSS selector.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitFor polls a JavaScript condition until it holds (a navigation finished), failing after 20 s.
// Waiting for an element alone can succeed on the page being left.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
	}
	t.Fatalf("waiting for %s: %s never held", what, cond)
}

// do runs browser actions and fails the test on error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		body, textErr := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage text: %s (%v)", what, err, body, textErr)
	}
}

// TestRegisterLoginLogout is the seed's 注册登录 as a new employer meets it: a mistake shown beside
// its field with the other values kept, then registration, login with the new account, and logout.
func TestRegisterLoginLogout(t *testing.T) {
	base := server(t, "--captcha", "off")
	ctx := withTimeout(t, browser(t), 90*time.Second)
	do(t, ctx, "open the registration form",
		chromedp.Navigate(base+"/login"),
		chromedp.Click(chromedp.CSS(`a[href="/register"]`)),
		chromedp.WaitVisible(chromedp.CSS("#creditCode")),
		chromedp.SendKeys(chromedp.CSS("#creditCode"), "911100001000044477"),
		chromedp.SendKeys(chromedp.CSS("#name"), "北京测试残疾人就业有限公司"),
		chromedp.SendKeys(chromedp.CSS("#contactName"), "张经办"),
		chromedp.SendKeys(chromedp.CSS("#contactPhone"), "13912345678"),
		chromedp.SendKeys(chromedp.CSS("#password"), "Huan@2026ying"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "Huan@2026yinG\r"),
		chromedp.WaitVisible(chromedp.CSS("#password2-error")),
	)
	if msg := textOf(t, ctx, "#password2-error"); !strings.Contains(msg, "不一致") {
		t.Fatalf("mismatched passwords: %q", msg)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#name")))
	if err != nil || kept != "北京测试残疾人就业有限公司" {
		t.Fatalf("unit name not kept after the error: %q (%v)", kept, err)
	}
	do(t, ctx, "correct and register",
		chromedp.SendKeys(chromedp.CSS("#password"), "Huan@2026ying"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "Huan@2026ying\r"),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("after registration the page is %s, want the login page (%v)", loc, err)
	}
	if flash := textOf(t, ctx, ".flash"); !strings.Contains(flash, "注册成功") {
		t.Fatalf("after registration: %q", flash)
	}
	signIn(t, ctx, base, "employer", "911100001000044477", "Huan@2026ying")
	if who := textOf(t, ctx, ".account span"); !strings.Contains(who, "911100001000044477") && !strings.Contains(who, "北京测试") {
		t.Fatalf("signed in as %q", who)
	}
	screenshot(t, ctx, "employer-home")
	do(t, ctx, "log out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)),
	)
	// The session is gone: a signed-in page sends the visitor back to the login page.
	do(t, ctx, "open a signed-in page", chromedp.Navigate(base+"/employer"), chromedp.WaitVisible(chromedp.CSS("#creditCode")))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("after logout /employer shows %s (%v)", loc, err)
	}
}

// TestPublishNoticeAndFindIt: an admin publishes a notice; an employer finds it by a two-character
// keyword of its body and reads it, with the Markdown rendered and any script removed.
func TestPublishNoticeAndFindIt(t *testing.T) {
	base := server(t, "--demo", "--captcha", "off")
	admin := withTimeout(t, browser(t), 90*time.Second)
	signIn(t, admin, base, "staff", "admin", "Demo@2026")
	do(t, admin, "write a notice",
		chromedp.Navigate(base+"/admin/notices/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SendKeys(chromedp.CSS("#title"), "关于开展2025年度按比例就业年审的通知"),
		chromedp.SendKeys(chromedp.CSS("#body"), "请各用人单位于10月31日前完成**年审**申报。<script>alert(1)</script>"),
		chromedp.Click(chromedp.CSS(`button.primary[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	do(t, admin, "publish it",
		chromedp.Navigate(base+"/admin/notices"),
		chromedp.Click(chromedp.CSS(`a[href$="/publish"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form button.primary`)),
		chromedp.Click(chromedp.CSS(`form button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	screenshot(t, admin, "admin-notices")

	emp := withTimeout(t, browser(t), 90*time.Second)
	signIn(t, emp, base, "employer", "91220101MA14U8XK2R", "Demo@2026")
	do(t, emp, "search notices",
		chromedp.Navigate(base+"/notices"),
		chromedp.SendKeys(chromedp.CSS("#q"), "年审\r"),
	)
	waitFor(t, emp, "the search results", `location.search.includes("q=")`)
	do(t, emp, "read the results", chromedp.WaitVisible(chromedp.CSS(`main a[href^="/notices/"]`)))
	if title := textOf(t, emp, `main a[href^="/notices/"]`); !strings.Contains(title, "按比例就业年审") {
		t.Fatalf("search result %q", title)
	}
	do(t, emp, "open it", chromedp.Click(chromedp.CSS(`main a[href^="/notices/"]`)))
	waitFor(t, emp, "the notice page", `/^\/notices\/\d+$/.test(location.pathname)`)
	do(t, emp, "read the notice", chromedp.WaitVisible(chromedp.CSS("main strong")))
	if b := textOf(t, emp, "main strong"); b != "年审" {
		t.Fatalf("Markdown not rendered: <strong>%s</strong>", b)
	}
	scripts, err := chromedp.Run(emp, chromedp.Evaluate[int](`document.querySelectorAll("main script").length`))
	if err != nil || scripts != 0 {
		t.Fatalf("a script from the notice body reached the page (%d, %v)", scripts, err)
	}
	screenshot(t, emp, "notice")
}

// TestEmployerProfileByKeyboard edits the profile with the keyboard alone: Tab reaches the field and
// the save button, Enter submits, and the confirmation is announced.
func TestEmployerProfileByKeyboard(t *testing.T) {
	base := server(t, "--demo", "--captcha", "off")
	ctx := withTimeout(t, browser(t), 90*time.Second)
	signIn(t, ctx, base, "employer", "91220101MA14U8XK2R", "Demo@2026")
	do(t, ctx, "open the profile", chromedp.Navigate(base+"/employer"), chromedp.WaitVisible(chromedp.CSS("#contactName")))
	screenshot(t, ctx, "employer-profile")
	tabTo := func(want string) {
		t.Helper()
		for i := 0; i < 60; i++ {
			do(t, ctx, "press Tab", chromedp.KeyEvent("\t"))
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](want))
			if err != nil {
				t.Fatal(err)
			}
			if got == "yes" {
				return
			}
		}
		t.Fatalf("Tab never reached %s", want)
	}
	tabTo(`document.activeElement.id === "contactName" ? "yes" : ""`)
	do(t, ctx, "retype the contact name",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.select()`),
		chromedp.KeyEvent("李新"),
	)
	tabTo(`document.activeElement.matches("button[value=save]") ? "yes" : ""`)
	do(t, ctx, "press Enter on 保存", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#contactName"))); err != nil || v != "李新" {
		t.Fatalf("contact name after save: %q (%v)", v, err)
	}
	role, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".flash").getAttribute("role")`))
	if err != nil || role != "status" {
		t.Fatalf("the confirmation is not announced (role %q, %v)", role, err)
	}
}
