// Package tabular reads the rows of a data-exchange file one at a time, whatever its format: CSV in
// UTF-8 (with or without a byte-order mark) or GBK, or the first sheet of an XLSX workbook. It never
// holds the whole file in memory, so a million-row file costs what one row costs.
//
// It is a parsing adapter below the exchange domain package: it knows nothing of kinds or fields,
// only of rows of strings and where each row sits in the file (row numbers as a spreadsheet shows
// them, header = row 1), so that error messages point at the line a clerk can find.
package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Format is the file format, chosen by the file name's extension (CONTRACT.md).
type Format string

// The formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ErrFormat is returned for an extension that is neither .csv nor .xlsx. The message is for users.
var ErrFormat = errors.New("文件格式不支持：请上传 .csv 或 .xlsx 文件")

// FormatOf picks the format from a file name.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	}
	return "", ErrFormat
}

// SyntaxError is a row that cannot be read at all (a broken CSV quote, bad encoding); the reader
// reports it and carries on with the next row, so that one bad line does not hide the others.
type SyntaxError struct {
	Row    int
	Reason string // Chinese, for users
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Reason) }

// Reader yields rows. Next returns the row's number and its fields (valid until the next call), a
// *SyntaxError for an unreadable row (call Next again to continue), io.EOF at the end, or another
// error when reading itself fails.
type Reader interface {
	Next() (row int, fields []string, err error)
	Close() error
}

// peekSize is how much of a CSV file is examined to tell UTF-8 from GBK. A file whose first 64 KiB
// are pure ASCII is read as UTF-8; a GBK row further on is then reported as an encoding error on
// its row rather than silently garbled.
const peekSize = 64 << 10

// Open returns a row reader for r in the given format. For XLSX, r is spooled to a temporary file
// unless it already is an *os.File, because a zip archive needs random access; the workbook is then
// read as a stream (excelize's row iterator), never loaded whole.
func Open(format Format, r io.Reader) (Reader, error) {
	switch format {
	case CSV:
		return openCSV(r)
	case XLSX:
		return openXLSX(r)
	}
	return nil, ErrFormat
}

type csvReader struct {
	cr   *csv.Reader
	row  int
	gbk  bool
	done bool
}

func openCSV(r io.Reader) (*csvReader, error) {
	br := bufio.NewReaderSize(r, peekSize)
	head, err := br.Peek(peekSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read file: %w", err)
	}
	var src io.Reader = br
	gbk := false
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case !validUTF8Prefix(head):
		// Excel in China saves CSV as GBK. GB18030 is its superset, so it decodes GBK exactly.
		src = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		gbk = true
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1 // rows are checked against the header by the caller
	cr.ReuseRecord = true
	return &csvReader{cr: cr, gbk: gbk}, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut off at the end of the peek.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		if len(b) < peekSize {
			return false // the whole file is here: no rune was cut off
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func (c *csvReader) Next() (int, []string, error) {
	if c.done {
		return 0, nil, io.EOF
	}
	for {
		rec, err := c.cr.Read()
		if errors.Is(err, io.EOF) {
			c.done = true
			return 0, nil, io.EOF
		}
		c.row++
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return c.row, nil, &SyntaxError{Row: c.row, Reason: "CSV格式错误（引号不配对或字段中有多余的引号）"}
		}
		if err != nil {
			return 0, nil, fmt.Errorf("read csv row %d: %w", c.row, err)
		}
		if isBlank(rec) {
			continue // a trailing empty line is not a row
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return c.row, nil, &SyntaxError{Row: c.row, Reason: "文件编码无法识别（请保存为 UTF-8 或 GBK 编码的 CSV）"}
			}
		}
		return c.row, rec, nil
	}
}

func (c *csvReader) Close() error { return nil }

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

type xlsxReader struct {
	file    *excelize.File
	rows    *excelize.Rows
	row     int
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
	file, err := excelize.OpenFile(path)
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
	return &xlsxReader{file: file, rows: rows, cleanup: cleanup}, nil
}

func (x *xlsxReader) Next() (int, []string, error) {
	for x.rows.Next() {
		x.row++
		cols, err := x.rows.Columns()
		if err != nil {
			return x.row, nil, &SyntaxError{Row: x.row, Reason: "无法读取该行的单元格"}
		}
		if isBlank(cols) {
			continue
		}
		return x.row, cols, nil
	}
	if err := x.rows.Error(); err != nil {
		return 0, nil, &SyntaxError{Row: x.row + 1, Reason: "无法读取工作表（文件可能被截断）"}
	}
	return 0, nil, io.EOF
}

func (x *xlsxReader) Close() error {
	err := x.rows.Close()
	if cerr := x.file.Close(); err == nil {
		err = cerr
	}
	x.cleanup()
	return err
}
