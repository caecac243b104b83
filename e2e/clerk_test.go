package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// download clicks the link sel and returns the bytes of the file the browser saved.
func download(t *testing.T, ctx context.Context, sel string) []byte {
	t.Helper()
	dir := t.TempDir()
	yes := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan *cdpbrowser.EventDownloadProgress, 1)
	if err := chromedp.ListenBrowser(lctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State != cdpbrowser.DownloadProgressStateInProgress {
			select {
			case done <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "download "+sel, chromedp.Click(chromedp.CSS(sel)))
	select {
	case e := <-done:
		if e.State != cdpbrowser.DownloadProgressStateCompleted {
			t.Fatalf("download %s: %s", sel, e.State)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.GUID))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case <-time.After(30 * time.Second):
		t.Fatalf("download %s did not finish", sel)
	}
	return nil
}

// fillTemplate writes persons into the template from row 3 (the example row stays) and saves the
// workbook as path.
func fillTemplate(t *testing.T, tpl []byte, path string, rows ...[]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatalf("the downloaded template does not open: %v", err)
	}
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("安置人员", fmt.Sprintf("A%d", 3+i), &vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestClerkYear is the clerk's year in a browser: copy last year's list, register three more
// persons from the Excel template (one bad row shown with its error, fixed, uploaded again), export
// the list and open it, and print the grid without the navigation. It counts the clicks.
func TestClerkYear(t *testing.T) {
	axe := axeSource(t)
	base := server(t, "--demo", "--demo-basic", "--captcha", "off")
	emp := apiLogin(t, base, demoEmployer, demoPassword)
	contract := emp.upload("劳动合同.pdf")
	for _, p := range []struct{ id, name string }{{"22010219880712035X", "刘喆"}, {"220104199011050461", "孙雅琴"}} {
		emp.do("POST", "/api/v1/years/2024/placements", map[string]any{"idNumber": p.id, "name": p.name, "category": 4, "level": 3,
			"contracts": []map[string]any{{"start": "2022-01-01", "end": nil, "fileIds": []string{contract}}}}, http.StatusCreated, nil)
	}
	ctx := withTimeout(t, browser(t), 3*time.Minute)
	signIn(t, ctx, base, "employer", demoEmployer, demoPassword)
	clicks := 0
	click := func(sel string) chromedp.Action[chromedp.Void] { clicks++; return chromedp.Click(chromedp.CSS(sel)) }

	// 复制上年名单: two clicks for the whole list.
	do(t, ctx, "open the list", chromedp.Navigate(base+"/placements?year=2025"), chromedp.WaitVisible(chromedp.CSS("#placement-table")))
	do(t, ctx, "open the copy checklist", click("#copy-link"), chromedp.WaitVisible(chromedp.CSS("#copy-table")))
	if got := textOf(t, ctx, "#copy-table"); !strings.Contains(got, "刘喆") || !strings.Contains(got, "孙雅琴") || !strings.Contains(got, "可复制 2 人") {
		t.Fatalf("checklist: %s", got)
	}
	screenshot(t, ctx, "placements-copy")
	scan(t, ctx, axe, "/placements/copy")
	do(t, ctx, "copy", click("#copy-submit"), chromedp.WaitVisible(chromedp.CSS("#copy-result")))
	if got := textOf(t, ctx, "#copy-result"); !strings.Contains(got, "本次复制 2 人") {
		t.Fatalf("copy result: %s", got)
	}
	copyClicks := clicks

	// Excel in: the template, three persons, one of them a 残疾军人证 without its grade.
	do(t, ctx, "open the import page", click("#import-link"), chromedp.WaitVisible(chromedp.CSS("#import-form")))
	scan(t, ctx, axe, "/placements/import")
	clicks++
	tpl := download(t, ctx, "#template-link")
	rows := [][]string{
		{"22010319790223017X", "赵国强", "", "残疾人证", "听力", "四级", "", "否", "", "", "2023-01-01", ""},
		{"220105198309140285", "钱晓梅", "女", "残疾军人证", "", "", "", "否", "", "", "2021-07-01", "2027-06-30"},
		{"220112199205160730", "郑海波", "", "残疾人证", "智力", "四级", "", "否", "", "", "2024-01-01", ""},
	}
	file := filepath.Join(t.TempDir(), "安置人员名单.xlsx")
	fillTemplate(t, tpl, file, rows...)
	do(t, ctx, "upload the file with a bad row", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}), click("#import-submit"),
		chromedp.WaitVisible(chromedp.CSS("#import-errors")))
	if got := textOf(t, ctx, "#import-errors"); !strings.Contains(got, "第4行") || !strings.Contains(got, "伤残等级") {
		t.Fatalf("errors: %s", got)
	}
	screenshot(t, ctx, "placements-import-errors")
	scan(t, ctx, axe, "/placements/import (errors)")
	rows[1][6] = "二级"
	fillTemplate(t, tpl, file, rows...)
	do(t, ctx, "upload the corrected file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}), click("#import-submit"),
		chromedp.WaitVisible(chromedp.CSS("#placement-table")))
	if flash := textOf(t, ctx, ".flash"); !strings.Contains(flash, "已从 Excel 导入") {
		t.Fatalf("after the import: %q", flash)
	}
	table := textOf(t, ctx, "#placement-table")
	for _, name := range []string{"刘喆", "孙雅琴", "赵国强", "钱晓梅", "郑海波"} {
		if !strings.Contains(table, name) {
			t.Errorf("list lacks %s:\n%s", name, table)
		}
	}
	if n := strings.Count(table, "未完成"); n != 5 {
		t.Errorf("%d drafts, want 5:\n%s", n, table)
	}
	screenshot(t, ctx, "placements-after-import")
	importClicks := clicks - copyClicks

	// Each person still needs its grid saved: a copied one two clicks (查看, 保存); an imported one
	// first gets its contract's attachment on the form (修改, choose the file, 保存，下一步), then 保存.
	pdf := filepath.Join(t.TempDir(), "合同.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := clicks
	// rowLink is the selector of the link (a CSS selector within the row) in the row of name.
	rowLink := func(name, link string) string {
		id, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { for (const tr of document.querySelectorAll("#placement-table tbody tr"))
			if (tr.querySelector("th").textContent.trim() === %q) return tr.querySelector(%q).getAttribute("href"); return ""; })()`, name, link)))
		if err != nil || id == "" {
			t.Fatalf("link %s of %s: %q %v", link, name, id, err)
		}
		return `#placement-table a[href="` + id + `"]`
	}
	// saveMonths clicks 保存 on the grid and waits for the next page's confirmation (the old page's
	// message is removed first, so it cannot be mistaken for the new one).
	saveMonths := func(who string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll(".flash").forEach(e => e.remove()); true`)); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "save the months of "+who, click("#save-months"), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if flash := textOf(t, ctx, ".flash"); !strings.Contains(flash, "申报月份已保存") {
			t.Fatalf("saving the months of %s: %q", who, flash)
		}
	}
	do(t, ctx, "open the copied person", click(rowLink("刘喆", `a[href^="/placements/"]:not([href$="/edit"]):not([href$="/delete"])`)), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
	saveMonths("刘喆")
	if got := textOf(t, ctx, "#placement-status"); !strings.Contains(got, "已确认") {
		t.Errorf("copied person after saving: %q", got)
	}
	perCopied := clicks - before
	do(t, ctx, "back to the list", chromedp.Navigate(base+"/placements?year=2025"), chromedp.WaitVisible(chromedp.CSS("#placement-table")))
	before = clicks
	do(t, ctx, "edit the imported person", click(rowLink("赵国强", `a[href$="/edit"]`)), chromedp.WaitVisible(chromedp.CSS("#placement-form")))
	clicks++ // choosing the file
	do(t, ctx, "attach the contract", chromedp.SetUploadFiles(chromedp.CSS(`input[name="contracts[0].file"]`), []string{pdf}),
		click("#save"), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
	if flash := textOf(t, ctx, ".flash"); !strings.Contains(flash, "人员信息已保存") {
		t.Fatalf("after attaching the contract: %q", flash)
	}
	saveMonths("赵国强")
	if got := textOf(t, ctx, "#placement-status"); strings.Contains(got, "未完成") {
		t.Errorf("imported person after saving: %q", got)
	}
	perImported := clicks - before
	do(t, ctx, "back to the list", chromedp.Navigate(base+"/placements?year=2025"), chromedp.WaitVisible(chromedp.CSS("#placement-table")))

	// Excel out: the file downloads and opens.
	xlsx := download(t, ctx, "#export-link")
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("the exported list does not open: %v", err)
	}
	got, err := f.GetRows("安置人员名单")
	f.Close()
	if err != nil || !strings.Contains(fmt.Sprint(got), "钱晓梅") || !strings.Contains(fmt.Sprint(got), "220102********035X") ||
		strings.Contains(fmt.Sprint(got), "22010219880712035X") {
		t.Fatalf("exported rows %v (%v)", got, err)
	}

	// Print preview of a copied person's grid: no navigation, the unit and year on top.
	do(t, ctx, "open a grid", chromedp.Click(chromedp.CSS(`#placement-table a[href^="/placements/"]`)), chromedp.WaitVisible(chromedp.CSS("#verify-grid")))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`(() => { const e = document.querySelector(%q); return !!e && getComputedStyle(e).display !== "none"; })()`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, sel := range []string{".site-header", "nav", ".site-footer", "#save-months", "#back-to-list"} {
		if shown(sel) {
			t.Errorf("print preview shows %s", sel)
		}
	}
	if !shown(".print-header") || !shown("#verify-grid") {
		t.Error("print preview lacks the unit's header or the grid")
	}
	if head := textOf(t, ctx, ".print-header"); !strings.Contains(head, "2025年度") || !strings.Contains(head, demoEmployer) {
		t.Errorf("print header %q", head)
	}
	screenshot(t, ctx, "placement-grid-print")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("clicks: copy of 2 persons %d, import of 3 persons %d (with one failed upload); then per copied person %d, per imported person %d",
		copyClicks, importClicks, perCopied, perImported)
}
