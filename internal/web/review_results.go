package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/xuri/excelize/v2"

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
// sheet of the certified persons. Both sheets are written through excelize's stream writers as the
// chunks are read (rows beyond its 16 MiB buffer go to a temporary file), so the memory is that of
// a chunk and of the compressed workbook, not of the province's rows.
func (s *Server) handleResultsXLSX(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.resultsYear(r)
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) { s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err)) }
	const sheet, persons = "认证结果", "认证人员"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		fail(err)
		return
	}
	if _, err := f.NewSheet(persons); err != nil {
		fail(err)
		return
	}
	results, err := f.NewStreamWriter(sheet)
	if err != nil {
		fail(err)
		return
	}
	people, err := f.NewStreamWriter(persons)
	if err != nil {
		fail(err)
		return
	}
	if err := results.SetRow("A1", []any{"统一社会信用代码", "单位名称", "税务主管部门代码", "税务主管部门", "安排残疾人人数", "认定月数", "折算人数",
		"确认书编号", "状态"}); err != nil {
		fail(err)
		return
	}
	if err := people.SetRow("A1", []any{"统一社会信用代码", "单位名称", "确认书编号", "状态", "序号", "姓名", "公民身份号码", "残疾证件",
		"认定月数", "折算人数"}); err != nil {
		fail(err)
		return
	}
	n, m := 2, 2
	err = s.deps.Declarations.ExportResults(r.Context(), a, year, "xlsx", true, func(rows []declaration.Result) error {
		for _, row := range rows {
			cells := []any{csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.TaxOffice), csvSafe(row.TaxOfficeName), row.Persons,
				row.CountedMonths, row.EquivalentPerson, csvSafe(row.LetterNumber), row.Status.Label()}
			if err := results.SetRow(fmt.Sprintf("A%d", n), cells); err != nil {
				return err
			}
			n++
			// The persons of each letter from its snapshot: what the tax office bases the levy on.
			for i, p := range row.Certified {
				cells := []any{csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.LetterNumber), row.Status.Label(), i + 1,
					csvSafe(p.Name), csvSafe(p.IDMasked), certificateLabel(p.CertificateKind, p.Category, p.Level, p.Grade),
					p.CountedMonths, float64(p.WeightMonths.Hundredths()) / 100}
				if err := people.SetRow(fmt.Sprintf("A%d", m), cells); err != nil {
					return err
				}
				m++
			}
		}
		return nil
	})
	if err != nil {
		if apperr.As(err).Code == apperr.Internal {
			err = apperr.Wrap(apperr.Internal, "生成表格失败", err)
		}
		s.renderError(w, r, err)
		return
	}
	if err := results.Flush(); err != nil {
		fail(err)
		return
	}
	if err := people.Flush(); err != nil {
		fail(err)
		return
	}
	name := fmt.Sprintf("%d年度残疾人按比例就业认证结果.xlsx", year)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="results-%d.xlsx"; filename*=UTF-8''%s`, year, url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	if err := f.Write(w); err != nil {
		s.deps.Log.Warn("results workbook not sent whole", "year", year, "err", err)
	}
}
