package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/actor"
	"quotacert/internal/declaration"
	"quotacert/internal/rules"
	"quotacert/internal/store"
)

// manyResults adds n certified employers of 长春市南关区 (codes R001 … and names 结果单位001 …)
// beside resultsSite's three.
func manyResults(t *testing.T, h *harness, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 1; i <= n; i++ {
		var emp, decl int64
		code := fmt.Sprintf("R%03d", i)
		if err := h.db.SQL().QueryRow(`INSERT INTO employers (credit_code, name, federation_office, tax_office, created_at, updated_at)
            VALUES ($1, $2, '220102', '12201020000', $3, $3) RETURNING id`, code, fmt.Sprintf("结果单位%03d", i), start).Scan(&emp); err != nil {
			t.Fatal(err)
		}
		if err := h.db.SQL().QueryRow(`INSERT INTO declarations (employer_id, year, status) VALUES ($1, 2025, 'submitted') RETURNING id`,
			emp).Scan(&decl); err != nil {
			t.Fatal(err)
		}
		err := store.DeclarationRunner(h.db)(ctx, func(tx declaration.Tx) error {
			_, err := tx.InsertLetter(ctx, declaration.Letter{DeclarationID: decl, VerifyCode: "v" + code, Persons: 1, CountedMonths: 12,
				WeightMonths: rules.WeightMonths(12), FederationOffice: "220102", Status: declaration.LetterValid, Year: 2025,
				CreditCode: code, EmployerName: fmt.Sprintf("结果单位%03d", i), TaxOffice: "12201020000", District: "220102"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestResultsPagePaging: /review/results shows 50 letters a page with the pager (aria-current on
// the page shown), searches by name and by credit code, filters by status, sorts, and keeps the
// summary of the whole year whatever the filter; the staff's API pages the same way.
func TestResultsPagePaging(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		resultsSite(t, h)
		manyResults(t, h, 60)
		if _, err := h.db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE verify_code = 'vR007'`); err != nil {
			t.Fatal(err)
		}
		h.staff("prov", actor.Reviewer, "220000")
		h.staff("county", actor.Reviewer, "220103")
		prov, county := h.client("10.0.31.1"), h.client("10.0.31.2")
		wantStatus(t, prov.login("prov", testPassword), http.StatusOK)
		wantStatus(t, county.login("county", testPassword), http.StatusOK)
		page := func(c *client, query string) string {
			t.Helper()
			rec := c.get("/review/results?year=2025" + query)
			wantStatus(t, rec, http.StatusOK)
			return rec.Body.String()
		}
		rows := func(body string) int { return strings.Count(body, `<th scope="row">`) }
		summary := []string{`<dd id="sum-letters">63 份</dd>`, `<dd id="sum-valid">62 份</dd>`, `<dd id="sum-cancelled">1 份</dd>`,
			`<dd id="sum-persons">65 人</dd>`}
		for _, c := range []struct {
			name, query string
			rows        int
			want        []string
		}{
			{"first page", "", 50, append([]string{"<caption>2025业务年度认证结果（共 63 条，第 1 / 2 页）</caption>",
				`<a href="/review/results?page=1&amp;year=2025" aria-current="page">第 1 页，共 2 页</a>`,
				`<a href="/review/results?page=2&amp;year=2025" rel="next">下一页</a>`, "<td>CODEA</td>", "<td>R047</td>"}, summary...)},
			{"second page", "&page=2", 13, append([]string{"第 2 / 2 页", `rel="prev">上一页</a>`, "<td>R060</td>"}, summary...)},
			{"by name", "&q=" + url.QueryEscape("结果单位05"), 10, append([]string{"符合条件 10 条", "<td>R050</td>", "<td>R059</td>"}, summary...)},
			{"by credit code, any case", "&q=codeb", 1, []string{"符合条件 1 条", "<td>CODEB</td>"}},
			{"cancelled", "&status=cancelled", 1, append([]string{"符合条件 1 条", "<td>R007</td>", "已作废"}, summary...)},
			{"by name, three a page", "&sort=name&pageSize=3", 3, []string{"<td>CODEA</td>", "第 1 / 21 页",
				`href="/review/results?page=2&amp;pageSize=3&amp;sort=name&amp;year=2025" rel="next"`}},
			{"nothing found", "&q=" + url.QueryEscape("没有这个单位"), 0, []string{"没有符合条件的认证结果。", "符合条件 0 条"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := page(prov, c.query)
				if n := rows(body); n != c.rows {
					t.Errorf("%d rows, want %d", n, c.rows)
				}
				for _, w := range c.want {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %s", w)
					}
				}
			})
		}
		// The order by name: 单位A … before 结果单位….
		if body := page(prov, "&sort=name"); strings.Index(body, "单位A") > strings.Index(body, "结果单位001") {
			t.Error("not sorted by name")
		}
		// A county sees its own subtree only: 宽城区's C.
		if body := page(county, ""); rows(body) != 1 || !strings.Contains(body, "<td>CODEC</td>") || !strings.Contains(body, `<dd id="sum-letters">1 份</dd>`) ||
			strings.Contains(body, `id="results-pager"`) {
			t.Errorf("county page: %d rows", rows(body))
		}
		for query, field := range map[string]string{"&status=x": "status", "&page=0": "page", "&sort=x": "sort", "&pageSize=501": "pageSize"} {
			if rec := prov.get("/review/results?year=2025" + query); rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s (%s): %d", query, field, rec.Code)
			}
		}

		// The API for staff: the same filter, total, next.
		var api struct {
			Items []struct{ CreditCode, Status string }
			Total int
			Page  int
			Next  *string
		}
		rec := prov.get("/api/v1/years/2025/results?q=" + url.QueryEscape("结果单位") + "&pageSize=40")
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || rec.Code != 200 || api.Total != 60 || len(api.Items) != 40 ||
			api.Next == nil || *api.Next != "/api/v1/years/2025/results?page=2&pageSize=40&q="+url.QueryEscape("结果单位") {
			t.Fatalf("api first page: %d %.300s", rec.Code, rec.Body.String())
		}
		rec = prov.get(*api.Next)
		api.Next = nil
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || len(api.Items) != 20 || api.Page != 2 || api.Next != nil ||
			api.Items[19].CreditCode != "R060" {
			t.Fatalf("api second page: %.300s", rec.Body.String())
		}
		rec = prov.get("/api/v1/years/2025/results?status=cancelled")
		if err := json.Unmarshal(rec.Body.Bytes(), &api); err != nil || api.Total != 1 || api.Items[0].CreditCode != "R007" {
			t.Fatalf("api cancelled: %.300s", rec.Body.String())
		}
		wantStatus(t, prov.get("/api/v1/years/2025/results?status=x"), http.StatusUnprocessableEntity)

		// The CSV and the workbook stream every row, all pages, in credit code order.
		csvRec := prov.do(withAccept(http.MethodGet, "/api/v1/years/2025/results", "text/csv"))
		lines := strings.Split(strings.TrimSpace(csvRec.Body.String()), "\n")
		if csvRec.Code != 200 || len(lines) != 64 || !strings.HasPrefix(lines[1], "CODEA,") || !strings.HasPrefix(lines[63], "R060,") {
			t.Fatalf("csv: %d, %d lines", csvRec.Code, len(lines))
		}
		xrec := prov.get("/review/results.xlsx?year=2025")
		wantStatus(t, xrec, http.StatusOK)
		wb, err := excelize.OpenReader(xrec.Body)
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		sheet, err := wb.GetRows("认证结果")
		if err != nil || len(sheet) != 64 || sheet[0][0] != "统一社会信用代码" || sheet[1][0] != "CODEA" || sheet[63][0] != "R060" ||
			sheet[10][0] != "R007" || sheet[10][8] != "已作废" || sheet[1][6] != "2" {
			t.Fatalf("workbook: %v %d rows %v", err, len(sheet), sheet[:2])
		}
		if names := wb.GetSheetList(); fmt.Sprint(names) != "[认证结果 认证人员]" {
			t.Fatalf("sheets %v", names)
		}
		// A year that does not exist is refused before any byte: an error answer, not a broken file.
		wantStatus(t, prov.get("/review/results.xlsx?year=2031"), http.StatusNotFound)
	})
}

func withAccept(method, path, accept string) *http.Request {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Accept", accept)
	return req
}

// TestResultFeedChangeBetweenPages: a letter cancelled between two page pulls of the feed is not
// missed and not given twice in the same state: the rows not yet read come once each, and the
// cancelled letter comes again at its new place with its new status; a pull that follows next to
// the end and then polls from the cursor has every letter's latest state exactly once after it.
func TestResultFeedChangeBetweenPages(t *testing.T) {
	each(t, func(t *testing.T, h *harness) {
		resultsSite(t, h)
		manyResults(t, h, 7)
		h.staff("prov", actor.Reviewer, "220000")
		prov := h.client("10.0.32.1")
		wantStatus(t, prov.login("prov", testPassword), http.StatusOK)
		pull := func(path string) feedJSON {
			t.Helper()
			rec := prov.get(path)
			wantStatus(t, rec, http.StatusOK)
			var f feedJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
		seen := map[string]int{} // code:status → times given
		var order []string
		first := pull("/api/v1/years/2025/results?after=0&pageSize=3")
		if first.Total != 10 || first.Next == nil {
			t.Fatalf("first page: %+v", first)
		}
		f := first
		for i := 0; ; i++ {
			for _, it := range f.Items {
				key := strings.TrimPrefix(it.CreditCode, "CODE") + ":" + it.Status
				seen[key]++
				order = append(order, key)
			}
			if i == 0 {
				// Between the first and the second pull: an already read letter (A) and one not yet
				// read (R005) are cancelled.
				if _, err := h.db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE verify_code IN ('vA', 'vR005')`); err != nil {
					t.Fatal(err)
				}
			}
			if f.Next == nil {
				break
			}
			f = pull(*f.Next)
			if f.Total != first.Total {
				t.Errorf("page %d: total %d, the first page's was %d", i+2, f.Total, first.Total)
			}
		}
		for key, n := range seen {
			if n != 1 {
				t.Errorf("%s given %d times (%v)", key, n, order)
			}
		}
		for _, want := range []string{"A:valid", "B:valid", "C:valid", "R001:valid", "R004:valid", "R006:valid", "R007:valid",
			"A:cancelled", "R005:cancelled"} {
			if seen[want] != 1 {
				t.Errorf("%s missed (%v)", want, order)
			}
		}
		if seen["R005:valid"] != 0 {
			t.Errorf("R005 given in its old state after the change: %v", order)
		}
		// Polling from the last cursor: nothing, then only the next change.
		if idle := pull("/api/v1/years/2025/results?after=" + f.Cursor); len(idle.Items) != 0 || idle.Total != 0 {
			t.Fatalf("idle poll: %+v", idle)
		}
		if _, err := h.db.SQL().Exec(`UPDATE letters SET status = 'cancelled' WHERE verify_code = 'vB'`); err != nil {
			t.Fatal(err)
		}
		if poll := pull("/api/v1/years/2025/results?after=" + f.Cursor); poll.codes() != "B:cancelled" || poll.Total != 1 {
			t.Fatalf("poll: %+v", poll)
		}
	})
}

// TestXLSXStream: a workbook of two sheets, one spooled, reads back with excelize cell for cell,
// text that XML must escape included.
func TestXLSXStream(t *testing.T) {
	var buf bytes.Buffer
	x := newXLSXStream(&buf)
	sp, err := newSheetSpool()
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	first, err := x.sheet("第一 & <表>")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{{"a<b>&\"c'", 7, 2.58}, {"单位", "\u00a0x\ty", 0.5}} {
		if err := first.row(row...); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.rows.row("spooled", 1); err != nil {
		t.Fatal(err)
	}
	if err := x.endSheet(first); err != nil {
		t.Fatal(err)
	}
	if err := sp.copyInto(x, "第二"); err != nil {
		t.Fatal(err)
	}
	if err := x.close(); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	a, _ := wb.GetRows("第一 & <表>")
	b, _ := wb.GetRows("第二")
	if got := fmt.Sprint(a, b); got != "[[a<b>&\"c' 7 2.58] [单位 \u00a0x\ty 0.5]] [[spooled 1]]" {
		t.Fatalf("read back %q", got)
	}
	if err := first.row(struct{}{}); err == nil {
		t.Fatal("a cell of another type was written")
	}
}

func TestColumnName(t *testing.T) {
	for i, want := range map[int]string{0: "A", 8: "I", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"} {
		if got := columnName(i); got != want {
			t.Errorf("column %d: %s, want %s", i, got, want)
		}
	}
}

// BenchmarkXLSXStream writes a persons sheet of 100,000 rows (the province's workbook holds about
// seven times as many): most of the export's time is this writer and its compressor.
func BenchmarkXLSXStream(b *testing.B) {
	for b.Loop() {
		x := newXLSXStream(io.Discard)
		s, err := x.sheet("认证人员")
		if err != nil {
			b.Fatal(err)
		}
		for i := range 100_000 {
			if err := s.row("91220102MA0"+strconv.Itoa(100000+i%1000), "规模测试单位"+strconv.Itoa(i%1000), "JL2025-S"+strconv.Itoa(1000000+i/7), "有效", i%7+1,
				"测试"+strconv.Itoa(i), "220102********"+strconv.Itoa(1000+i%9000), "肢体四级", 12, 12.0); err != nil {
				b.Fatal(err)
			}
		}
		if err := x.endSheet(s); err != nil {
			b.Fatal(err)
		}
		if err := x.close(); err != nil {
			b.Fatal(err)
		}
	}
}
