package exchange_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"quotacert/internal/apperr"
	"quotacert/internal/exchange"
	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/exchange/tabular"
	"quotacert/internal/store"
)

// workbook writes an XLSX of one sheet from raw <row> elements.
func workbook(t *testing.T, rows func(w io.Writer)) string {
	t.Helper()
	var b bytes.Buffer
	if err := exchangegen.Workbook(&b, func(w io.Writer) error { rows(w); return nil }); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHostileFiles: the hostile files of issue 14 are refused with a clear row or file error on
// both databases, and nothing of them is imported.
func TestHostileFiles(t *testing.T) {
	wagesHead := func(w io.Writer) { exchangegen.Row(w, 1, "idNumber", "creditCode", "month", "amount") }
	certHead := "idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status\n"
	certRow := func(name string) string {
		return idMale + "," + name + ",男," + idMale + "43,4,3,2019-03-18,2029-03-17,有效\n"
	}
	gbk := func(s string) string {
		out, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var huge bytes.Buffer
	if err := exchangegen.HugeCell(&huge, 64<<20); err != nil { // 64 MB of one cell, in a file of 64 KB
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		kind    exchange.Kind
		file    string
		content string
		want    []string // the listed errors, as printed
	}{
		{"formula amount", exchange.Wages, "f.xlsx", workbook(t, func(w io.Writer) {
			wagesHead(w)
			fmt.Fprintf(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c><c r="B2" t="inlineStr"><is><t>%s</t></is></c>`+
				`<c r="C2" t="inlineStr"><is><t>2025-01</t></is></c><c r="D2"><f>1+1</f><v>2</v></c></row>`, idMale, codeE)
		}), []string{"row 2: amount: 单元格是公式，请复制后“选择性粘贴为数值”再导入"}},
		{"CSV formula in a name", exchange.Certificates, "c.csv", certHead + certRow("=1+2") + certRow("@SUM(A1)"),
			[]string{"row 2: name: 不能以 =、+、-、@ 开头（表格软件会把它当作公式）", "row 3: name: 不能以 =、+、-、@ 开头（表格软件会把它当作公式）"}},
		{"header only", exchange.Wages, "h.csv", "idNumber,creditCode,month,amount\r\n\r\n", []string{"文件没有数据行"}},
		{"header only, XLSX", exchange.Wages, "h.xlsx", workbook(t, func(w io.Writer) { wagesHead(w) }), []string{"文件没有数据行"}},
		{"NUL in a name", exchange.Certificates, "n.csv", certHead + certRow("刘\x00喆"), []string{"row 2: name: 含有非法字符"}},
		{"NUL in a code", exchange.Wages, "n.csv", "idNumber,creditCode,month,amount\n" + idMale + "," + codeE + "\x00,2025-01,100\n",
			[]string{"row 2: creditCode: 含有非法字符"}},
		{"NUL in an XLSX cell", exchange.Wages, "n.xlsx", workbook(t, func(w io.Writer) {
			wagesHead(w)
			fmt.Fprintf(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c><c r="B2" t="inlineStr"><is><t>%s</t></is></c>`+
				`<c r="C2" t="inlineStr"><is><t>2025-01</t></is></c><c r="D2" t="inlineStr"><is><t>1&#0;00</t></is></c></row>`, idMale, codeE)
			exchangegen.Row(w, 3, idMale, codeE, "2025-02", "100")
		}), []string{"row 2: amount: 含有非法字符"}}, // XML cannot carry it: excelize stops there, the file is refused
		{"a control character in an unread XLSX column", exchange.Wages, "n.xlsx", workbook(t, func(w io.Writer) {
			exchangegen.Row(w, 1, "idNumber", "creditCode", "month", "amount", "note")
			fmt.Fprintf(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c><c r="B2" t="inlineStr"><is><t>%s</t></is></c>`+
				`<c r="C2" t="inlineStr"><is><t>2025-01</t></is></c><c r="D2" t="inlineStr"><is><t>100</t></is></c>`+
				`<c r="E2" t="inlineStr"><is><t>x&#x1;</t></is></c></row>`, idMale, codeE)
			exchangegen.Row(w, 3, idMale, codeE, "2025-02", "100")
		}), []string{"row 2: 第 E 列含有非法字符"}},
		{"a broken sheet", exchange.Wages, "b.xlsx", workbook(t, func(w io.Writer) {
			wagesHead(w)
			exchangegen.Row(w, 2, idMale, codeE, "2025-01", "100")
			io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is><t>x</is></c></row>`) // mismatched tags
			exchangegen.Row(w, 4, idMale, codeE, "2025-02", "100")
		}), nil}, // checked below: a file error, not rows 2 and 4 imported
		{"GBK file with a UTF-8 row", exchange.Certificates, "m.csv", gbk(certHead+certRow("刘喆")) + certRow("刘喆"),
			[]string{"row 3: 该行的字符编码与文件其余部分不同（文件中混有 UTF-8 和 GBK 编码），请将整个文件另存为 UTF-8 或 GBK 后重新导入"}},
		{"UTF-8 file with a GBK row", exchange.MinWage, "m.csv", func() string {
			// More than the 64 KiB the encoding is guessed from, in UTF-8 (ASCII), then a GBK row.
			var b strings.Builder
			b.WriteString("region,from,amount\n")
			for i := 0; b.Len() < 70<<10; i++ {
				fmt.Fprintf(&b, "22,%04d-%02d,1880\n", 2000+i/12, i%12+1)
			}
			return b.String() + gbk("22,2900-01,一千八\n")
		}(), nil}, // checked below: an encoding error on the last row
		{"a cell over the limit", exchange.Certificates, "l.csv", certHead + certRow(strings.Repeat("长", tabular.MaxCellRunes+1)),
			[]string{fmt.Sprintf("row 2: name: 内容过长（最多 %d 个字符）", tabular.MaxCellRunes)}},
		{"a CSV row over the limit", exchange.Wages, "l.csv", "idNumber,creditCode,month,amount\n\"" + strings.Repeat("9", tabular.MaxRecordBytes),
			[]string{"row 2: 该行超过 64 KB（可能缺少换行或引号不配对），文件未导入"}},
		{"the hostile workbook: one huge cell", exchange.Wages, "huge.xlsx", huge.String(), []string{"row 2: 第 D 列的单元格内容超过 1000 个字符"}},
		{"too many rows", exchange.Wages, "rows.xlsx", workbook(t, func(w io.Writer) {
			for r := 1; r <= tabular.MaxXLSXRows+1; r++ {
				io.WriteString(w, "<row/>")
			}
		}), []string{fmt.Sprintf("工作表超过 %d 行（Excel 的上限），请拆分后导入或改用 CSV", tabular.MaxXLSXRows)}},
	}
	each(t, func(t *testing.T, db *store.DB, svc *exchange.Service) {
		before := snapshot(t, db)
		for _, tc := range cases {
			res, err := importString(t, svc, tc.kind, tc.file, tc.content)
			if apperr.CodeOf(err) != apperr.Invalid || res.Accepted() {
				t.Errorf("%s: %v, accepted=%v", tc.name, err, res.Accepted())
				continue
			}
			var got []string
			for _, e := range res.Errors {
				got = append(got, e.String())
			}
			switch tc.name {
			case "a broken sheet":
				if len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), "文件损坏") {
					t.Errorf("%s: %q", tc.name, got)
				}
			case "UTF-8 file with a GBK row":
				if len(got) == 0 || !strings.Contains(got[len(got)-1], "混有 UTF-8 和 GBK") {
					t.Errorf("%s: %q, want an encoding error", tc.name, got)
				}
			default:
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
				}
			}
		}
		sameState(t, snapshot(t, db), before)
	})
}
