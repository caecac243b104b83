package sheet

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/placement"
)

// Template is the import workbook for a business year: the data sheet with its headers (required
// ones marked *), the example row, text format for every cell (an ID number typed into a General
// cell becomes a rounded number), drop-down lists for the columns with fixed choices, and a sheet
// explaining each column.
func Template(year int) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, fmt.Errorf("template style: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, fmt.Errorf("template style: %w", err)
	}
	example, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Italic: true, Color: "595959"}})
	if err != nil {
		return nil, fmt.Errorf("template style: %w", err)
	}
	last := lastRow()
	for i, c := range columns {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return nil, err
		}
		if err := f.SetColStyle(DataSheet, col, text); err != nil {
			return nil, fmt.Errorf("template column %s: %w", col, err)
		}
		if err := f.SetColWidth(DataSheet, col, col, c.width); err != nil {
			return nil, fmt.Errorf("template column %s: %w", col, err)
		}
		if err := f.SetCellStr(DataSheet, col+"1", c.header()); err != nil {
			return nil, err
		}
		if err := f.SetCellStr(DataSheet, col+"2", c.example); err != nil {
			return nil, err
		}
		if len(c.choices) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, last))
			if err := dv.SetDropList(c.choices); err != nil {
				return nil, fmt.Errorf("template list %s: %w", col, err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, placement.FieldLabel(c.key), "请从下拉列表中选择")
			if err := f.AddDataValidation(DataSheet, dv); err != nil {
				return nil, fmt.Errorf("template list %s: %w", col, err)
			}
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(columns))
	if err := f.SetCellStyle(DataSheet, "A1", lastCol+"1", head); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(DataSheet, "A2", lastCol+"2", example); err != nil {
		return nil, err
	}
	if err := f.SetRowHeight(DataSheet, 1, 32); err != nil {
		return nil, err
	}
	if err := f.SetPanes(DataSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := help(f, year); err != nil {
		return nil, err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: fmt.Sprintf("%d年度残疾人安置人员批量导入模板", year),
		Creator: "残疾人按比例就业情况联网认证网报系统"}); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("write template: %w", err)
	}
	return buf.Bytes(), nil
}

// lastRow is the last data row the template's lists cover.
func lastRow() int { return placement.MaxImportRows + 1 }

// help writes the sheet that explains each column and the rules of the import.
func help(f *excelize.File, year int) error {
	if _, err := f.NewSheet(HelpSheet); err != nil {
		return fmt.Errorf("help sheet: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	rows := [][]any{
		{fmt.Sprintf("%d年度残疾人安置人员批量导入模板：填写说明", year)},
		{"1. 在“安置人员”工作表第 2 行起每行填写一人；第 2 行是示例，导入时自动跳过，也可删除。"},
		{"2. 带 * 的列必须填写；残疾人证填写残疾类别和残疾等级，残疾军人证填写伤残等级。"},
		{"3. 请直接填写内容，不要使用公式；身份证号等列保持文本格式。"},
		{fmt.Sprintf("4. 一次最多导入 %d 人；文件中只要有一行有误，整个文件都不导入，请按错误清单修改后重新上传。", placement.MaxImportRows)},
		{"5. 每人导入一份劳动合同（不含附件）。导入后人员为“未完成”状态：请在每人的“修改”页面上传劳动合同附件，再打开核验页面保存申报月份。"},
		{"6. 历史残疾证件需上传影像资料，请导入后在人员信息中添加。"},
		{},
		{"列名", "是否必填", "填写说明", "示例"},
	}
	for _, c := range columns {
		rows = append(rows, []any{placement.FieldLabel(c.key), c.required, c.help, c.example})
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(HelpSheet, cell, &r); err != nil {
			return err
		}
	}
	header := 9
	if err := f.SetCellStyle(HelpSheet, "A1", "A1", bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(HelpSheet, fmt.Sprintf("A%d", header), fmt.Sprintf("D%d", header), bold); err != nil {
		return err
	}
	if err := f.SetCellStyle(HelpSheet, fmt.Sprintf("A%d", header+1), fmt.Sprintf("D%d", header+len(columns)), wrap); err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 26, "B": 18, "C": 70, "D": 20} {
		if err := f.SetColWidth(HelpSheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}
