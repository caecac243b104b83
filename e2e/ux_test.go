package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// evalString runs a script returning a string.
func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// evalInt runs a script returning a number.
func evalInt(t *testing.T, ctx context.Context, js string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return n
}

// viewLink is the 查看 link of a person's row in the list of the shown year.
func viewLink(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	href := evalString(t, ctx, `(() => { const row = [...document.querySelectorAll("#placement-table tbody tr")].find(r => r.textContent.includes(`+
		"`"+name+"`"+`)); const a = row && row.querySelector('a[href^="/placements/"]'); return a ? a.getAttribute("href") : ""; })()`)
	if href == "" {
		t.Fatalf("no row of %s in the list", name)
	}
	return href
}

// TestShowcasePages walks the full demo (every state at once) as an employer, a reviewer and an
// administrator and checks the page defects of issue 17 one by one, with axe on the new pages.
func TestShowcasePages(t *testing.T) {
	axe := axeSource(t)
	base := server(t, "--demo", "--captcha", "off")

	t.Run("employer", func(t *testing.T) {
		ctx := withTimeout(t, browser(t), 3*time.Minute)
		signIn(t, ctx, base, "employer", demoEmployer, demoPassword)
		// The header names the unit, not its credit code; 使用帮助 is in the navigation.
		if got := textOf(t, ctx, ".site-header .account span"); !strings.Contains(got, "长春示例科技有限公司") || strings.Contains(got, demoEmployer) {
			t.Errorf("header account: %q", got)
		}
		do(t, ctx, "open 使用帮助", chromedp.Click(chromedp.CSS(`nav a[href="/help"]`)), chromedp.WaitVisible(chromedp.CSS("#own-office")))
		if got := textOf(t, ctx, "#own-office"); !strings.Contains(got, "长春市南关区残疾人联合会") || !strings.Contains(got, "0431-8000 0102") {
			t.Errorf("own federation office: %q", got)
		}
		screenshot(t, ctx, "help")
		scan(t, ctx, axe, "/help (employer)")

		// Every state in the list.
		do(t, ctx, "open the list", chromedp.Navigate(base+"/placements?year=2025"), chromedp.WaitVisible(chromedp.CSS("#placement-table")))
		table := textOf(t, ctx, "#placement-table")
		for _, want := range []string{"韩立新", "已确认", "王淑芬", "赵国强", "待审核", "郑海波", "审核不通过", "钱晓梅", "未完成"} {
			if !strings.Contains(table, want) {
				t.Errorf("the showcase list lacks %q:\n%s", want, table)
			}
		}
		screenshot(t, ctx, "placements-showcase")

		// The grid of the draft (six failed months): placement.js collapses every evidence block.
		grid := viewLink(t, ctx, "钱晓梅")
		do(t, ctx, "open the draft's grid", chromedp.Navigate(base+grid), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
		waitFor(t, ctx, "the blocks collapsed", `document.querySelectorAll("fieldset.claim").length > 0 &&
			[...document.querySelectorAll("fieldset.claim")].every(f => f.hidden)`)
		if n := evalInt(t, ctx, `[...document.querySelectorAll("input[type=file]")].filter(e => e.offsetParent !== null).length`); n != 0 {
			t.Errorf("%d file inputs visible before any failed month is ticked", n)
		}
		height := evalInt(t, ctx, `document.documentElement.scrollHeight`)
		screenshot(t, ctx, "placement-grid-collapsed")
		scan(t, ctx, axe, "grid of a draft")

		// Tab order: only failed cells are stops; the skip link goes straight to the months.
		do(t, ctx, "reload", chromedp.Navigate(base+grid), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
		stops := 0
		for ; stops < 200; stops++ {
			if evalString(t, ctx, `document.activeElement.matches("input[name=months]:not([disabled])") ? "yes" : ""`) == "yes" {
				break
			}
			do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		}
		t.Logf("Tab stops to the first month that can be ticked: %d (issue 17 measured 81 before)", stops)
		if stops >= 40 {
			t.Errorf("the first month checkbox is Tab stop %d", stops)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll("#verify-grid td.ok [tabindex]").length`); n != 0 {
			t.Errorf("%d passed cells are Tab stops", n)
		}
		do(t, ctx, "the skip link", chromedp.Focus(chromedp.CSS("a.skip-grid")), chromedp.KeyEvent(kb.Enter))
		waitFor(t, ctx, "focus on the months row", `document.activeElement.id === "select-months"`)
		do(t, ctx, "Tab into the months", chromedp.KeyEvent(kb.Tab))
		if got := evalString(t, ctx, `document.activeElement.name || ""`); got != "months" {
			t.Errorf("after the skip link, Tab reaches %q", got)
		}
		// Ticking a failed month opens its block only.
		do(t, ctx, "tick July", chromedp.Click(chromedp.CSS("#m-2025-07")))
		waitFor(t, ctx, "July's block", `!document.getElementById("claim-2025-07").hidden && document.getElementById("claim-2025-08").hidden`)
		if grown := evalInt(t, ctx, `document.documentElement.scrollHeight`); grown <= height {
			t.Errorf("the page did not grow when July's block opened (%d → %d)", height, grown)
		}

		// The no-script button stays hidden with script ([hidden] beats .button).
		do(t, ctx, "open the profile", chromedp.Navigate(base+"/employer"), chromedp.WaitVisible(chromedp.CSS("#contactName")))
		if got := evalString(t, ctx, `(() => { const b = document.querySelector('button[value="refresh"]'); return b ? getComputedStyle(b).display : "absent"; })()`); got != "none" {
			t.Errorf("刷新下级选项 with script: display %q", got)
		}

		// A submitted year: 添加残疾人 says so before any form; the letter and one year switcher style.
		do(t, ctx, "add in 2024", chromedp.Navigate(base+"/placements/new?year=2024"), chromedp.WaitVisible(chromedp.CSS("#year-locked")))
		if n := evalInt(t, ctx, `document.querySelectorAll("#idNumber").length`); n != 0 {
			t.Error("the form is shown for a submitted year")
		}
		scan(t, ctx, axe, "/placements/new?year=2024")
		do(t, ctx, "2024's declaration", chromedp.Navigate(base+"/declaration?year=2024"), chromedp.WaitVisible(chromedp.CSS(`a[href$="letter.pdf"]`)))
		if n := evalInt(t, ctx, `document.querySelectorAll("nav.year-switch a").length + (document.querySelector("select#year-select") ? 100 : 0)`); n < 3 || n >= 100 {
			t.Errorf("declaration year switcher: %d", n)
		}
		// 测算 shows the figures it computes with (120 × 1.6% = 1.92; D = 24 weight-months / 12 = 2).
		do(t, ctx, "测算", chromedp.Navigate(base+"/declaration?year=2025&averageWage=80000"), chromedp.WaitVisible(chromedp.CSS("#levy-required")))
		if r, d := textOf(t, ctx, "#levy-required"), textOf(t, ctx, "#levy-actual"); r != "1.92 人" || d != "2 人" {
			t.Errorf("levy steps: N×R %q, D %q", r, d)
		}
	})

	t.Run("reviewer", func(t *testing.T) {
		ctx := withTimeout(t, browser(t), 3*time.Minute)
		signIn(t, ctx, base, "staff", "reviewer", demoPassword)
		if got := evalString(t, ctx, `location.pathname`); got != "/review" {
			t.Errorf("the reviewer lands on %s", got)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('nav a[href="/employer"], nav a[href="/placements"], nav a[href="/declaration"]').length`); n != 0 {
			t.Errorf("the staff navigation offers %d employer items", n)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('nav a[href="/help"], nav a[href="/review"]').length`); n != 2 {
			t.Errorf("the staff navigation lacks 审核工作台 or 使用帮助")
		}
		screenshot(t, ctx, "review-queue-showcase")
		var queue struct {
			Items []struct {
				ID   int64
				Kind string
			}
		}
		apiLoginAs(t, base, map[string]string{"username": "reviewer", "password": demoPassword}).do("GET", "/api/v1/reviews?status=pending", nil, http.StatusOK, &queue)
		byKind := map[string]int64{}
		for _, it := range queue.Items {
			byKind[it.Kind] = it.ID
		}
		for _, k := range []string{"claim", "certificate", "reopen", "affiliate"} {
			if byKind[k] == 0 {
				t.Fatalf("nothing of kind %s waits: %+v", k, queue.Items)
			}
		}
		// The historical certificate: number, issue and expiry beside the image.
		do(t, ctx, "the certificate item", chromedp.Navigate(fmt.Sprintf("%s/review/items/%d", base, byKind["certificate"])),
			chromedp.WaitVisible(chromedp.CSS("#item-certificate-number")))
		if n, i, v := textOf(t, ctx, "#item-certificate-number"), textOf(t, ctx, "#item-certificate-issued"), textOf(t, ctx, "#item-certificate-valid"); n == "" ||
			i != "2015-05-20" || v != "2025-05-19" {
			t.Errorf("certificate: %q %q %q", n, i, v)
		}
		screenshot(t, ctx, "review-item-certificate")
		scan(t, ctx, axe, "certificate item")
		// The claim's evidence is labelled by the check it proves.
		do(t, ctx, "the claim item", chromedp.Navigate(fmt.Sprintf("%s/review/items/%d", base, byKind["claim"])), chromedp.WaitVisible(chromedp.CSS(".evidence-check")))
		if got := textOf(t, ctx, ".evidence-check"); !strings.Contains(got, "医保参保状态") {
			t.Errorf("evidence label: %q", got)
		}
		// 审核不通过 without a comment: the choice stays.
		do(t, ctx, "reject without comment", chromedp.Click(chromedp.CSS(`input[value=reject]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#comment[aria-invalid="true"]`)))
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("input[value=reject]").checked`)); !ok {
			t.Error("审核不通过 is no longer chosen after the comment error")
		}
		// The reopen request shows the result it would cancel.
		do(t, ctx, "the reopen item", chromedp.Navigate(fmt.Sprintf("%s/review/items/%d", base, byKind["reopen"])), chromedp.WaitVisible(chromedp.CSS("#reopen-cancels")))
		if got := textOf(t, ctx, "#reopen-cancels"); !strings.Contains(got, "JL2024-") || !strings.Contains(got, "12 个月") {
			t.Errorf("reopen summary: %q", got)
		}
		screenshot(t, ctx, "review-item-reopen")
		scan(t, ctx, axe, "reopen item")
	})

	t.Run("admin", func(t *testing.T) {
		ctx := withTimeout(t, browser(t), 2*time.Minute)
		signIn(t, ctx, base, "staff", "admin", demoPassword)
		if got := evalString(t, ctx, `location.pathname`); got != "/admin/" {
			t.Errorf("the administrator lands on %s", got)
		}
		if n := evalInt(t, ctx, `document.querySelectorAll('nav a[href="/admin/"], nav a[href="/admin/imports"]').length`); n != 2 {
			t.Error("the console or the imports are not in the navigation")
		}
		do(t, ctx, "the imports", chromedp.Click(chromedp.CSS(`nav a[href="/admin/imports"]`)), chromedp.WaitVisible(chromedp.CSS("table")))
		if got := textOf(t, ctx, "main"); !strings.Contains(got, "北京时间") || strings.Contains(got, "UTC") {
			t.Error("import times are not said to be Beijing time")
		}
		do(t, ctx, "edit an office", chromedp.Navigate(base+"/admin/offices/federation?edit=220102#office-form"), chromedp.WaitVisible(chromedp.CSS("#office-form-phone")))
		do(t, ctx, "a new phone", chromedp.SetValue(chromedp.CSS("#office-form-phone"), "0431-8888 6666"),
			chromedp.Click(chromedp.CSS(`#office-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
		scan(t, ctx, axe, "/admin/offices/federation")
		do(t, ctx, "help shows it", chromedp.Navigate(base+"/help"), chromedp.WaitVisible(chromedp.CSS("#office-contacts")))
		if got := textOf(t, ctx, "#office-contacts"); !strings.Contains(got, "0431-8888 6666") {
			t.Errorf("help after the edit: %q", got)
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		ctx := withTimeout(t, browser(t), time.Minute)
		do(t, ctx, "忘记密码", chromedp.Navigate(base+"/login"), chromedp.Click(chromedp.CSS("#forgot-password")),
			chromedp.WaitVisible(chromedp.CSS("#help-forgot")))
		if got := textOf(t, ctx, "#forgot-password"); !strings.Contains(got, "残联") || !strings.Contains(got, "重置") {
			t.Errorf("忘记密码: %q", got)
		}
		if got := textOf(t, ctx, "#office-contacts"); !strings.Contains(got, "0431-8000 0000") {
			t.Errorf("contacts for a visitor: %q", got)
		}
		scan(t, ctx, axe, "/help")
	})
}

// TestRegisterCaptchaRefresh: /register has 换一张 too, and it keeps what was typed.
func TestRegisterCaptchaRefresh(t *testing.T) {
	base := server(t)
	ctx := withTimeout(t, browser(t), time.Minute)
	do(t, ctx, "type", chromedp.Navigate(base+"/register"), chromedp.WaitVisible(chromedp.CSS("#creditCode")),
		chromedp.SendKeys(chromedp.CSS("#creditCode"), "91220101MA14U8XK2R"))
	before := evalString(t, ctx, `document.querySelector('input[name="captchaId"]').value`)
	do(t, ctx, "换一张", chromedp.Click(chromedp.CSS("[data-captcha-refresh]")))
	waitFor(t, ctx, "a new challenge", `document.querySelector('input[name="captchaId"]').value !== "`+before+`"`)
	if got := evalString(t, ctx, `document.getElementById("creditCode").value`); got != "91220101MA14U8XK2R" {
		t.Errorf("typed credit code after 换一张: %q", got)
	}
}

// TestBackAfterSubmission: the pledge step and 确定 redirect (POST-redirect-GET), so Back never asks
// to post a form again, and a submitted year never asks for the pledge.
func TestBackAfterSubmission(t *testing.T) {
	base := server(t, "--demo", "--demo-basic", "--captcha", "off")
	emp := apiLogin(t, base, demoEmployer, demoPassword)
	addAllPass(t, emp)
	ctx := withTimeout(t, browser(t), 2*time.Minute)
	signIn(t, ctx, base, "employer", demoEmployer, demoPassword)
	do(t, ctx, "the pledge", chromedp.Navigate(base+"/declaration?year=2025"), chromedp.Click(chromedp.CSS(`input[name=pledgeAccepted]`)),
		chromedp.Click(chromedp.CSS(`form[action="/declaration/pledge"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/declaration/submit"] button`)))
	if got := evalString(t, ctx, `location.pathname + location.search`); got != "/declaration/confirm?year=2025&pledge=1" {
		t.Errorf("the confirmation page is %s, not a GET page", got)
	}
	do(t, ctx, "确定", chromedp.Click(chromedp.CSS(`form[action="/declaration/submit"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href$="letter.pdf"]`)))
	// Back: the confirmation page was a GET, so the browser shows it again without asking to post a
	// form (from its cache, or fetched anew: either way no "Confirm Form Resubmission").
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`history.back(); true`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the confirmation page again", `location.pathname === "/declaration/confirm" && document.readyState === "complete"`)
	// Reloading it asks the server, which says the year is submitted (never "请先阅读承诺书").
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.reload(); true`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the submitted year's page", `location.search.includes("already-submitted") && document.querySelector(".flash") !== null`)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "该业务年度已完成申报") || strings.Contains(got, "请先阅读承诺书") {
		t.Errorf("the confirmation page reloaded after 确定 shows:\n%s", got)
	}
	screenshot(t, ctx, "declaration-already-submitted")
}

// addAllPass registers the demo's all-pass person 杨堃 (P17) for 2025 and saves the months.
func addAllPass(t *testing.T, emp *api) {
	t.Helper()
	contract := emp.upload("劳动合同.pdf")
	var created struct{ ID int64 }
	emp.do("POST", "/api/v1/years/2025/placements", map[string]any{"idNumber": "220102199104210134", "name": "杨堃", "category": 4, "level": 1,
		"contracts": []map[string]any{{"start": "2024-10-01", "end": nil, "fileIds": []string{contract}}}}, http.StatusCreated, &created)
	emp.do("PUT", fmt.Sprintf("/api/v1/placements/%d/months", created.ID), map[string]any{}, http.StatusOK, nil)
}

// TestSeedFlowClicks counts the clicks and typed fields of the seed's whole flow: a new unit from
// registration to its profile and list (第一、二步), then the demo's all-pass person (杨堃, whose
// records are the demo employer's) from the list to the letter (第三–七步). Run against an older
// binary (QUOTACERT_E2E_BINARY) it gives the figure before a change.
func TestSeedFlowClicks(t *testing.T) {
	pdf := filepath.Join(t.TempDir(), "合同.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	demoArgs := []string{"--demo", "--demo-basic"}
	if os.Getenv("QUOTACERT_E2E_BINARY") != "" {
		demoArgs = demoArgs[:1] // an older build: its demo has no showcase, and no --demo-basic
	}
	base := server(t, append(demoArgs, "--captcha", "off")...)
	ctx := withTimeout(t, browser(t), 3*time.Minute)
	clicks, fields := 0, 0
	click := func(sel string) chromedp.Action[chromedp.Void] { clicks++; return chromedp.Click(chromedp.CSS(sel)) }
	typeIn := func(sel, v string) chromedp.Action[chromedp.Void] {
		fields++
		return chromedp.SendKeys(chromedp.CSS(sel), v)
	}
	choose := func(sel, v string) chromedp.Action[chromedp.Void] {
		fields++
		return chromedp.SetValue(chromedp.CSS(sel), v)
	}
	// at reports whether the browser shows path (a link to follow otherwise costs a click).
	at := func(path string) bool { return strings.HasPrefix(evalString(t, ctx, `location.pathname`), path) }

	// 第一步: register, then sign in.
	const code, pass = "91350100M000100Y43", "Quota#2026a"
	do(t, ctx, "the login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#creditCode")))
	do(t, ctx, "立即注册", click(`a[href="/register"]`), chromedp.WaitVisible(chromedp.CSS("#contactName")))
	do(t, ctx, "register", typeIn("#creditCode", code), typeIn("#name", "福州示例科技有限公司"), typeIn("#contactName", "林芳"),
		typeIn("#contactPhone", "13812345678"), typeIn("#password", pass), typeIn("#password2", pass),
		click(`form[action="/register"] button[type=submit]`), chromedp.WaitVisible(chromedp.CSS(".flash")))
	do(t, ctx, "sign in", typeIn("#creditCode", code), typeIn("#password", pass), click(`form:has(input[value=employer]) button.primary`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	// 第二步: the profile.
	if !at("/employer") {
		do(t, ctx, "单位信息维护管理", click(`nav a[href="/employer"]`))
	}
	do(t, ctx, "the profile form", chromedp.WaitVisible(chromedp.CSS("#contactName")))
	pick := func(sel, v, next string) {
		t.Helper()
		do(t, ctx, "choose "+sel, choose(sel, v),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("`+sel+`").dispatchEvent(new Event("change", {bubbles: true}))`))
		if next != "" {
			waitFor(t, ctx, "the choices after "+sel, `[...document.querySelectorAll("`+next+` option")].length > 1`)
		}
	}
	pick("#province", "220000", "#city")
	pick("#city", "220100", "#district")
	pick("#district", "220102", "")
	waitFor(t, ctx, "the offices of 南关区", `[...document.querySelectorAll("#federationOffice option")].some(o => o.value === "220102")`+
		` && [...document.querySelectorAll("#taxOffice option")].some(o => o.value === "12201020000")`)
	do(t, ctx, "offices and figures", choose("#federationOffice", "220102"), choose("#taxOffice", "12201020000"),
		typeIn("#employeeCount", "30"), typeIn("#address", "长春市南关区示例路 9 号"), click(`#unitNature`),
		// The landing's "请先完善单位信息" must not pass for the save's confirmation.
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".flash").forEach(e => e.remove())`),
		click(`button[value=save]`), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if !at("/placements") {
		do(t, ctx, "残疾人安置管理", click(`nav a[href="/placements"]`), chromedp.WaitVisible(chromedp.CSS("#placement-summary")))
	}
	registration := clicks
	do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))

	// 第三–七步 with the demo employer and 杨堃.
	do(t, ctx, "the login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#creditCode")))
	do(t, ctx, "sign in", typeIn("#creditCode", demoEmployer), typeIn("#password", demoPassword),
		click(`form:has(input[value=employer]) button.primary`), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	if sel := "#todo-add-placement"; evalInt(t, ctx, `document.querySelectorAll("`+sel+`").length`) == 1 {
		do(t, ctx, "登记一名残疾人", click(sel))
	} else {
		do(t, ctx, "残疾人安置管理", click(`nav a[href="/placements"]`), chromedp.WaitVisible(chromedp.CSS("#list-actions")))
		do(t, ctx, "添加残疾人", click(`#list-actions a.primary`))
	}
	do(t, ctx, "查询", chromedp.WaitVisible(chromedp.CSS("#idNumber")), typeIn("#idNumber", "220102199104210134"), click("#lookup"),
		chromedp.WaitVisible(chromedp.CSS("#lookup-result .registry")))
	do(t, ctx, "the contract", typeIn(`input[name="contracts[0].start"]`, "2024-10-01"), click(`input[name="contracts[0].openEnded"]`))
	clicks++ // choosing the file is a click on the file input and one in the file dialog: counted as one
	do(t, ctx, "the contract file", chromedp.SetUploadFiles(chromedp.CSS(`input[name="contracts[0].file"]`), []string{pdf}))
	do(t, ctx, "保存，下一步", click("#save"), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
	do(t, ctx, "the months", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".flash").forEach(e => e.remove())`),
		click("#save-months"), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := textOf(t, ctx, "#placement-status"); !strings.Contains(got, "已确认") {
		t.Fatalf("杨堃 is %q", got)
	}
	do(t, ctx, "完成申报", click(`nav a[href="/declaration"]`), chromedp.WaitVisible(chromedp.CSS(`input[name=pledgeAccepted]`)))
	do(t, ctx, "the pledge", click(`input[name=pledgeAccepted]`), click(`form[action="/declaration/pledge"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/declaration/submit"] button`)))
	do(t, ctx, "确定", click(`form[action="/declaration/submit"] button`), chromedp.WaitVisible(chromedp.CSS(`a[href$="letter.pdf"]`)))
	clicks++ // 下载年审认证确认书 (not followed: the PDF would end the page)
	t.Logf("seed flow: %d clicks (registration and profile %d, the person to the letter %d), %d typed or chosen fields",
		clicks, registration, clicks-registration, fields)
	if clicks > seedFlowClicks {
		t.Errorf("the seed flow takes %d clicks, more than %d", clicks, seedFlowClicks)
	}
}

// seedFlowClicks is the count this release reaches (see docs/USER-GUIDE.md): it may only go down.
const seedFlowClicks = 17
