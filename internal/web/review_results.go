package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/rules"
)

// resultsView is the staff page of the tax export: the year's summary, one page of its letters
// under the filter, and the links to the neighbouring pages ("" none).
type resultsView struct {
	Year             int
	Years            []int
	Summary          declaration.ResultSummary
	Page             declaration.ResultPage
	PrevURL, NextURL string
	ThisURL          string // the page shown, the pager's current link
	Statuses         []declaration.LetterStatus
}

// Filtered reports whether the search or the status filter is set.
func (v resultsView) Filtered() bool { return v.Page.Query.Q != "" || v.Page.Query.Status != "" }

// resultsYear is the business year of ?year=, else the last calendar year.
func (s *Server) resultsYear(r *http.Request) int {
	return yearOr(r.URL.Query().Get("year"), rules.ChinaDate(s.deps.Now()).Year-1)
}

// resultsQueryOf reads the page's paging and filter parameters (page, pageSize, q, status, sort);
// a page number that is not a number is a field error, like every other bad value.
func resultsQueryOf(r *http.Request, year int) (declaration.ResultQuery, error) {
	v := r.URL.Query()
	q := declaration.ResultQuery{Year: year, Q: v.Get("q"), Status: v.Get("status"), Sort: v.Get("sort")}
	bad := map[string]string{}
	for name, dst := range map[string]*int{"page": &q.Page, "pageSize": &q.PageSize} {
		raw := v.Get(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			bad[name] = "应为正整数"
			continue
		}
		*dst = n
	}
	if len(bad) > 0 {
		return q, apperr.FieldErrors(bad)
	}
	return q, nil
}

// handleResultsPage: GET /review/results?year=&q=&status=&sort=&page= — the certified results in
// pages of 50, with the year's summary and the downloads.
func (s *Server) handleResultsPage(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.resultsYear(r)
	q, err := resultsQueryOf(r, year)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	sum, page, err := s.deps.Declarations.ResultsPaged(r.Context(), a, q, "page")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := resultsView{Year: year, Years: []int{year - 1, year, year + 1}, Summary: sum, Page: page,
		Statuses: []declaration.LetterStatus{declaration.LetterValid, declaration.LetterCancelled}}
	v.ThisURL = resultsListURL("/review/results", page.Query, page.Page, true)
	if page.Page > 1 {
		v.PrevURL = resultsListURL("/review/results", page.Query, page.Page-1, true)
	}
	if page.HasNext() {
		v.NextURL = resultsListURL("/review/results", page.Query, page.Page+1, true)
	}
	s.render(w, r, http.StatusOK, "review_results", Page{Title: fmt.Sprintf("%d年度认证结果", year), Nav: "review", Data: v})
}

// handleResultsXLSX: GET /review/results.xlsx?year= — the tax export as an Excel workbook, with the
// sheet of the certified persons. It is written to the client as the chunks are read (xlsxStream):
// the first sheet directly, the persons' rows through a temporary file until the first sheet is
// complete, so the memory is a chunk's whatever the size of the province. A refusal comes before
// the first byte and is answered as usual; a failure after it aborts the download.
func (s *Server) handleResultsXLSX(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.resultsYear(r)
	persons, err := newSheetSpool()
	if err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
		return
	}
	defer persons.Close()
	x := newXLSXStream(w)
	var results *sheetRows
	start := func() error {
		if results != nil {
			return nil
		}
		name := fmt.Sprintf("%d年度残疾人按比例就业认证结果.xlsx", year)
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="results-%d.xlsx"; filename*=UTF-8''%s`, year, url.PathEscape(name)))
		w.Header().Set("Cache-Control", "no-store")
		var err error
		if results, err = x.sheet("认证结果"); err != nil {
			return err
		}
		if err := results.row("统一社会信用代码", "单位名称", "税务主管部门代码", "税务主管部门", "安排残疾人人数", "认定月数", "折算人数",
			"确认书编号", "状态"); err != nil {
			return err
		}
		return persons.rows.row("统一社会信用代码", "单位名称", "确认书编号", "状态", "序号", "姓名", "公民身份号码", "残疾证件", "认定月数", "折算人数")
	}
	err = s.deps.Declarations.ExportResults(r.Context(), a, year, "xlsx", true, func(rows []declaration.Result) error {
		if err := start(); err != nil {
			return err
		}
		for _, row := range rows {
			if err := results.row(csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.TaxOffice), csvSafe(row.TaxOfficeName), row.Persons,
				row.CountedMonths, row.EquivalentPerson, csvSafe(row.LetterNumber), row.Status.Label()); err != nil {
				return err
			}
			// The persons of each letter from its snapshot: what the tax office bases the levy on.
			for i, p := range row.Certified {
				if err := persons.rows.row(csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.LetterNumber), row.Status.Label(), i+1,
					csvSafe(p.Name), csvSafe(p.IDMasked), certificateLabel(p.CertificateKind, p.Category, p.Level, p.Grade),
					p.CountedMonths, float64(p.WeightMonths.Hundredths())/100); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		// An empty year is still a workbook with its two header rows.
		if err = start(); err == nil {
			if err = x.endSheet(results); err == nil {
				if err = persons.copyInto(x, "认证人员"); err == nil {
					err = x.close()
				}
			}
		}
	}
	if err != nil && results == nil {
		s.renderError(w, r, err)
		return
	}
	s.endStream(w, r, err, true, func() {})
}
