package sheet

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/idnum"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// The limits of an uploaded workbook. A filled template of placement.MaxImportRows persons is
// well below each (about 300 KB zipped, 3 MB unzipped); a file over a limit is refused as a whole.
const (
	// MaxFileBytes bounds the upload itself.
	MaxFileBytes = 4 << 20
	// MaxUnzipped bounds the workbook's parts together once unzipped (zip bombs).
	MaxUnzipped = 16 << 20
	// maxPartInMemory is the largest worksheet or string table excelize keeps in memory; larger
	// ones are read from a temporary file.
	maxPartInMemory = 4 << 20
	// MaxCellRunes bounds one cell: no field of a placement is longer.
	MaxCellRunes = 200
)

// Read reads a filled template: the rows of its data sheet (the sheet named DataSheet, else the
// first) as import rows, and every problem of the file as row errors — missing header columns, a
// formula cell, a cell too long, a value that is not one of the choices, more rows than
// placement.MaxImportRows. It fails only when reading r itself fails.
func Read(r io.Reader) (placement.ImportInput, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return placement.ImportInput{}, fmt.Errorf("read workbook: %w", err)
	}
	sum := sha256.Sum256(data)
	out := placement.ImportInput{SHA256: hex.EncodeToString(sum[:])}
	fail := func(reason string) (placement.ImportInput, error) {
		out.Errors = append(out.Errors, placement.RowError{Reason: reason})
		return out, nil
	}
	if len(data) > MaxFileBytes {
		return fail(fmt.Sprintf("文件超过 %d MB，请拆分后分批导入", MaxFileBytes>>20))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fail("无法读取该文件：请上传由模板填写的 Excel 工作簿（.xlsx）")
	}
	var unzipped uint64
	for _, zf := range zr.File {
		unzipped += zf.UncompressedSize64
	}
	if unzipped > MaxUnzipped {
		return fail(fmt.Sprintf("工作簿解压后超过 %d MB，不是正常的安置人员名单，请使用模板填写", MaxUnzipped>>20))
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipped,
		UnzipXMLSizeLimit: maxPartInMemory, RawCellValue: true})
	if err != nil {
		return fail("无法读取该文件：请上传由模板填写的 Excel 工作簿（.xlsx）")
	}
	defer f.Close()
	sheet := DataSheet
	if idx, err := f.GetSheetIndex(DataSheet); err != nil || idx < 0 {
		list := f.GetSheetList()
		if len(list) == 0 {
			return fail("工作簿中没有工作表")
		}
		sheet = list[0]
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return fail("无法读取工作表“" + sheet + "”（文件可能已损坏）")
	}
	defer rows.Close()
	rd := reader{example: exampleRow()}
	dataRows := 0
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			out.Errors = append(out.Errors, placement.RowError{Line: line, Reason: "无法读取该行的单元格"})
			continue
		}
		if blank(cells) {
			continue
		}
		if rd.pos == nil {
			if !rd.header(line, cells, &out) {
				return out, nil
			}
			// The formulas and numbers of the template's columns in the rows that may be read.
			if rd.kinds, err = scanCells(zr, sheet, rd.pos, line+placement.MaxImportRows+1); err != nil {
				return fail("无法读取工作表“" + sheet + "”（文件可能已损坏）")
			}
			continue
		}
		if dataRows++; dataRows > placement.MaxImportRows {
			out.Rows = nil
			return fail(fmt.Sprintf("一次最多导入 %d 人，请拆分文件后分批导入", placement.MaxImportRows))
		}
		if row, ok := rd.row(line, cells, &out); ok {
			out.Rows = append(out.Rows, row)
		}
		if len(out.Errors) >= placement.MaxListedImportErrors {
			out.Rows = nil
			return fail(fmt.Sprintf("错误过多，只列出第%d行之前的错误：请对照模板检查文件后重新上传", line+1))
		}
	}
	if err := rows.Error(); err != nil {
		return fail("无法读取工作表“" + sheet + "”（文件可能被截断）")
	}
	if rd.pos == nil {
		return fail("工作表“" + sheet + "”是空的：请使用模板，第1行为表头，第2行起每行一人")
	}
	return out, nil
}

// reader is the state of one sheet's rows: where each column is, which cells hold formulas.
type reader struct {
	pos     []int               // pos[i] is the sheet column (0-based) of columns[i], -1 when absent
	kinds   map[string]cellKind // cell references ("C5") holding a formula or a number
	example []string
}

// header maps the header row to the columns; a missing required column or one given twice is an
// error and stops the reading (no row can be read without its columns).
func (rd *reader) header(line int, cells []string, out *placement.ImportInput) bool {
	rd.pos = make([]int, len(columns))
	ok := true
	for i, c := range columns {
		rd.pos[i] = -1
		want := placement.FieldLabel(c.key)
		for j, got := range cells {
			if normHeader(got) != want {
				continue
			}
			if rd.pos[i] >= 0 {
				out.Errors = append(out.Errors, placement.RowError{Line: line, Field: want, Reason: "表头中该列出现了两次"})
				ok = false
				break
			}
			rd.pos[i] = j
		}
		if rd.pos[i] < 0 && c.required == "是" {
			out.Errors = append(out.Errors, placement.RowError{Line: line, Field: want, Reason: "表头缺少该列，请使用模板"})
			ok = false
		}
	}
	return ok
}

// normHeader strips what a header may carry beside its name: spaces, the * of a required column.
func normHeader(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	s = strings.TrimRight(s, "*＊ ")
	return strings.TrimSuffix(strings.TrimSuffix(s, "（必填）"), "(必填)")
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// row turns one data row into an import row, or reports its errors; the example row is skipped.
func (rd *reader) row(line int, cells []string, out *placement.ImportInput) (placement.ImportRow, bool) {
	vals := make([]string, len(columns))
	bad := false
	for i, c := range columns {
		j := rd.pos[i]
		if j < 0 || j >= len(cells) {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(j+1, line)
		label := placement.FieldLabel(c.key)
		switch v := strings.TrimSpace(cells[j]); {
		case rd.kinds[ref] == formulaCell:
			out.Errors = append(out.Errors, placement.RowError{Line: line, Field: label, Reason: "不能使用公式，请直接填写内容"})
			bad = true
		case rd.kinds[ref] == numberCell && c.key == "idNumber" && v != "":
			// Excel keeps 15 digits of a number: the ID number's last digits are already lost.
			out.Errors = append(out.Errors, placement.RowError{Line: line, Field: label, Reason: "请以文本格式填写身份证号（单元格被写成了数字，末几位会丢失）"})
			bad = true
		case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
			out.Errors = append(out.Errors, placement.RowError{Line: line, Field: label, Reason: "含有非法字符"})
			bad = true
		case utf8.RuneCountInString(v) > MaxCellRunes:
			out.Errors = append(out.Errors, placement.RowError{Line: line, Field: label, Reason: fmt.Sprintf("内容过长（最多 %d 个字）", MaxCellRunes)})
			bad = true
		default:
			vals[i] = v
		}
	}
	if bad {
		return placement.ImportRow{}, false
	}
	if equal(vals, rd.example) {
		return placement.ImportRow{}, false
	}
	p := rowParser{line: line, out: out}
	row := placement.ImportRow{Line: line}
	in := &row.Input
	for i, c := range columns {
		v := vals[i]
		switch c.key {
		case "idNumber":
			in.IDNumber = v
		case "name":
			in.Name = v
		case "gender":
			if v != "" && v != "男" && v != "女" {
				p.fail(c, "应为“男”或“女”，或不填")
			}
			in.Gender = v
		case "certificateKind":
			switch v {
			case "", "残疾人证", string(rules.DisabilityCertificate):
				in.CertificateKind = string(rules.DisabilityCertificate)
			case "残疾军人证", string(rules.VeteranCertificate):
				in.CertificateKind = string(rules.VeteranCertificate)
			default:
				p.fail(c, "应为“残疾人证”或“残疾军人证”")
			}
		case "category":
			in.Category = p.choice(c, v, categoryChoices, "残疾")
		case "level":
			in.Level = p.choice(c, v, levelChoices, "")
		case "grade":
			in.Grade = p.choice(c, v, gradeChoices, "")
		case "dispatched":
			switch v {
			case "是":
				in.Dispatched = true
			case "否":
			case "":
				p.fail(c, "请填写“是”或“否”")
			default:
				p.fail(c, "应为“是”或“否”")
			}
		case "affiliateId":
			if v != "" {
				code, err := idnum.ParseCreditCode(v)
				if err != nil {
					p.fail(c, err.Error())
				}
				row.AffiliateCode = code
			}
		case "femaleRetirementAge":
			switch v {
			case "":
			case "50", "55":
				in.FemaleRetirementAge, _ = strconv.Atoi(v)
			default:
				p.fail(c, "应为 50 或 55，或不填")
			}
		case "contracts[0].start", "contracts[0].end", "graduate.graduated":
			v = p.date(c, v)
			switch c.key {
			case "contracts[0].start":
				in.Contracts = append(in.Contracts, placement.ContractInput{Start: v})
			case "contracts[0].end":
				if len(in.Contracts) > 0 {
					in.Contracts[0].End = v
				}
			default:
				in.Graduate.Graduated = v
			}
		case "graduate.school":
			in.Graduate.School = v
		case "graduate.degree":
			in.Graduate.Degree = v
		case "graduate.major":
			in.Graduate.Major = v
		case "graduate.diplomaNumber":
			in.Graduate.DiplomaNumber = v
		}
	}
	if len(in.Contracts) == 1 && in.Contracts[0].Start == "" && in.Contracts[0].End == "" {
		in.Contracts = nil // no contract typed: the service says a contract is required
	}
	return row, !p.bad
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rowParser collects the errors of one row's values.
type rowParser struct {
	line int
	out  *placement.ImportInput
	bad  bool
}

func (p *rowParser) fail(c column, reason string) {
	p.out.Errors = append(p.out.Errors, placement.RowError{Line: p.line, Field: placement.FieldLabel(c.key), Reason: reason})
	p.bad = true
}

// choice reads one of the list's choices ("三级"), its number ("3", "3级") or the choice with a
// suffix ("肢体残疾"); "" is 0 (not given: the service says whether it was needed).
func (p *rowParser) choice(c column, v string, choices []string, suffix string) int {
	if v == "" {
		return 0
	}
	for i, ch := range choices {
		if v == ch || (suffix != "" && v == ch+suffix) {
			return i + 1
		}
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "级"))
	if err == nil && n >= 1 && n <= len(choices) {
		return n
	}
	p.fail(c, "应为下拉列表中的一项："+strings.Join(choices, "、"))
	return 0
}

// date reads a date column: text as typed (the service checks it), or the serial number of a
// cell Excel formatted as a date.
func (p *rowParser) date(c column, v string) string {
	if v == "" || strings.ContainsAny(v, "-/年.") && !isNumber(v) {
		return v
	}
	serial, err := strconv.ParseFloat(v, 64)
	if err != nil || serial < 1 || serial > 2958465 {
		return v // not a date serial either: the service reports the format
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		p.fail(c, "日期格式应为 YYYY-MM-DD")
		return ""
	}
	return t.Format("2006-01-02")
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// cellKind is what the worksheet's XML says of a cell beside its value.
type cellKind int

const (
	textCell    cellKind = iota
	numberCell           // a number (no type, or type n): a long number has lost digits
	formulaCell          // holds a formula (<f>): its cached value could say anything
)

// scanCells lists the cells of the worksheet named sheet that hold a formula or a number, in the
// given columns (0-based; -1 ignored) of the rows up to maxRow, reading the workbook's parts as XML
// streams so that a large sheet costs little memory (asking excelize for a cell's formula loads the
// whole worksheet: 440 MB for a 770 KB file of 400,000 cells). The scan stops past maxRow.
func scanCells(zr *zip.Reader, sheet string, cols []int, maxRow int) (map[string]cellKind, error) {
	part, err := sheetPart(zr, sheet)
	if err != nil {
		return nil, err
	}
	wanted := map[int]bool{}
	for _, c := range cols {
		if c >= 0 {
			wanted[c+1] = true
		}
	}
	out := map[string]cellKind{}
	err = decodePart(zr, part, func(d *xml.Decoder, se xml.StartElement, cell *string) error {
		switch se.Name.Local {
		case "c":
			*cell = ""
			ref := attr(se, "r")
			col, row, err := excelize.CellNameToCoordinates(ref)
			if err != nil {
				return nil // excelize reports such a cell when its row is read
			}
			if row > maxRow {
				return errStop
			}
			if !wanted[col] {
				return nil
			}
			*cell = ref
			if t := attr(se, "t"); t == "" || t == "n" {
				out[ref] = numberCell // until a formula says more
			}
		case "f":
			if *cell != "" {
				out[*cell] = formulaCell
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return out, err
}

// errStop ends a scan early.
var errStop = errors.New("stop")

// sheetPart finds the zip part of the worksheet named sheet through the workbook and its
// relationships.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	id := ""
	err := decodePart(zr, "xl/workbook.xml", func(_ *xml.Decoder, se xml.StartElement, _ *string) error {
		if se.Name.Local == "sheet" && strings.EqualFold(attr(se, "name"), sheet) && id == "" {
			id = attr(se, "id")
		}
		return nil
	})
	if err != nil || id == "" {
		return "", errors.New("sheet not in the workbook")
	}
	target := ""
	err = decodePart(zr, "xl/_rels/workbook.xml.rels", func(_ *xml.Decoder, se xml.StartElement, _ *string) error {
		if se.Name.Local == "Relationship" && attr(se, "Id") == id {
			target = attr(se, "Target")
		}
		return nil
	})
	if err != nil || target == "" {
		return "", errors.New("sheet relationship not found")
	}
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/"), nil
	}
	return path.Join("xl", target), nil
}

// decodePart streams the XML of one zip part (at most MaxUnzipped bytes) through fn, once per
// start element; cell carries state between calls.
func decodePart(zr *zip.Reader, name string, fn func(*xml.Decoder, xml.StartElement, *string) error) error {
	var zf *zip.File
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			zf = f
			break
		}
	}
	if zf == nil {
		return fmt.Errorf("part %s missing", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, MaxUnzipped))
	d.Strict = false
	var cell string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := fn(d, se, &cell); err != nil {
				return err
			}
		}
	}
}

// attr is the value of the attribute with the local name (any namespace).
func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
