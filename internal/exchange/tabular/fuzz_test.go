package tabular_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"quotacert/internal/exchange/exchangegen"
	"quotacert/internal/exchange/tabular"
)

// drain reads every row of rd; it must end, never panic, and return only valid UTF-8 fields of
// bounded size.
func drain(t *testing.T, rd tabular.Reader) {
	t.Helper()
	defer rd.Close()
	for i := 0; i < 1<<20; i++ {
		_, fields, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var se *tabular.SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error %v is neither a syntax error nor the end", err)
		}
		for _, f := range fields {
			if !utf8.ValidString(f) || len(f) > tabular.MaxRecordBytes {
				t.Fatalf("field of %d bytes, valid UTF-8 %v", len(f), utf8.ValidString(f))
			}
		}
	}
	t.Fatal("the reader does not end")
}

// FuzzCSV: any bytes read as CSV end in rows of valid text, syntax errors or the end.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\xef\xbb\xbfa\n\"x\ny\"\n", "a\n\"unterminated", "\xd5\xc5\xc8\xfd,1\n", "a\x00b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := tabular.Open(tabular.CSV, bytes.NewReader(b))
		if err != nil {
			return
		}
		drain(t, rd)
	})
}

// FuzzXLSXSheet: any sheet XML inside a well-formed workbook is read, or refused with a syntax
// error, through the guard and excelize, without a panic.
func FuzzXLSXSheet(f *testing.F) {
	for _, s := range []string{`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>`,
		`<row r="2"><c r="B2"><f>1+1</f><v>2</v></c></row>`, `<row><c><v>1&#0;</v></c></row>`, `<row r="1048577"/>`,
		`<row r="1"><c r="ZZZZ1"><v>1</v></c></row>`, `<row r="1"><c r="A1" t="s"><v>99</v></c></row>`, `<`, `&#x;`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sheet string) {
		var b bytes.Buffer
		if err := exchangegen.Workbook(&b, func(w io.Writer) error { _, err := io.WriteString(w, sheet); return err }); err != nil {
			t.Fatal(err)
		}
		rd, err := tabular.Open(tabular.XLSX, bytes.NewReader(b.Bytes()))
		if err != nil {
			var se *tabular.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("open: %v", err)
			}
			return
		}
		drain(t, rd)
	})
}
