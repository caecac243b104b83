package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	demoEmployer = "91220101MA14U8XK2R"
	demoPassword = "Demo@2026"
)

// TestPlacementFlow is the seed's 残疾人安置管理 第一步–第五步 in a browser: log in, add a person found
// in the registry, add one the registry does not know (entered by hand), save, see the grid, claim a
// failed month with evidence, and see the list with 已确认 and 待审核.
func TestPlacementFlow(t *testing.T) {
	pdf := filepath.Join(t.TempDir(), "合同.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := server(t, "--demo", "--demo-basic", "--captcha", "off") // from an empty year
	ctx := withTimeout(t, browser(t), 60*time.Second)
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	signIn(t, ctx, base, "employer", demoEmployer, demoPassword)
	do("open the placements", chromedp.Navigate(base+"/placements?year=2025"), chromedp.WaitVisible(chromedp.CSS("#placement-summary")))
	screenshot(t, ctx, "placements-empty")

	// A person found in the registry: 查询 fills the form.
	// saveMonths clicks 保存，下一步 on the grid and waits for the next page's confirmation (the old
	// page's message is removed first, so it cannot be mistaken for the new one).
	saveMonths := func(step string, before ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll(".flash").forEach(e => e.remove()); true`)); err != nil {
			t.Fatal(err)
		}
		do(step, append(before, chromedp.Click(chromedp.CSS("#save-months")), chromedp.WaitVisible(chromedp.CSS(".flash")))...)
		if flash := text(".flash"); !strings.Contains(flash, "申报月份已保存") {
			t.Fatalf("%s: %q", step, flash)
		}
	}
	add := func(id string, byHand func(), start string) {
		t.Helper()
		do("add "+id, chromedp.Navigate(base+"/placements/new?year=2025"), chromedp.WaitVisible(chromedp.CSS("#idNumber")),
			chromedp.SendKeys(chromedp.CSS("#idNumber"), id), chromedp.Click(chromedp.CSS("#lookup")),
			chromedp.WaitVisible(chromedp.CSS("#lookup-result .registry, #lookup-result .notice-box")))
		byHand()
		do("contract start of "+id, chromedp.SendKeys(chromedp.CSS(`input[name="contracts[0].start"]`), start))
		do("open-ended contract of "+id, chromedp.Click(chromedp.CSS(`input[name="contracts[0].openEnded"]`)))
		do("contract file of "+id, chromedp.SetUploadFiles(chromedp.CSS(`input[name="contracts[0].file"]`), []string{pdf}))
		screenshot(t, ctx, "placement-form-"+id)
		do("save "+id, chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
		if flash := text(".flash"); !strings.Contains(flash, "人员信息已保存") {
			t.Fatalf("after saving %s: %q", id, flash)
		}
	}
	add("22010219880712035X", func() {
		if name, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("name").value`)); err != nil || name != "刘喆" {
			t.Fatalf("registry did not fill the name: %q (%v)", name, err)
		}
	}, "2022-01-01")
	if got := text("#placement-status"); !strings.Contains(got, "未完成") {
		t.Errorf("status after adding: %q", got)
	}
	saveMonths("save the months")
	if got := text("#placement-status"); !strings.Contains(got, "已确认") {
		t.Errorf("status after saving: %q", got)
	}

	// A person the registry does not know: the note, then the fields by hand.
	add("220102199003070013", func() {
		if note := text("#lookup-result"); !strings.Contains(note, "未查询到") {
			t.Fatalf("not-found note: %q", note)
		}
		do("by hand", chromedp.SendKeys(chromedp.CSS("#name"), "张伟"),
			chromedp.SetValue(chromedp.CSS("#category"), "4"), chromedp.SetValue(chromedp.CSS("#level"), "3"))
	}, "2023-01-01")
	// The grid: reasons readable on keyboard focus.
	do("focus a failed cell", chromedp.Focus(chromedp.CSS("td.fail .cell")))
	tip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.title`))
	if err != nil || !strings.Contains(tip, "2025-") {
		t.Errorf("focused cell's reason %q, %v", tip, err)
	}
	saveMonths("save the months of the person entered by hand")

	// 220102198603270620: wage below the minimum in February; claim it with evidence.
	add("220102198603270620", func() {}, "2022-01-01")
	screenshot(t, ctx, "placement-grid")
	saveMonths("claim February", chromedp.Click(chromedp.CSS("#m-2025-02")),
		chromedp.SetUploadFiles(chromedp.CSS(`[id="claims.2025-02.wage.file"]`), []string{pdf}),
		chromedp.SendKeys(chromedp.CSS(`[id="claims.2025-02.note"]`), "二月工资补发"))
	if got := text("#placement-status"); !strings.Contains(got, "待审核") {
		t.Errorf("status after the claim: %q", got)
	}
	do("back to the list", chromedp.Click(chromedp.CSS("#back-to-list")), chromedp.WaitVisible(chromedp.CSS("#placement-table")))
	table := text("#placement-table")
	for _, want := range []string{"刘喆", "张伟", "吴秀兰", "已确认", "待审核", "220102********035X"} {
		if !strings.Contains(table, want) {
			t.Errorf("list lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "22010219880712035X") {
		t.Error("the list shows a full ID number")
	}
	screenshot(t, ctx, "placements-list")
}
