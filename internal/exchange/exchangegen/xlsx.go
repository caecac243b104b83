package exchangegen

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// The parts of a minimal workbook around one sheet (what Excel needs to open it).
var workbookParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

// Workbook writes an XLSX workbook of one sheet whose <sheetData> content sheetData writes (row
// elements, streamed: a sheet of any size costs no memory). Tests and measurements use it for
// workbooks that excelize cannot write: a cached formula value, a gigabyte-long cell.
func Workbook(w io.Writer, sheetData func(io.Writer) error) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, p := range workbookParts {
		f, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return err
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	if err := sheetData(bw); err != nil {
		return err
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Row writes one row of inline-string cells (A, B, …) of row number r.
func Row(w io.Writer, r int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, r)
	for i, c := range cells {
		fmt.Fprintf(w, `<c r="%c%d" t="inlineStr"><is><t>%s</t></is></c>`, 'A'+i, r, escape(c))
	}
	io.WriteString(w, `</row>`)
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// HugeCell writes the hostile workbook of issue 14: a wages file whose one data row's amount cell
// holds n bytes of text. Deflated, a gigabyte of it is a file of about 1 MB.
func HugeCell(w io.Writer, n int64) error {
	return Workbook(w, func(sw io.Writer) error {
		Row(sw, 1, "idNumber", "creditCode", "month", "amount")
		fmt.Fprintf(sw, `<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c><c r="B2" t="inlineStr"><is><t>%s</t></is></c>`+
			`<c r="C2" t="inlineStr"><is><t>2025-01</t></is></c><c r="D2" t="inlineStr"><is><t>`, PersonID(0), payers[0])
		chunk := []byte(strings.Repeat("9", 1<<16))
		for left := n; left > 0; left -= int64(len(chunk)) {
			if _, err := sw.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(sw, `</t></is></c></row>`)
		return err
	})
}
