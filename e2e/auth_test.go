package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pquerna/otp/totp"
)

// TestCaptchaRefreshAndAudio: on the real login page (captcha on), "换一张" replaces the challenge in
// place — the typed values stay, the live region announces it — and is reached by keyboard, and so
// is "播放语音验证码", which serves the spoken digits as audio. The page passes axe.
func TestCaptchaRefreshAndAudio(t *testing.T) {
	axe := axeSource(t)
	base := server(t)
	ctx := withTimeout(t, browser(t), 90*time.Second)
	do(t, ctx, "type into the employer form",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#creditCode")),
		chromedp.SendKeys(chromedp.CSS("#creditCode"), "91220101MA14U8XK2R"),
		chromedp.SendKeys(chromedp.CSS("#password"), "Typed#2026x"),
	)
	scan(t, ctx, axe, "/login (captcha on)")
	screenshot(t, ctx, "login-captcha")
	before, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="captchaId"]').value`))
	if err != nil {
		t.Fatal(err)
	}
	// Keyboard: from the captcha field, Tab reaches "换一张", Enter presses it.
	do(t, ctx, "refresh by keyboard",
		chromedp.Focus(chromedp.CSS("#captcha")),
		chromedp.KeyEvent(kb.Tab),
	)
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.hasAttribute("data-captcha-refresh")`)); !ok {
		t.Fatal("Tab from the captcha field does not reach 换一张")
	}
	do(t, ctx, "press 换一张", chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "a new challenge", `document.querySelector('input[name="captchaId"]').value !== "`+before+`"`)
	waitFor(t, ctx, "the announcement", `[...document.querySelectorAll("[data-captcha-status]")].some(e => e.textContent.includes("已更换验证码"))`)
	for sel, want := range map[string]string{"#creditCode": "91220101MA14U8XK2R", "#password": "Typed#2026x"} {
		got, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil || got != want {
			t.Errorf("%s after 换一张: %q (%v), want the typed value kept", sel, got, err)
		}
	}
	// Both forms got the same new challenge; the audio link follows it.
	same, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const ids = [...document.querySelectorAll('input[name="captchaId"]')].map(e => e.value);
		const a = document.querySelector("[data-captcha-audio]").getAttribute("href");
		return ids.every(v => v === ids[0]) && a.includes(ids[0]); })()`))
	if !same {
		t.Error("the forms' challenges or the audio link disagree after the refresh")
	}
	// The refresh puts the focus back into the captcha field, ready for the new digits; two Tabs on
	// (past "换一张") is the audio control, announced as a button with its label.
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.id === "captcha"`)); !ok {
		t.Error("after 换一张 the focus is not in the captcha field")
	}
	do(t, ctx, "to the audio", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	label, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.hasAttribute("data-captcha-audio") ? document.activeElement.getAttribute("role") + ":" + document.activeElement.textContent : ""`))
	if label != "button:播放语音验证码" {
		t.Errorf("focus after 换一张 is %q, want the audio button", label)
	}
	ctype, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("[data-captcha-audio]").href).then(r => r.status + " " + r.headers.get("content-type"))`,
		awaitPromise))
	if err != nil || ctype != "200 audio/wav" {
		t.Errorf("the spoken captcha: %q (%v)", ctype, err)
	}
}

// TestTOTPEnrolmentAndLogin: with the second factor required, the demo reviewer is sent to the
// enrolment at first sign-in, binds an authenticator (the code computed from the secret shown for
// manual entry), gets the recovery codes, and then signs in with the code on a second step. The new
// pages pass axe; the screenshots illustrate the user guide.
func TestTOTPEnrolmentAndLogin(t *testing.T) {
	axe := axeSource(t)
	base := server(t, "--demo", "--captcha", "off", "--staff-mfa", "required")
	ctx := withTimeout(t, browser(t), 3*time.Minute)
	signIn(t, ctx, base, "staff", "reviewer", "Demo@2026")
	waitFor(t, ctx, "the enrolment page", `location.pathname === "/account/mfa"`)
	do(t, ctx, "the enrolment page", chromedp.WaitVisible(chromedp.CSS("#totp-secret")))
	scan(t, ctx, axe, "/account/mfa (enrol)")
	screenshot(t, ctx, "mfa-enrol")
	secret := strings.ReplaceAll(textOf(t, ctx, "#totp-secret"), " ", "")
	// Any other page answers with the enrolment until it is done.
	do(t, ctx, "try the queue", chromedp.Navigate(base+"/review"), chromedp.WaitReady(chromedp.CSS("main")))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "/account/mfa") {
		t.Errorf("before enrolment /review shows %s", loc)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	enrolStep := time.Now().Unix() / 30
	do(t, ctx, "confirm with a code",
		chromedp.SendKeys(chromedp.CSS("#otp"), code+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(".recovery-codes")),
	)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".recovery-codes li").length`)); n != 10 {
		t.Errorf("%d recovery codes shown", n)
	}
	scan(t, ctx, axe, "/account/mfa (recovery codes)")
	do(t, ctx, "the queue now opens", chromedp.Navigate(base+"/review"), chromedp.WaitReady(chromedp.CSS("main")))
	visit(t, ctx, base+"/account/security")
	scan(t, ctx, axe, "/account/security")
	screenshot(t, ctx, "account-security")

	// Sign out and in again: password first, then the code on a second step.
	do(t, ctx, "log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	do(t, ctx, "password step",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#username"), "reviewer"),
		chromedp.SendKeys(chromedp.CSS("#staff-password"), "Demo@2026"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login/otp"] #otp`)),
	)
	scan(t, ctx, axe, "/login/otp")
	screenshot(t, ctx, "login-otp")
	// A code is accepted once: wait for the step after the enrolment's.
	for time.Now().Unix()/30 == enrolStep {
		time.Sleep(200 * time.Millisecond)
	}
	code, _ = totp.GenerateCode(secret, time.Now())
	do(t, ctx, "code step",
		chromedp.SendKeys(chromedp.CSS("#otp"), code+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
	if who := textOf(t, ctx, ".account span"); !strings.Contains(who, "reviewer") {
		t.Errorf("signed in as %q", who)
	}
}

// awaitPromise makes Evaluate wait for the promise the expression returns.
func awaitPromise(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }
