package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/rules"
)

// resultsView is the staff page of the tax export.
type resultsView struct {
	Year  int
	Years []int
	Rows  []declaration.Result
}

// resultsYear is the business year of ?year=, else the last calendar year.
func (s *Server) resultsYear(r *http.Request) int {
	return yearOr(r.URL.Query().Get("year"), rules.ChinaDate(s.deps.Now()).Year-1)
}

// handleResultsPage: GET /review/results?year= — the certified results with the downloads.
func (s *Server) handleResultsPage(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.resultsYear(r)
	rows, err := s.deps.Declarations.Results(r.Context(), a, year, "page")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "review_results", Page{Title: fmt.Sprintf("%d年度认证结果", year), Nav: "review",
		Data: resultsView{Year: year, Years: []int{year - 1, year, year + 1}, Rows: rows}})
}

// handleResultsXLSX: GET /review/results.xlsx?year= — the tax export as an Excel workbook.
func (s *Server) handleResultsXLSX(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	year := s.resultsYear(r)
	rows, err := s.deps.Declarations.Results(r.Context(), a, year, "xlsx")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "认证结果"
	f.SetSheetName("Sheet1", sheet)
	header := []any{"统一社会信用代码", "单位名称", "税务主管部门代码", "税务主管部门", "安排残疾人人数", "认定月数", "折算人数", "确认书编号", "状态"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
		return
	}
	for i, row := range rows {
		cells := []any{csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.TaxOffice), csvSafe(row.TaxOfficeName), row.Persons,
			row.CountedMonths, float64(row.WeightMonths.Hundredths()) / 100, csvSafe(row.LetterNumber), row.Status.Label()}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &cells); err != nil {
			s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
			return
		}
	}
	if err := personsSheet(f, rows); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
		return
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
		return
	}
	name := fmt.Sprintf("%d年度残疾人按比例就业认证结果.xlsx", year)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="results-%d.xlsx"; filename*=UTF-8''%s`, year, url.PathEscape(name)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// personsSheet adds the sheet of the certified persons, one row per person of each letter, from
// the letters' snapshots: what the tax office bases the levy on.
func personsSheet(f *excelize.File, rows []declaration.Result) error {
	const sheet = "认证人员"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	header := []any{"统一社会信用代码", "单位名称", "确认书编号", "状态", "序号", "姓名", "公民身份号码", "残疾证件", "认定月数", "折算人数"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	n := 2
	for _, row := range rows {
		for i, p := range row.Certified {
			cells := []any{csvSafe(row.CreditCode), csvSafe(row.Name), csvSafe(row.LetterNumber), row.Status.Label(), i + 1,
				csvSafe(p.Name), csvSafe(p.IDMasked), certificateLabel(p.CertificateKind, p.Category, p.Level, p.Grade),
				p.CountedMonths, float64(p.WeightMonths.Hundredths()) / 100}
			if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &cells); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}
