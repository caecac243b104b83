package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSX files are read in two passes over the unzipped bytes, both streaming:
//
//  1. guardXLSX checks the workbook against the limits before excelize opens it: the parts'
//     sizes from the zip directory (Go's zip reader refuses a part that inflates beyond its
//     declared size), then the first sheet and the shared strings byte by byte — no text run or
//     tag over maxXMLRun, no more than MaxXLSXRows rows — stopping at the first excess, so a
//     gigabyte-long cell costs reading maxXMLRun of it. The same pass notes the formula cells
//     (<f> in a cell) of the first sheet.
//  2. excelize opens the file with UnzipSizeLimit and UnzipXMLSizeLimit (large sheets and shared
//     strings go to temporary files) and yields the first sheet's rows from its row iterator.

type xlsxReader struct {
	file    *excelize.File
	rows    *excelize.Rows
	row     int
	g       *guardReport
	done    bool // a row could not be read: the rest of the sheet is not read either
	cleanup func()
}

func openXLSX(r io.Reader) (_ *xlsxReader, err error) {
	path := ""
	cleanup := func() {}
	if f, ok := r.(*os.File); ok {
		path = f.Name()
	} else {
		tmp, err := os.CreateTemp("", "quotacert-import-*.xlsx")
		if err != nil {
			return nil, fmt.Errorf("spool xlsx: %w", err)
		}
		cleanup = func() { os.Remove(tmp.Name()) }
		if _, err := io.Copy(tmp, r); err != nil {
			tmp.Close()
			cleanup()
			return nil, fmt.Errorf("spool xlsx: %w", err)
		}
		if err := tmp.Close(); err != nil {
			cleanup()
			return nil, fmt.Errorf("spool xlsx: %w", err)
		}
		path = tmp.Name()
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	g, err := guardXLSX(path)
	if err != nil {
		return nil, err
	}
	file, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: XLSXInMemory})
	if err != nil {
		return nil, &SyntaxError{Row: 0, Reason: "无法读取 XLSX 文件（文件损坏或不是 Excel 工作簿）"}
	}
	sheets := file.GetSheetList()
	if len(sheets) == 0 {
		file.Close()
		return nil, &SyntaxError{Row: 0, Reason: "XLSX 文件中没有工作表"}
	}
	rows, err := file.Rows(sheets[0])
	if err != nil {
		file.Close()
		return nil, &SyntaxError{Row: 0, Reason: "无法读取 XLSX 文件的第一个工作表"}
	}
	return &xlsxReader{file: file, rows: rows, g: g, cleanup: cleanup}, nil
}

func (x *xlsxReader) Next() (int, []string, error) {
	for !x.done && x.rows.Next() {
		x.row++
		cols, err := x.rows.Columns()
		if err != nil {
			x.done = true
			return x.row, nil, &SyntaxError{Row: x.row, Reason: "无法读取该行的单元格，文件未导入"}
		}
		if m := x.Marks(); isBlank(cols) && len(m.Formulas)+len(m.Illegal) == 0 {
			continue
		}
		return x.row, cols, nil
	}
	if err := x.rows.Error(); err != nil {
		return 0, nil, &SyntaxError{Row: x.row + 1, Reason: "无法读取工作表（文件可能被截断）"}
	}
	// excelize's row reader ends silently where the sheet's XML breaks: rows the guard saw after
	// that point would be lost, and the rest of the file imported as if complete.
	if x.row < x.g.lastRow && len(x.g.illegal[x.row]) == 0 {
		x.row = x.g.lastRow // report once
		return 0, nil, &SyntaxError{Row: 0, Reason: "无法读取工作表的全部内容（文件损坏或被截断），文件未导入"}
	}
	return 0, nil, io.EOF
}

func (x *xlsxReader) Marks() Marks {
	return Marks{Formulas: x.g.formulas[x.row], Illegal: x.g.illegal[x.row]}
}

func (x *xlsxReader) Close() error {
	err := x.rows.Close()
	if cerr := x.file.Close(); err == nil {
		err = cerr
	}
	x.cleanup()
	return err
}

// errNotWorkbook is the file error of a file that is not a readable workbook.
var errNotWorkbook = &SyntaxError{Row: 0, Reason: "无法读取 XLSX 文件（文件损坏或不是 Excel 工作簿）"}

// guardReport is what guardXLSX noted about the first sheet.
type guardReport struct {
	formulas map[int][]int // row → columns of formula cells
	illegal  map[int][]int // row → columns of cells with characters XML cannot carry
	lastRow  int           // the number of the last row element
}

// guardXLSX checks the workbook at path against the limits and notes the marked cells of its
// first sheet.
func guardXLSX(name string) (*guardReport, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, errNotWorkbook
	}
	defer zr.Close()
	var total, inMemory uint64
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		size := f.UncompressedSize64
		total += size
		if total > MaxXLSXUnzipped {
			return nil, &SyntaxError{Row: 0, Reason: fmt.Sprintf("XLSX 文件解压后超过 %d MB，请拆分后导入或改用 CSV", MaxXLSXUnzipped>>20)}
		}
		n := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		parts[n] = f
		streamed := strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml"
		if size <= XLSXInMemory || !streamed {
			if size > XLSXInMemory {
				return nil, &SyntaxError{Row: 0, Reason: fmt.Sprintf("XLSX 文件中的 %s 部分过大（超过 %d MB），不像是 Excel 保存的工作簿", safeName(f.Name), XLSXInMemory>>20)}
			}
			if inMemory += size; inMemory > maxInMemoryParts {
				return nil, &SyntaxError{Row: 0, Reason: fmt.Sprintf("XLSX 文件中的部件合计超过 %d MB，不像是 Excel 保存的工作簿", maxInMemoryParts>>20)}
			}
		}
	}
	sheet := parts[firstSheet(parts)]
	if sheet == nil {
		return nil, &SyntaxError{Row: 0, Reason: "XLSX 文件中没有工作表"}
	}
	g := &guardReport{formulas: map[int][]int{}, illegal: map[int][]int{}}
	if err := scanPart(sheet, g); err != nil {
		return nil, err
	}
	if sst := parts["xl/sharedstrings.xml"]; sst != nil {
		if err := scanPart(sst, nil); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// firstSheet finds the part of the workbook's first sheet (as excelize's GetSheetList orders
// them) through xl/workbook.xml and its relationships.
func firstSheet(parts map[string]*zip.File) string {
	const fallback = "xl/worksheets/sheet1.xml"
	var wb struct {
		Sheets []struct {
			Attrs []xml.Attr `xml:",any,attr"` // r:id, whichever namespace (transitional or strict) names it
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if readXMLPart(parts["xl/workbook.xml"], &wb) != nil || len(wb.Sheets) == 0 ||
		readXMLPart(parts["xl/_rels/workbook.xml.rels"], &rels) != nil {
		return fallback
	}
	id := ""
	for _, a := range wb.Sheets[0].Attrs {
		if a.Name.Local == "id" && a.Name.Space != "" {
			id = a.Value
		}
	}
	for _, r := range rels.Rels {
		if r.ID != id {
			continue
		}
		t := strings.ToLower(strings.ReplaceAll(r.Target, "\\", "/"))
		if strings.HasPrefix(t, "/") {
			return strings.TrimPrefix(t, "/")
		}
		return path.Join("xl", t)
	}
	return fallback
}

// readXMLPart decodes a small part (held within the in-memory limit checked before).
func readXMLPart(f *zip.File, v any) error {
	if f == nil {
		return errors.New("missing part")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, XLSXInMemory)).Decode(v)
}

// scanPart reads an unzipped sheet or shared-string table byte by byte: every run of text and
// every tag at most maxXMLRun bytes; for a sheet (g not nil), at most MaxXLSXRows rows, and the
// formula cells and the cells with control characters noted by row and column.
func scanPart(f *zip.File, g *guardReport) error {
	rc, err := f.Open()
	if err != nil {
		return errNotWorkbook
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	sheet := g != nil
	var tag, ent []byte
	inTag, inEnt := false, false
	run, row, col, rows, nf := 0, 0, -1, 0, 0
	mark := func(m map[int][]int) {
		if cs := m[row]; len(cs) == 0 || cs[len(cs)-1] != col {
			m[row] = append(cs, col)
		}
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return errNotWorkbook // a cut or corrupt stream, or a part inflating beyond its size
		}
		switch {
		case c == '<':
			inTag, inEnt, run, tag = true, false, 0, tag[:0]
			continue
		case c == '>' && inTag:
			inTag, run = false, 0
			if !sheet {
				continue
			}
			switch name, attrs := tagName(tag); name {
			case "row":
				rows++
				if rows > MaxXLSXRows {
					return &SyntaxError{Row: 0, Reason: fmt.Sprintf("工作表超过 %d 行（Excel 的上限），请拆分后导入或改用 CSV", MaxXLSXRows)}
				}
				if n, err := strconv.Atoi(attr(attrs, "r")); err == nil && n > 0 {
					row = n
				} else {
					row++
				}
				if row > MaxXLSXRows {
					return &SyntaxError{Row: 0, Reason: fmt.Sprintf("工作表超过 %d 行（Excel 的上限），请拆分后导入或改用 CSV", MaxXLSXRows)}
				}
				g.lastRow, col = row, -1
			case "c":
				if i, ok := columnOf(attr(attrs, "r")); ok {
					col = i
				} else {
					col++
				}
			case "f":
				if nf++; nf > maxFormulaCells {
					return &SyntaxError{Row: 0, Reason: fmt.Sprintf("工作表中的公式单元格超过 %d 个：请复制后“选择性粘贴为数值”再导入", maxFormulaCells)}
				}
				mark(g.formulas)
			}
			continue
		case sheet && !inTag && c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			mark(g.illegal)
		case sheet && !inTag && c == '&':
			inEnt, ent = true, ent[:0]
		case inEnt && c == ';':
			if controlReference(ent) {
				mark(g.illegal)
			}
			inEnt = false
		case inEnt:
			if ent = append(ent, c); len(ent) > 10 {
				inEnt = false
			}
		}
		if run++; run > maxXMLRun {
			if inTag || !sheet {
				return &SyntaxError{Row: 0, Reason: fmt.Sprintf("文件中有单元格内容超过 %d 个字符", MaxCellRunes)}
			}
			return &SyntaxError{Row: row, Reason: fmt.Sprintf("第 %s 列的单元格内容超过 %d 个字符", ColumnName(col), MaxCellRunes)}
		}
		if inTag {
			tag = append(tag, c)
		}
	}
}

// controlReference reports whether an entity's body ("#0", "#x1F") references a control character
// other than tab, newline and carriage return: not allowed in XML 1.0.
func controlReference(ent []byte) bool {
	if len(ent) < 2 || ent[0] != '#' {
		return false
	}
	base, digits := 10, ent[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	return err == nil && n < 0x20 && n != '\t' && n != '\n' && n != '\r'
}

// tagName splits a start tag's bytes (after "<") into its local name and its attributes; end
// tags, declarations and comments have no name.
func tagName(tag []byte) (string, []byte) {
	if len(tag) == 0 || tag[0] == '/' || tag[0] == '?' || tag[0] == '!' {
		return "", nil
	}
	end := bytes.IndexAny(tag, " \t\r\n/")
	if end < 0 {
		end = len(tag)
	}
	name := tag[:end]
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name), tag[end:]
}

// attr returns the value of attribute name (without a prefix) in a tag's attributes.
func attr(attrs []byte, name string) string {
	for len(attrs) > 0 {
		i := bytes.IndexByte(attrs, '=')
		if i < 0 {
			return ""
		}
		key := bytes.TrimSpace(attrs[:i])
		rest := bytes.TrimLeft(attrs[i+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return ""
		}
		j := bytes.IndexByte(rest[1:], rest[0])
		if j < 0 {
			return ""
		}
		if string(key) == name {
			return string(rest[1 : 1+j])
		}
		attrs = rest[2+j:]
	}
	return ""
}

// columnOf is the column (from 0) of a cell reference such as "AB12".
func columnOf(ref string) (int, bool) {
	col, n := 0, 0
	for n < len(ref) && ref[n] >= 'A' && ref[n] <= 'Z' {
		col = col*26 + int(ref[n]-'A'+1)
		n++
	}
	if n == 0 || n > 3 {
		return 0, false
	}
	return col - 1, true
}

// ColumnName is the letters of a column (from 0) as a spreadsheet shows them: 0 = A, 26 = AA.
func ColumnName(col int) string {
	if col < 0 {
		return "?"
	}
	s := ""
	for col++; col > 0; col = (col - 1) / 26 {
		s = string(rune('A'+(col-1)%26)) + s
	}
	return s
}

// safeName keeps a part name printable for a message.
func safeName(s string) string {
	if r := []rune(strings.ToValidUTF8(s, "?")); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
