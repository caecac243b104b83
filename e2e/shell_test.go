package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHomeAndLogin opens the home page and follows 我要申报 to the login page, as a first-time
// employer does in the seed's 第一步, checking the page is usable by keyboard.
func TestHomeAndLogin(t *testing.T) {
	base := server(t)
	ctx := withTimeout(t, browser(t), 60*time.Second)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	if h1 != "残疾人按比例就业情况联网认证" {
		t.Fatalf("home h1 = %q", h1)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if err != nil || lang != "zh-CN" {
		t.Fatalf("lang = %q, %v", lang, err)
	}
	screenshot(t, ctx, "home")

	// The first Tab reaches the skip link, so keyboard users can jump past the navigation.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.activeElement.textContent"))
	if err != nil || focused != "跳到主要内容" {
		t.Fatalf("first Tab focuses %q, %v", focused, err)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("a.button.primary")), chromedp.WaitVisible(chromedp.CSS("#creditCode"))); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/login") {
		t.Fatalf("after 我要申报: %q, %v", loc, err)
	}
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("label")).map(l => l.textContent.replace(/\s+/g, " ").trim())`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"统一社会信用代码 *", "密码 *", "验证码 *", "用户名 *"} {
		found := false
		for _, l := range labels {
			found = found || l == want
		}
		if !found {
			t.Errorf("login page lacks label %q (labels %q)", want, labels)
		}
	}
	// The captcha image has a text alternative.
	alts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("img:not([alt]), img[alt='']").length`))
	if err != nil || alts != 0 {
		t.Fatalf("%d images without alt text, %v", alts, err)
	}
	// Every input that is not hidden has a label tied to it.
	unlabeled, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`Array.from(document.querySelectorAll("input:not([type=hidden])")).filter(i => !i.labels || i.labels.length === 0).length`))
	if err != nil || unlabeled != 0 {
		t.Fatalf("%d inputs without a label, %v", unlabeled, err)
	}
	screenshot(t, ctx, "login")
}
