package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"quotacert/internal/oidc"
	"quotacert/internal/testidp"
)

// TestPlatformSignInBrowser is the seed's 注册登录 behind the provincial identity platform: 我要申报
// leads to the platform's password login, a new legal person signs in there and lands, as the new
// employer, at 单位信息维护管理; 退出登录 ends the session here and at the platform.
func TestPlatformSignInBrowser(t *testing.T) {
	axe := axeSource(t)
	idp, err := testidp.Start(testidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("browser-test-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	idp.AddClient(testidp.Client{ID: "quotacert", Secret: "browser-test-secret", RedirectURIs: []string{base + oidc.CallbackPath},
		PostLogoutRedirectURIs: []string{base + oidc.PostLogoutPath}})
	idp.AddUser(testidp.User{Username: "91350100M000100Y43", Password: "Platform#2026", Claims: map[string]any{"user_type": "legal",
		"uscc": "91350100M000100Y43", "org_name": "吉林省新申报示例有限公司", "name": "李红", "phone_number": "13912345678"}})

	if got := server(t, "--addr", addr, "--base-url", base, "--demo", "--oidc-issuer", idp.Issuer(),
		"--oidc-client-id", "quotacert", "--oidc-client-secret-file", secret); got != base {
		t.Fatalf("serving on %s, want %s", got, base)
	}
	ctx := withTimeout(t, browser(t), 90*time.Second)
	do(t, ctx, "open the login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#platform-start")))
	scan(t, ctx, axe, "/login (behind the platform)")
	screenshot(t, ctx, "login-platform")
	do(t, ctx, "我要申报 → the platform's password login",
		chromedp.Click(chromedp.CSS("#platform-start")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, idp.Issuer()+"/login") {
		t.Fatalf("我要申报 led to %s, not the platform's login page", loc)
	}
	do(t, ctx, "sign in as 法人 at the platform",
		chromedp.SendKeys(chromedp.CSS("#username"), "91350100M000100Y43"),
		chromedp.SendKeys(chromedp.CSS("#password"), "Platform#2026"),
		chromedp.Click(chromedp.CSS(`button[value="login"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	account, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".account")))
	if !strings.HasPrefix(loc, base+"/employer") || heading != "单位信息维护管理" || !strings.Contains(account, "吉林省新申报示例有限公司") {
		t.Fatalf("after the platform sign-in: %s, heading %q, account %q", loc, heading, account)
	}
	waitFor(t, ctx, "the employer's name from the platform", `[...document.querySelectorAll("main input")].some(e => e.value === "吉林省新申报示例有限公司") || document.querySelector("main").textContent.includes("吉林省新申报示例有限公司")`)
	scan(t, ctx, axe, "/employer (first sign-in through the platform)")
	screenshot(t, ctx, "employer-after-platform")

	do(t, ctx, "退出登录",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#platform-start")),
	)
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, base+"/login") {
		t.Errorf("after the logout the browser is at %s, want quotacert's login page", loc)
	}
	if idp.HasSession("91350100M000100Y43") {
		t.Error("the platform session outlived the logout (RP-initiated logout)")
	}
	do(t, ctx, "a signed-out visit", chromedp.Navigate(base+"/employer"), chromedp.WaitVisible(chromedp.CSS("#platform-start")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, base+"/login") {
		t.Errorf("after the logout /employer is at %s, want the login page", loc)
	}
}
