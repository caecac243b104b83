package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// ExportInput is what the list export shows: the unit, the year's summary and every placement.
type ExportInput struct {
	EmployerName, CreditCode string
	Year                     int
	Summary                  placement.Summary
	Rows                     []placement.ListRow
	// Generated is the time of the export, printed in China's time.
	Generated time.Time
}

// ExportSheet is the sheet of the list export.
const ExportSheet = "安置人员名单"

// Export writes the year's list as a workbook: the unit and the summary on top (only confirmed
// placements count, what waits for review beside it), then one row per person with the masked ID
// number, the status, the months selected (✓; counted once confirmed) and the equivalent persons.
// Text a user typed is defused: a cell starting with = + - @ would be read as a formula by some
// spreadsheet programs.
func Export(in ExportInput) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ExportSheet); err != nil {
		return nil, err
	}
	sum := in.Summary
	top := [][]any{
		{fmt.Sprintf("%s %d年度残疾人安置人员名单", Defuse(in.EmployerName), in.Year)},
		{"统一社会信用代码", in.CreditCode, "导出时间", in.Generated.In(rules.China()).Format("2006-01-02 15:04")},
		{"安置人数", sum.Persons, "已确认", sum.Confirmed, "待审核", sum.Pending, "审核不通过", sum.Rejected, "未完成", sum.Draft},
		{"计入月数", sum.CountedMonths, "折算安置人数", hundredths(sum.WeightMonths), "待审核月数（未计入）", sum.PendingMonths},
		{"说明：计入月数和折算安置人数只统计“已确认”人员的已选月份；✓ 为已选择申报的月份。"},
		{},
	}
	header := []any{"序号", "姓名", "身份证号", "劳务派遣", "状态", "申报月数"}
	for m := 1; m <= 12; m++ {
		header = append(header, fmt.Sprintf("%d月", m))
	}
	header = append(header, "折算人数")
	top = append(top, header)
	for i, r := range top {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(ExportSheet, cell, &r); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	first := len(top) + 1
	for i, r := range in.Rows {
		months := map[string]bool{}
		for _, m := range r.Months {
			if m.Selected {
				months[m.Month] = true
			}
		}
		dispatched := "否"
		if r.Dispatched {
			dispatched = "是"
		}
		row := []any{i + 1, Defuse(r.Name), r.IDMasked, dispatched, r.Status.Label(), r.CountedMonths()}
		for m := 1; m <= 12; m++ {
			mark := ""
			if months[rules.MonthOf(in.Year, m).String()] {
				mark = "✓"
			}
			row = append(row, mark)
		}
		row = append(row, hundredths(r.WeightMonths()))
		cell, _ := excelize.CoordinatesToCellName(1, first+i)
		if err := f.SetSheetRow(ExportSheet, cell, &row); err != nil {
			return nil, fmt.Errorf("export row %d: %w", i+1, err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(header))
	if err := f.SetCellStyle(ExportSheet, "A1", "A1", bold); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(ExportSheet, fmt.Sprintf("A%d", len(top)), fmt.Sprintf("%s%d", lastCol, len(top)), bold); err != nil {
		return nil, err
	}
	for col, w := range map[string]float64{"A": 16, "B": 14, "C": 22, "D": 10, "E": 12, "F": 10, lastCol: 10} {
		if err := f.SetColWidth(ExportSheet, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(ExportSheet, "G", "R", 5); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write export: %w", err)
	}
	return buf.Bytes(), nil
}

// hundredths is an exact weight sum as the equivalent persons, rounded half-up to 2 decimals once
// (DOMAIN.md §3), as a number cell.
func hundredths(w rules.WeightMonths) float64 { return float64(w.Hundredths()) / 100 }

// Defuse keeps a text cell from being read as a formula (CSV/formula injection): a value starting
// with = + - @ (or a tab or carriage return) gets a leading apostrophe.
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
