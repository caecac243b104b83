package sheet_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"quotacert/internal/placement"
	"quotacert/internal/placement/sheet"
)

// fill opens the template of 2025, lets edit change it, and returns the workbook's bytes.
func fill(t testing.TB, edit func(f *excelize.File)) []byte {
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
	edit(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// setRow writes text cells from column A of a data-sheet row.
func setRow(t testing.TB, f *excelize.File, row int, cells ...string) {
	t.Helper()
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	if err := f.SetSheetRow(sheet.DataSheet, fmt.Sprintf("A%d", row), &vals); err != nil {
		t.Fatal(err)
	}
}

// The columns of the template, A to Q: 身份证号 姓名 性别 证件类型 残疾类别 残疾等级 伤残等级 是否劳务派遣
// 劳务派遣单位统一社会信用代码 退休年龄组 合同开始日期 合同结束日期 毕业院校 学历 专业 毕业日期 毕业证书编号.
const (
	p01 = "22010219880712035X"
	p02 = "220104199011050461"
	p06 = "220102198603270620"
)

func read(t *testing.T, data []byte) placement.ImportInput {
	t.Helper()
	in, err := sheet.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestTemplate(t *testing.T) {
	tpl, err := sheet.Template(2025)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != sheet.DataSheet || got[1] != sheet.HelpSheet {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(sheet.DataSheet)
	if err != nil || len(rows) != 2 {
		t.Fatalf("data sheet rows %d (%v)", len(rows), err)
	}
	want := []string{"身份证号*", "姓名*", "性别", "证件类型*", "残疾类别", "残疾等级", "伤残等级", "是否劳务派遣*", "劳务派遣单位统一社会信用代码",
		"退休年龄组", "合同开始日期*", "合同结束日期", "毕业院校", "学历", "专业", "毕业日期", "毕业证书编号"}
	if strings.Join(rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("headers %q", rows[0])
	}
	if rows[1][0] != "11010519491231002X" || !strings.Contains(rows[1][1], "示例") {
		t.Errorf("example row %q", rows[1])
	}
	dvs, err := f.GetDataValidations(sheet.DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[strings.SplitN(dv.Sqref, ":", 2)[0]] = dv.Formula1
	}
	for cell, choices := range map[string]string{"C2": "男,女", "D2": "残疾人证,残疾军人证", "H2": "是,否", "J2": "50,55", "G2": "一级"} {
		if !strings.Contains(lists[cell], choices) {
			t.Errorf("list of %s = %q, want %q", cell, lists[cell], choices)
		}
	}
	for _, dv := range dvs {
		if !strings.HasSuffix(dv.Sqref, fmt.Sprint(placement.MaxImportRows+1)) {
			t.Errorf("list %s does not cover every row", dv.Sqref)
		}
	}
	// Every cell is text, so an ID number stays an ID number.
	style, err := f.GetCellStyle(sheet.DataSheet, "A100")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
		t.Errorf("A100 number format %+v (%v), want text (49)", s, err)
	}
	help, err := f.GetRows(sheet.HelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(help)
	for _, w := range []string{"2025年度", "不要使用公式", "伤残等级", "残疾军人证必填", "劳务派遣单位的统一社会信用代码", "无固定期限合同不填"} {
		if !strings.Contains(text, w) {
			t.Errorf("help sheet lacks %q", w)
		}
	}
	// The untouched template imports nothing: the example row is skipped, and the file has no data.
	in := read(t, tpl)
	if len(in.Rows) != 0 || len(in.Errors) != 0 {
		t.Errorf("untouched template: %+v", in)
	}
}

func TestReadFilledTemplate(t *testing.T) {
	data := fill(t, func(f *excelize.File) {
		setRow(t, f, 3, p01, "刘喆", "", "残疾人证", "肢体", "三级", "", "否", "", "", "2023-03-01", "")
		setRow(t, f, 4, p02, "孙雅琴", "女", "残疾军人证", "", "", "二级", "是", "91220104ma17dpq346", "55", "2024-01-01", "2026-12-31",
			"长春大学", "本科", "会计", "2012-07-01", "1019012012000123")
		setRow(t, f, 5, "  "+p06+" ", "吴秀兰", "", "", "3", "4级", "", "否")
		// A date typed into a cell Excel formatted as a date: its serial number (2022-01-01).
		if err := f.SetCellValue(sheet.DataSheet, "K5", 44562); err != nil {
			t.Fatal(err)
		}
		setRow(t, f, 7, p01[:6]) // a gap row 6 is skipped, row numbers stay those of the sheet
		if err := f.SetCellStr(sheet.DataSheet, "A7", ""); err != nil {
			t.Fatal(err)
		}
	})
	in := read(t, data)
	if len(in.Errors) != 0 || len(in.Rows) != 3 || len(in.SHA256) != 64 {
		t.Fatalf("read: %+v", in)
	}
	r := in.Rows
	if r[0].Line != 3 || r[0].Input.IDNumber != p01 || r[0].Input.Category != 4 || r[0].Input.Level != 3 || r[0].Input.Dispatched ||
		r[0].Input.CertificateKind != "disability" || len(r[0].Input.Contracts) != 1 || r[0].Input.Contracts[0].Start != "2023-03-01" {
		t.Errorf("row 3: %+v", r[0])
	}
	c := r[1].Input
	if r[1].Line != 4 || c.CertificateKind != "veteran" || c.Grade != 2 || !c.Dispatched || r[1].AffiliateCode != "91220104MA17DPQ346" ||
		c.FemaleRetirementAge != 55 || c.Gender != "女" || c.Contracts[0].End != "2026-12-31" || c.Graduate.School != "长春大学" ||
		c.Graduate.Graduated != "2012-07-01" || c.Graduate.DiplomaNumber != "1019012012000123" {
		t.Errorf("row 4: %+v", r[1])
	}
	if r[2].Line != 5 || r[2].Input.IDNumber != p06 || r[2].Input.Category != 3 || r[2].Input.Level != 4 ||
		r[2].Input.Contracts[0].Start != "2022-01-01" {
		t.Errorf("row 5: %+v", r[2])
	}
}

func TestReadRefusals(t *testing.T) {
	good := []string{p01, "刘喆", "", "残疾人证", "肢体", "三级", "", "否", "", "", "2023-03-01", ""}
	with := func(i int, v string) []string {
		row := append([]string(nil), good...)
		row[i] = v
		return row
	}
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want []string // RowError strings, in order
	}{
		{"formula cell", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				setRow(t, f, 3, good...)
				if err := f.SetCellFormula(sheet.DataSheet, "F3", `"三"&"级"`); err != nil {
					t.Fatal(err)
				}
			})
		}, []string{"第3行 残疾等级: 不能使用公式，请直接填写内容"}},
		{"bad choices", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				setRow(t, f, 3, with(4, "腿")...)
				setRow(t, f, 4, with(7, "不是")...)
				setRow(t, f, 5, with(3, "军官证")...)
				setRow(t, f, 6, with(9, "60")...)
				setRow(t, f, 7, with(2, "M")...)
				setRow(t, f, 8, with(8, "91220104MA17DPQ340")...)
			})
		}, []string{"第3行 残疾类别: 应为下拉列表中的一项", "第4行 是否劳务派遣: 应为“是”或“否”", "第5行 证件类型: 应为“残疾人证”或“残疾军人证”",
			"第6行 退休年龄组: 应为 50 或 55", "第7行 性别: 应为“男”或“女”", "第8行 劳务派遣单位统一社会信用代码: 统一社会信用代码校验位错误"}},
		{"an ID number written as a number", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				setRow(t, f, 3, good...)
				if err := f.SetCellValue(sheet.DataSheet, "A3", 2.2010219880712035e17); err != nil {
					t.Fatal(err)
				}
			})
		}, []string{"第3行 身份证号: 请以文本格式填写身份证号"}},
		{"cell too long", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) { setRow(t, f, 3, with(1, strings.Repeat("名", 201))...) })
		}, []string{"第3行 姓名: 内容过长（最多 200 个字）"}},
		{"dispatched left empty", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) { setRow(t, f, 3, with(7, "")...) })
		}, []string{"第3行 是否劳务派遣: 请填写“是”或“否”"}},
		{"missing header column", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				if err := f.SetCellStr(sheet.DataSheet, "B1", "名字"); err != nil {
					t.Fatal(err)
				}
				setRow(t, f, 3, good...)
			})
		}, []string{"第1行 姓名: 表头缺少该列，请使用模板"}},
		{"column given twice", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				if err := f.SetCellStr(sheet.DataSheet, "R1", "身份证号"); err != nil {
					t.Fatal(err)
				}
			})
		}, []string{"第1行 身份证号: 表头中该列出现了两次"}},
		{"too many rows", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				for i := 0; i <= placement.MaxImportRows; i++ {
					setRow(t, f, 3+i, good...)
				}
			})
		}, []string{"一次最多导入 2000 人"}},
		{"empty sheet", func(t *testing.T) []byte {
			f := excelize.NewFile()
			defer f.Close()
			if err := f.SetSheetName("Sheet1", sheet.DataSheet); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, []string{"是空的"}},
		{"header only", func(t *testing.T) []byte {
			return fill(t, func(f *excelize.File) {
				if err := f.RemoveRow(sheet.DataSheet, 2); err != nil {
					t.Fatal(err)
				}
			})
		}, nil},
		{"not a workbook", func(t *testing.T) []byte { return []byte("身份证号,姓名\n" + p01 + ",刘喆\n") },
			[]string{"无法读取该文件"}},
		{"too large", func(t *testing.T) []byte { return bytes.Repeat([]byte("x"), sheet.MaxFileBytes+1) },
			[]string{"文件超过 4 MB"}},
		{"zip bomb", func(t *testing.T) []byte { return bomb(t) }, []string{"解压后超过 16 MB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := read(t, c.data(t))
			if len(in.Rows) != 0 && c.name != "too many rows" {
				t.Errorf("rows read: %d", len(in.Rows))
			}
			if len(in.Errors) != len(c.want) {
				t.Fatalf("errors %v, want %v", in.Errors, c.want)
			}
			for i, w := range c.want {
				if got := in.Errors[i].String(); !strings.Contains(got, w) {
					t.Errorf("error %d = %q, want %q", i, got, w)
				}
				if strings.Contains(in.Errors[i].String(), p01) || strings.Contains(in.Errors[i].String(), "220102198807") {
					t.Errorf("error %d reveals the ID number", i)
				}
			}
		})
	}
}

// bomb is a small zip whose one part unzips to 64 MB of nothing.
func bomb(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 64 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzRead: any bytes, and mutations of a filled template, are read without panicking; an error
// never carries a cell's value, and every row read has its sheet row number.
func FuzzRead(f *testing.F) {
	tpl, err := sheet.Template(2025)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tpl)
	f.Add(fill(f, func(x *excelize.File) {
		setRow(f, x, 3, p01, "刘喆", "", "残疾军人证", "", "", "二级", "否", "", "", "2023-03-01", "")
		if err := x.SetCellFormula(sheet.DataSheet, "B4", "1+1"); err != nil {
			f.Fatal(err)
		}
	}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := sheet.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("read of bytes failed: %v", err)
		}
		for _, e := range in.Errors {
			if e.Reason == "" || strings.Contains(e.Reason, p01) {
				t.Fatalf("bad error %+v", e)
			}
		}
		for _, r := range in.Rows {
			if r.Line < 2 {
				t.Fatalf("row %d", r.Line)
			}
		}
	})
}

// BenchmarkReadHostile reads a workbook with the template's headers and 400,000 tiny cells (770 KB
// zipped, 11 MB unzipped: within every size limit) and reports what it cost: the reader streams the
// sheet, scans for formulas without loading the worksheet, and stops at the row limit.
func BenchmarkReadHostile(b *testing.B) {
	data := manyCells(b, 400000)
	for b.Loop() {
		in, err := sheet.Read(bytes.NewReader(data))
		if err != nil || len(in.Errors) == 0 {
			b.Fatalf("%v %v", err, in.Errors)
		}
	}
	b.ReportMetric(float64(len(data))/1024, "file-KiB")
}

// manyCells builds a workbook whose data sheet holds n cells of 17 columns, each the digit 1.
func manyCells(tb testing.TB, n int) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	part := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			tb.Fatal(err)
		}
	}
	part("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	part("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	part("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="安置人员" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	part("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	var s strings.Builder
	s.WriteString(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	headers := []string{"身份证号", "姓名", "性别", "证件类型", "残疾类别", "残疾等级", "伤残等级", "是否劳务派遣", "劳务派遣单位统一社会信用代码",
		"退休年龄组", "合同开始日期", "合同结束日期", "毕业院校", "学历", "专业", "毕业日期", "毕业证书编号"}
	s.WriteString(`<row r="1">`)
	for c, h := range headers {
		fmt.Fprintf(&s, `<c r="%c1" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+c, h)
	}
	s.WriteString(`</row>`)
	for r := 2; r*17 <= n; r++ {
		fmt.Fprintf(&s, `<row r="%d">`, r)
		for c := 0; c < 17; c++ {
			fmt.Fprintf(&s, `<c r="%c%d"><v>1</v></c>`, 'A'+c, r)
		}
		s.WriteString(`</row>`)
	}
	s.WriteString(`</sheetData></worksheet>`)
	part("xl/worksheets/sheet1.xml", s.String())
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
