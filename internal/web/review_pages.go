package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/apperr"
	"quotacert/internal/declaration"
	"quotacert/internal/review"
	"quotacert/internal/rules"
)

// reviewQueueView is the reviewer workspace: filters, the queue and the dashboard.
type reviewQueueView struct {
	Filter    review.Filter
	Age       string
	Items     []review.Item
	Dashboard review.Dashboard
	Error     string
	Fields    map[string]string
}

// handleReviewQueue: GET /review — the queue with its filters and the dashboard of the year.
func (s *Server) handleReviewQueue(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	f := reviewFilter(r)
	v := reviewQueueView{Filter: f, Age: r.URL.Query().Get("age"), Fields: map[string]string{}}
	items, err := s.deps.Reviews.Queue(r.Context(), a, f)
	status := http.StatusOK
	switch {
	case apperr.CodeOf(err) == apperr.Invalid:
		e := apperr.As(err)
		v.Error, v.Fields, status = "筛选条件有误，请修改后重新查询。", e.Fields, http.StatusUnprocessableEntity
	case err != nil:
		s.renderError(w, r, err)
		return
	}
	v.Items = items
	if v.Dashboard, err = s.deps.Reviews.Dashboard(r.Context(), a, f.Year); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, "review", Page{Title: "审核工作台", Nav: "review", Data: v})
}

// reviewItemView is the item page.
type reviewItemView struct {
	review.Detail
	Error  string
	Fields map[string]string
	// Comment and ReturnReason keep what the reviewer typed when a form is refused.
	Comment, ReturnReason string
}

func (s *Server) renderReviewItem(w http.ResponseWriter, r *http.Request, status int, id int64, v reviewItemView) {
	a, _ := s.actor(r)
	d, err := s.deps.Reviews.Get(r.Context(), a, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Detail = d
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	s.render(w, r, status, "review_item", Page{Title: "审核事项 " + d.Item.Kind.Label(), Nav: "review", Data: v})
}

// handleReviewItem: GET /review/items/{id}.
func (s *Server) handleReviewItem(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "审核事项")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.renderReviewItem(w, r, http.StatusOK, id, reviewItemView{})
}

// handleReviewDecision: POST /review/items/{id}/decision — approve or reject with a comment.
func (s *Server) handleReviewDecision(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := idParam(r, "审核事项")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	comment := r.PostFormValue("comment")
	var approve bool
	switch r.PostFormValue("decision") {
	case "approve":
		approve = true
	case "reject":
	default:
		s.renderReviewItem(w, r, http.StatusUnprocessableEntity, id, reviewItemView{Error: "请选择审核通过或不通过。",
			Fields: map[string]string{"decision": "请选择审核通过或不通过"}, Comment: comment})
		return
	}
	if err := s.deps.Reviews.Decide(r.Context(), a, id, approve, comment); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid || e.Code == apperr.Conflict {
			s.renderReviewItem(w, r, httpStatus(e.Code), id, reviewItemView{Error: e.Message, Fields: e.Fields, Comment: comment})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/review/items/%d?done=review-decided", id), http.StatusSeeOther)
}

// handleReviewReturn: POST /review/placements/{id}/return — 退回 a whole placement with a reason.
func (s *Server) handleReviewReturn(w http.ResponseWriter, r *http.Request) {
	a, _ := s.actor(r)
	id, err := idParam(r, "安置人员")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	item, _ := strconv.ParseInt(r.PostFormValue("item"), 10, 64)
	if err := s.deps.Reviews.Return(r.Context(), a, id, reason); err != nil {
		if e := apperr.As(err); (e.Code == apperr.Invalid || e.Code == apperr.Conflict) && item > 0 {
			s.renderReviewItem(w, r, httpStatus(e.Code), item, reviewItemView{Error: e.Message, Fields: e.Fields, ReturnReason: reason})
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/review?done=placement-returned", http.StatusSeeOther)
}

func httpStatus(c apperr.Code) int {
	if c == apperr.Invalid {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// resultsView is the staff page of the tax export.
type resultsView struct {
	Year  int
	Years []int
	Rows  []declaration.Result
}

func (s *Server) resultsYear(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	return rules.ChinaDate(s.deps.Now()).Year - 1
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
		status := "有效"
		if row.Status == declaration.LetterCancelled {
			status = "已作废"
		}
		cells := []any{row.CreditCode, csvSafe(row.Name), row.TaxOffice, row.TaxOfficeName, row.Persons, row.CountedMonths,
			float64(row.WeightMonths.Hundredths()) / 100, row.LetterNumber, status}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &cells); err != nil {
			s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
			return
		}
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
