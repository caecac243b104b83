package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/apperr"
	"quotacert/internal/chart"
	"quotacert/internal/stats"
)

// statsCell is one cell of a statistics table: its text, and its number for a workbook (a cell
// without a number is text).
type statsCell struct {
	Text   string
	Number float64
	IsNum  bool
	Link   string // a same-site drill-down link of a row header
}

// statsTable is one table of the statistics page, the same for the page, the CSV and the XLSX.
type statsTable struct {
	ID, Title string
	Columns   []string
	Rows      [][]statsCell
	Foot      []statsCell // the total row, or nil
}

func num(v int) statsCell { return statsCell{Text: strconv.Itoa(v), Number: float64(v), IsNum: true} }

func dec(text string) statsCell {
	f, _ := strconv.ParseFloat(text, 64)
	return statsCell{Text: text, Number: f, IsNum: true}
}

// figureColumns are the columns of a breakdown after its first (the row's name).
var figureColumns = []string{"注册单位", "信息完善单位", "人员未完成", "人员待审核", "人员已确认", "人员审核不通过",
	"已申报单位", "反馈重开单位", "已认证单位", "认证人数", "计入月数", "折算人数", "预计残保金（元）",
	"达到比例单位", "达到比例占已认证（%）", "待审核事项", "其中超期"}

func figureCells(f stats.Figures) []statsCell {
	return []statsCell{num(f.Employers), num(f.ProfilesComplete), num(f.PlacementsDraft), num(f.PlacementsPending),
		num(f.PlacementsConfirmed), num(f.PlacementsRejected), num(f.Submitted), num(f.Reopened), num(f.Certified),
		num(f.CertifiedPersons), num(f.CountedMonths), dec(f.WeightMonths.String()), dec(f.LevyDue.String()),
		num(f.AtQuota), dec(strconv.FormatFloat(f.AtQuotaShare(), 'f', 1, 64)), num(f.PendingReviews), num(f.PendingOverdue)}
}

func breakdown(id, title, first string, rows []stats.Row, link func(stats.Row) string, total stats.Figures) statsTable {
	t := statsTable{ID: id, Title: title, Columns: append([]string{first}, figureColumns...)}
	for _, r := range rows {
		head := statsCell{Text: r.Label}
		if link != nil {
			head.Link = link(r)
		}
		t.Rows = append(t.Rows, append([]statsCell{head}, figureCells(r.Figures)...))
	}
	t.Foot = append([]statsCell{{Text: "合计"}}, figureCells(total)...)
	return t
}

// statsView is the statistics page.
type statsView struct {
	Report  stats.Report
	Query   template.URL // year=…&region=… of this view, for the export links (digits only)
	Tables  []statsTable
	Charts  []template.HTML
	Summary []string
	AgeDays int
	Years   []int
}

func (s *Server) statsReport(r *http.Request) (stats.Report, error) {
	a, _ := s.actor(r)
	year := 0
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return stats.Report{}, apperr.FieldErrors(map[string]string{"year": "年度应为数字，如 2025"})
		}
		year = n
	}
	return s.deps.Stats.Report(r.Context(), a, year, r.URL.Query().Get("region"))
}

// statsTables are the tables of a report, in page order.
func statsTables(rep stats.Report, query func(region string) string) []statsTable {
	link := func(row stats.Row) string {
		if !row.Drill {
			return ""
		}
		return "/stats?" + query(row.Key)
	}
	regionTitle := fmt.Sprintf("%d年度%s各地区统计", rep.Year, rep.Region.Name)
	out := []statsTable{
		breakdown("by-region", regionTitle, "地区", rep.ByRegion, link, rep.Total),
		breakdown("by-nature", fmt.Sprintf("%d年度%s按单位性质统计", rep.Year, rep.Region.Name), "单位性质", rep.ByNature, nil, rep.Total),
		breakdown("by-economy", fmt.Sprintf("%d年度%s按经济类型统计", rep.Year, rep.Region.Name), "经济类型", rep.ByEconomy, nil, rep.Total),
	}
	months := statsTable{ID: "by-month", Title: fmt.Sprintf("%d年度%s各月完成申报与认证单位数", rep.Year, rep.Region.Name),
		Columns: []string{"月份", "完成申报单位", "认证通过单位"}}
	var sub, cert int
	for _, m := range rep.ByMonth {
		months.Rows = append(months.Rows, []statsCell{{Text: m.Month.String()}, num(m.Submitted), num(m.Certified)})
		sub += m.Submitted
		cert += m.Certified
	}
	months.Foot = []statsCell{{Text: "合计"}, num(sub), num(cert)}
	return append(out, months)
}

// handleStats: GET /stats?year=&region= — the year's statistics of the staff member's subtree.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	if s.deps.Stats == nil {
		s.renderError(w, r, apperr.NotFoundf("统计分析"))
		return
	}
	rep, err := s.statsReport(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	query := func(region string) string {
		v := url.Values{"year": {strconv.Itoa(rep.Year)}}
		if region != "" {
			v.Set("region", region)
		}
		return v.Encode()
	}
	v := statsView{Report: rep, Query: template.URL(query(rep.Region.Code)), Tables: statsTables(rep, query), AgeDays: rep.PendingAgeDays()}
	for y := rep.GeneratedAt.Year() - 1; y >= rep.GeneratedAt.Year()-4; y-- {
		v.Years = append(v.Years, y)
	}
	t := rep.Total
	v.Summary = []string{
		fmt.Sprintf("注册单位 %d 户，其中单位信息完善 %d 户；已完成申报 %d 户，反馈后重新打开 %d 户，已认证 %d 户。",
			t.Employers, t.ProfilesComplete, t.Submitted, t.Reopened, t.Certified),
		fmt.Sprintf("已认证单位安排残疾人 %d 人，计入 %d 个月，折算 %s 人；达到规定比例（%s%%）的单位 %d 户，占已认证单位的 %.1f%%。",
			t.CertifiedPersons, t.CountedMonths, t.WeightMonths, chart.Number(float64(rep.QuotaBP)/100, 2), t.AtQuota, t.AtQuotaShare()),
		fmt.Sprintf("按社会平均工资测算，已认证单位预计应缴残保金 %s 元（可测算 %d 户）。", t.LevyDue, t.LevyEstimated),
		fmt.Sprintf("待审核事项 %d 项，其中超过办结期限 %d 项；最早的一项已等待 %d 天。", t.PendingReviews, t.PendingOverdue, v.AgeDays),
	}
	charts, err := statsCharts(rep, query)
	if err != nil {
		s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成统计图失败", err))
		return
	}
	v.Charts = charts
	s.render(w, r, http.StatusOK, "stats", Page{Title: "统计分析", Nav: "stats", Data: v})
}

// statsCharts draws the page's charts; each carries its own data table and summary sentence.
func statsCharts(rep stats.Report, query func(string) string) ([]template.HTML, error) {
	var labels, links []string
	var submitted, certified []float64
	for _, r := range rep.ByRegion {
		labels = append(labels, r.Label)
		l := ""
		if r.Drill {
			l = "?" + query(r.Key)
		}
		links = append(links, l)
		submitted = append(submitted, float64(r.Submitted))
		certified = append(certified, float64(r.Certified))
	}
	var out []template.HTML
	add := func(c chart.Chart, err error) error {
		if err != nil {
			return err
		}
		out = append(out, c.HTML())
		return nil
	}
	if err := add(chart.Bar{ID: "chart-region", Title: fmt.Sprintf("%d年度%s各地区已申报与已认证单位数", rep.Year, rep.Region.Name),
		Category: "地区", Unit: "户", Sum: true, Labels: labels, Links: links,
		Series: []chart.Series{{Name: "已申报", Values: submitted}, {Name: "已认证", Values: certified}}}.Render()); err != nil {
		return nil, err
	}
	var natures []string
	var share []float64
	var equiv []float64
	for _, r := range rep.ByNature {
		natures = append(natures, r.Label)
		share = append(share, r.AtQuotaShare())
		equiv = append(equiv, float64(r.WeightMonths.Hundredths())/100)
	}
	if err := add(chart.Bar{ID: "chart-nature", Title: fmt.Sprintf("%d年度按单位性质的折算安排人数", rep.Year),
		Category: "单位性质", Measure: "类", Unit: "人", Decimals: 2, Sum: true, Labels: natures,
		Series: []chart.Series{{Name: "折算人数", Values: equiv}}}.Render()); err != nil {
		return nil, err
	}
	if err := add(chart.Bar{ID: "chart-quota", Title: fmt.Sprintf("%d年度按单位性质的达到规定比例单位占比", rep.Year),
		Category: "单位性质", Measure: "类", Unit: "%", Decimals: 1, AxisMax: 100, Labels: natures,
		Series: []chart.Series{{Name: "达到比例占已认证", Values: share}}}.Render()); err != nil {
		return nil, err
	}
	var economies []string
	var ecoCert []float64
	for _, r := range rep.ByEconomy {
		economies = append(economies, r.Label)
		ecoCert = append(ecoCert, float64(r.Certified))
	}
	if err := add(chart.Bar{ID: "chart-economy", Title: fmt.Sprintf("%d年度按经济类型的已认证单位数", rep.Year),
		Category: "经济类型", Measure: "类", Unit: "户", Sum: true, Labels: economies,
		Series: []chart.Series{{Name: "已认证", Values: ecoCert}}}.Render()); err != nil {
		return nil, err
	}
	var months []string
	var mSub, mCert []float64
	for _, m := range rep.ByMonth {
		months = append(months, fmt.Sprintf("%d年%d月", m.Month.Year(), m.Month.Number()))
		mSub = append(mSub, float64(m.Submitted))
		mCert = append(mCert, float64(m.Certified))
	}
	if err := add(chart.Line{ID: "chart-month", Title: fmt.Sprintf("%d年度各月完成申报与认证通过单位数", rep.Year),
		Unit: "户", Sum: true, Labels: months,
		Series: []chart.Series{{Name: "完成申报", Values: mSub}, {Name: "认证通过", Values: mCert}}}.Render()); err != nil {
		return nil, err
	}
	return out, nil
}

// handleStatsExport: GET /stats/{table}?year=&region= — one table as CSV ("by-region.csv") or every
// table as one workbook ("tables.xlsx", a sheet each) or one table's workbook ("by-nature.xlsx").
func (s *Server) handleStatsExport(w http.ResponseWriter, r *http.Request) {
	if s.deps.Stats == nil {
		s.renderError(w, r, apperr.NotFoundf("统计分析"))
		return
	}
	name := r.PathValue("table")
	base, ext, ok := strings.Cut(name, ".")
	if !ok || (ext != "csv" && ext != "xlsx") {
		s.renderError(w, r, apperr.NotFoundf("该统计表"))
		return
	}
	rep, err := s.statsReport(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	tables := statsTables(rep, func(string) string { return "" })
	var pick []statsTable
	for _, t := range tables {
		if t.ID == base || (base == "tables" && ext == "xlsx") {
			pick = append(pick, t)
		}
	}
	if len(pick) == 0 {
		s.renderError(w, r, apperr.NotFoundf("该统计表"))
		return
	}
	var buf bytes.Buffer
	file := fmt.Sprintf("%d年度%s统计", rep.Year, rep.Region.Name)
	if len(pick) == 1 {
		file = pick[0].Title
	}
	ascii := fmt.Sprintf("stats-%d-%s-%s.%s", rep.Year, rep.Region.Code, base, ext)
	if ext == "csv" {
		buf.WriteString("\uFEFF") // Excel opens UTF-8 CSV correctly only with the byte-order mark
		cw := csv.NewWriter(&buf)
		t := pick[0]
		cw.Write(t.Columns)
		for _, row := range append(t.Rows, t.Foot) {
			rec := make([]string, len(row))
			for i, c := range row {
				rec[i] = csvSafe(c.Text)
			}
			cw.Write(rec)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		if err := writeStatsWorkbook(&buf, pick); err != nil {
			s.renderError(w, r, apperr.Wrap(apperr.Internal, "生成表格失败", err))
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(file+"."+ext)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// writeStatsWorkbook writes one sheet per table: the title, the header, the rows, the total;
// numbers as numbers.
func writeStatsWorkbook(buf *bytes.Buffer, tables []statsTable) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range tables {
		sheet := sheetName(t.ID)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, "A1", t.Title); err != nil {
			return err
		}
		head := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = c
		}
		if err := f.SetSheetRow(sheet, "A2", &head); err != nil {
			return err
		}
		for j, row := range append(t.Rows, t.Foot) {
			cells := make([]any, len(row))
			for k, c := range row {
				if c.IsNum {
					cells[k] = c.Number
				} else {
					cells[k] = csvSafe(c.Text)
				}
			}
			if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", j+3), &cells); err != nil {
				return err
			}
		}
	}
	return f.Write(buf)
}

func sheetName(id string) string {
	switch id {
	case "by-region":
		return "按地区"
	case "by-nature":
		return "按单位性质"
	case "by-economy":
		return "按经济类型"
	case "by-month":
		return "按月份"
	}
	return id
}
