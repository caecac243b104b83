package web_test

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/placement/sheet"
)

// TestCopyLastYearHTTP: the 复制上年名单 checklist, its POST, the counts on the list, and the API.
func TestCopyLastYearHTTP(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		ids := map[string]int64{}
		for _, p := range []struct{ id, name string }{{p01, "刘喆"}, {p06, "吴秀兰"}, {pNo, "张伟"}} {
			status, body := c.json("POST", "/api/v1/years/2024/placements", personBody(p.id, p.name, file))
			if status != 201 {
				t.Fatalf("create %s in 2024: %d %s", p.name, status, body)
			}
			ids[p.name] = int64(decode[map[string]any](t, body)["id"].(float64))
		}
		if status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(pNo, "张伟", file)); status != 201 {
			t.Fatalf("create in 2025: %d %s", status, body)
		}
		// The first business year has no year before it: said so, nothing to tick.
		if status, page, _ := c.get("/placements/copy?year=2024"); status != 200 || !strings.Contains(page, "没有 2023 业务年度") || strings.Contains(page, "copy-submit") {
			t.Errorf("copy into the first year: %d", status)
		}
		status, page, _ := c.get("/placements/copy?year=2025")
		if status != 200 {
			t.Fatalf("checklist: %d", status)
		}
		mustContain(t, "checklist", page, "复制上年名单（2024年度 → 2025年度）", fmt.Sprintf(`value="%d" id="copy-%d" checked`, ids["刘喆"], ids["刘喆"]),
			fmt.Sprintf(`value="%d" id="copy-%d" disabled`, ids["张伟"], ids["张伟"]), "不复制：该人员本业务年度已登记", "可复制 2 人")
		// Nothing ticked: said so, nothing copied.
		if status, page, _ := c.postForm("/placements/copy", url.Values{"year": {"2025"}, "fromYear": {"2024"}}); status != 422 || !strings.Contains(page, "请至少勾选一名") {
			t.Errorf("nothing ticked: %d", status)
		}
		status, _, h := c.postForm("/placements/copy", url.Values{"year": {"2025"}, "fromYear": {"2024"},
			"placementIds": {fmt.Sprint(ids["刘喆"]), fmt.Sprint(ids["张伟"])}})
		if status != 303 || h.Get("Location") != "/placements?year=2025&done=placements-copied&created=1&skipped=1" {
			t.Fatalf("copy: %d %q", status, h.Get("Location"))
		}
		_, page, _ = c.get(h.Get("Location"))
		mustContain(t, "list after the copy", page, "已复制上年名单", "本次复制 1 人，1 人未复制", "刘喆")
		// The API: all by default; what is there already is skipped with its reason.
		status, body := c.json("POST", "/api/v1/years/2025/placements/copy", map[string]any{"fromYear": 2024})
		out := decode[struct {
			Created []struct{ ID, FromID int64 }
			Skipped []struct {
				FromID int64
				Reason string
			}
		}](t, body)
		if status != 200 || len(out.Created) != 1 || out.Created[0].FromID != ids["吴秀兰"] || len(out.Skipped) != 2 {
			t.Fatalf("API copy: %d %s", status, body)
		}
		if !strings.Contains(body, `"fromId"`) || !strings.Contains(body, "该人员本业务年度已登记") {
			t.Errorf("API copy body %s", body)
		}
		if status, body := c.json("POST", "/api/v1/years/2025/placements/copy", map[string]any{"fromYear": 2025}); status != 422 {
			t.Errorf("copy from the same year: %d %s", status, body)
		}
		if status, _ := s.ready(otherCode).json("POST", "/api/v1/years/2025/placements/copy", map[string]any{"placementIds": []int64{ids["刘喆"]}}); status != 200 {
			t.Errorf("other employer: %d", status)
		}
		var n int
		s.scan(`SELECT COUNT(*) FROM placements WHERE year = 2025`, &n)
		if n != 3 {
			t.Errorf("%d placements in 2025, want 3 (another employer's copy names nothing of ours)", n)
		}
	})
}

// workbook fills the template of 2025 with rows from row 3 (the example row 2 stays).
func workbook(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	tpl, err := sheet.Template(2025)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet.DataSheet, fmt.Sprintf("A%d", 3+i), &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExcelImportHTTP: the template downloads and opens; a file with a bad row shows every error
// next to its row and offers the errors file, and creates nothing; the corrected file creates the
// drafts; the API answers 422 with fields keyed "row N", then 201.
func TestExcelImportHTTP(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		status, tpl, h := c.get("/api/v1/years/2025/placements/template.xlsx")
		if status != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("template: %d %v", status, h)
		}
		if f, err := excelize.OpenReader(strings.NewReader(tpl)); err != nil || f.GetSheetList()[0] != sheet.DataSheet {
			t.Fatalf("template does not open: %v", err)
		}
		_, page, _ := c.get("/placements/import?year=2025")
		mustContain(t, "import page", page, `href="/api/v1/years/2025/placements/template.xlsx"`, `name="file"`, "上传并导入")
		_, page, _ = c.get("/placements?year=2025")
		mustContain(t, "list", page, `href="/placements/import?year=2025"`, `href="/placements/copy?year=2025"`, `href="/api/v1/years/2025/placements.xlsx"`)

		good := [][]string{
			{p01, "刘喆", "", "残疾人证", "肢体", "三级", "", "否", "", "", "2023-03-01", ""},
			{"220104199011050461", "孙雅琴", "女", "残疾军人证", "", "", "二级", "否", "", "55", "2024-01-01", "2026-12-31"},
			{p06, "吴秀兰", "", "残疾人证", "言语", "四级", "", "否", "", "", "2022-01-01", ""},
		}
		bad := append([][]string(nil), good...)
		bad[1] = append([]string(nil), good[1]...)
		bad[1][6] = "" // 残疾军人证 without its grade
		post := func(data []byte) (int, string) {
			status, page, _ := c.multipart("/placements/import", url.Values{"year": {"2025"}}, "名单.xlsx", data)
			return status, page
		}
		status, page = post(workbook(t, bad...))
		if status != 422 {
			t.Fatalf("bad file: %d", status)
		}
		mustContain(t, "refused file", page, "文件中有 1 处错误，整个文件未导入", "<th scope=\"row\">第4行</th><td>伤残等级</td><td>请选择伤残等级（一级至十级）</td>")
		link := regexp.MustCompile(`href="(/placements/imports/\d+/errors\.csv)"`).FindStringSubmatch(page)
		if link == nil {
			t.Fatal("no errors file link")
		}
		status, csvText, h := c.get(link[1])
		if status != 200 || !strings.HasPrefix(csvText, "\ufeff行号,字段,原因,错误") || !strings.Contains(csvText, "4,伤残等级,请选择伤残等级（一级至十级）,第4行 伤残等级: 请选择伤残等级") ||
			!strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("errors file: %d %q", status, csvText)
		}
		if status, _, _ := s.ready(otherCode).get(link[1]); status != 404 {
			t.Errorf("another employer reads the errors file: %d", status)
		}
		var n int
		s.scan(`SELECT COUNT(*) FROM placements`, &n)
		if n != 0 {
			t.Fatalf("a refused file wrote %d placements", n)
		}
		// A CSV is refused by its name; no file at all is said so.
		if status, page, _ := c.multipart("/placements/import", url.Values{"year": {"2025"}}, "名单.csv", []byte("a,b\n")); status != 422 || !strings.Contains(page, ".xlsx") {
			t.Errorf("csv upload: %d", status)
		}
		if status, page, _ := c.multipart("/placements/import", url.Values{"year": {"2025"}}, "", nil); status != 422 || !strings.Contains(page, "请选择要上传的 Excel 文件") {
			t.Errorf("no file: %d", status)
		}

		// The API: 422 with "row N", nothing written.
		status, body, _ := c.multipart("/api/v1/years/2025/placements/import", nil, "名单.xlsx", workbook(t, bad...))
		if e := decode[apiErr](t, body); status != 422 || !strings.Contains(e.Error.Fields["row 4"], "伤残等级") {
			t.Fatalf("API bad file: %d %s", status, body)
		}
		status, page = post(workbook(t, good...))
		if status != 303 {
			t.Fatalf("good file: %d %s", status, regexp.MustCompile(`<td>[^<]*</td>`).FindAllString(page, 10))
		}
		_, page, _ = c.get("/placements?year=2025&done=placements-imported")
		mustContain(t, "list after the import", page, "已从 Excel 导入人员", "刘喆", "孙雅琴", "吴秀兰", "共 3 人")
		status, body, _ = c.multipart("/api/v1/years/2025/placements/import", nil, "名单.xlsx",
			workbook(t, []string{pNo, "张伟", "", "", "肢体", "二级", "", "否", "", "", "2023-01-01", ""}))
		if status != 201 || !strings.Contains(body, `"created":1`) {
			t.Fatalf("API good file: %d %s", status, body)
		}
	})
}

// TestExcelExportAndPrintHTTP: the list as a workbook (summary, masked IDs, counted months, status,
// defused text), and the print header of the list and the grid.
func TestExcelExportAndPrintHTTP(t *testing.T) {
	eachPlacement(t, func(t *testing.T, s *site) {
		c := s.ready(empCode)
		file := c.fileID("合同.pdf")
		status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(p01, "=HYPERLINK(\"http://x\")", file))
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		id := int64(decode[map[string]any](t, body)["id"].(float64))
		if status, body := c.json("PUT", fmt.Sprintf("/api/v1/placements/%d/months", id), map[string]any{"selected": []string{}}); status != 200 {
			t.Fatalf("save months: %d %s", status, body)
		}
		if status, body := c.json("POST", "/api/v1/years/2025/placements", personBody(p06, "吴秀兰", file)); status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		status, data, h := c.get("/api/v1/years/2025/placements.xlsx")
		if status != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %v", status, h)
		}
		f, err := excelize.OpenReader(strings.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(sheet.ExportSheet)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprint(rows)
		for _, w := range []string{"2025年度残疾人安置人员名单", "安置人数 2", "已确认 1", "计入月数 12", "折算安置人数 1", "220102********035X",
			"'=HYPERLINK", "已确认", "未完成", "✓"} {
			if !strings.Contains(text, w) {
				t.Errorf("export lacks %q:\n%s", w, text)
			}
		}
		if strings.Contains(text, p01) || strings.Contains(text, p06) {
			t.Error("export shows a full ID number")
		}
		header := -1
		for i, r := range rows {
			if len(r) > 0 && r[0] == "序号" {
				header = i
			}
		}
		if header < 0 || len(rows) != header+3 || rows[header+1][5] != "12" || rows[header+2][5] != "0" {
			t.Errorf("rows %q", rows[max(header, 0):])
		}
		_, page, _ := c.get("/placements?year=2025")
		mustContain(t, "list", page, `<p class="print-only print-header">`, "（统一社会信用代码 "+empCode+"） · 2025年度残疾人安置人员名单")
		_, page, _ = c.get(fmt.Sprintf("/placements/%d", id))
		mustContain(t, "grid", page, `class="print-only print-header"`, "2025年度人员信息校验")
		_, css, _ := c.get("/static/style.css")
		mustContain(t, "stylesheet", css, "@media print", ".site-header", "break-inside: avoid")
	})
}
