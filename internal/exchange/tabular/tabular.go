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
	"path/filepath"
	"strings"
	"unicode/utf8"

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
// *SyntaxError for an unreadable row (call Next again to continue; a file-level one, Row 0 or a
// limit, ends the file), io.EOF at the end, or another error when reading itself fails.
type Reader interface {
	Next() (row int, fields []string, err error)
	// Marks tells what was noted about the cells of the row Next returned (XLSX).
	Marks() Marks
	Close() error
}

// Marks are cells of a row that an import must refuse, by column (from 0): formulas (their values
// are computed by the spreadsheet, not data), and characters XML cannot carry (NUL and the other
// controls: the sheet cannot be read past them, so the row is the last one read).
type Marks struct {
	Formulas, Illegal []int
}

// The limits of a file. A file over one is refused with a clear row or file error, before it can
// cost more than the limit: a hostile file (a 1 MB workbook that unzips to a gigabyte-long cell, a
// zip bomb, a CSV line without end) costs the same bounded memory as a good one.
const (
	// MaxCellRunes bounds one cell. The longest field of the exchange formats, a name, has 50.
	MaxCellRunes = 1000
	// MaxRecordBytes bounds one CSV row (a record, quoted newlines included).
	MaxRecordBytes = 64 << 10
	// MaxXLSXRows is Excel's own maximum: a sheet with more rows is not a workbook Excel wrote.
	MaxXLSXRows = 1 << 20
	// MaxXLSXUnzipped bounds the parts of a workbook, uncompressed (excelize's UnzipSizeLimit).
	MaxXLSXUnzipped = 1 << 30
	// XLSXInMemory is excelize's UnzipXMLSizeLimit: a sheet or shared-string table larger than
	// this is unzipped to a temporary file and read from there as a stream.
	XLSXInMemory = 4 << 20
	// maxInMemoryParts bounds the parts of a workbook excelize holds in memory together (styles,
	// the workbook, small sheets): each at most XLSXInMemory.
	maxInMemoryParts = 32 << 20
	// maxXMLRun bounds a run of XML text (one cell's value, escaped) or one tag in a sheet or the
	// shared strings: checked on the unzipped bytes before excelize reads them, since excelize's
	// row reader holds a cell's whole text in memory.
	maxXMLRun = 32 << 10
	// maxFormulaCells bounds the formula cells remembered for the first sheet.
	maxFormulaCells = 100_000
)

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
	cr    *csv.Reader
	guard *recordGuard
	row   int
	gbk   bool
	done  bool
}

func openCSV(r io.Reader) (*csvReader, error) {
	br := bufio.NewReaderSize(r, peekSize)
	head, err := br.Peek(peekSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read file: %w", err)
	}
	gbk := false
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case !validUTF8Prefix(head):
		gbk = true
	}
	guard := &recordGuard{r: br, gbk: gbk, line: 1, start: 1, mixed: map[int]bool{}}
	var src io.Reader = guard
	if gbk {
		// Excel in China saves CSV as GBK. GB18030 is its superset, so it decodes GBK exactly.
		src = transform.NewReader(guard, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1 // rows are checked against the header by the caller
	cr.ReuseRecord = true
	return &csvReader{cr: cr, guard: guard, gbk: gbk}, nil
}

// reasonMixed is the error of a row in another encoding than the file's.
const reasonMixed = "该行的字符编码与文件其余部分不同（文件中混有 UTF-8 和 GBK 编码），请将整个文件另存为 UTF-8 或 GBK 后重新导入"

// recordGuard sits under the CSV reader, on the file's raw bytes. It ends the file with an error
// when one record (a row, quoted newlines included) exceeds MaxRecordBytes, before the CSV reader
// would hold more of it, and it marks the records whose bytes are in the other encoding than the
// file's: valid UTF-8 with Chinese characters in a GBK file, or invalid UTF-8 in a UTF-8 file.
// Decoded as the file's encoding they would come out as garbled text that passes for a name; as
// an encoding error the clerk knows what to fix. Quotes and newlines are the same bytes in GBK, so
// the record boundaries are found on the raw bytes.
type recordGuard struct {
	r       io.Reader
	gbk     bool
	line    int  // the raw line being read (from 1)
	start   int  // the line the current record began on
	quoted  bool // inside a quoted field
	n       int  // bytes of the current record
	buf     []byte
	mixed   map[int]bool // first lines of records in the other encoding, until the reader takes them
	tooLong bool
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.tooLong {
		return 0, g.limitError()
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		g.n++
		if g.n > MaxRecordBytes {
			g.tooLong = true
			return i, g.limitError()
		}
		g.buf = append(g.buf, c)
		switch c {
		case '"':
			g.quoted = !g.quoted
		case '\n':
			g.line++
			if !g.quoted {
				g.endRecord()
			}
		}
	}
	if err == io.EOF {
		g.endRecord()
	}
	return n, err
}

func (g *recordGuard) limitError() error {
	return &SyntaxError{Row: g.start, Reason: fmt.Sprintf("该行超过 %d KB（可能缺少换行或引号不配对），文件未导入", MaxRecordBytes>>10)}
}

func (g *recordGuard) endRecord() {
	if len(g.buf) > 0 && (g.gbk && utf8.Valid(g.buf) && hasCJK(g.buf) || !g.gbk && !utf8.Valid(g.buf)) {
		g.mixed[g.start] = true
	}
	g.buf, g.n, g.start = g.buf[:0], 0, g.line
}

// hasCJK reports whether UTF-8 text b holds a Chinese character: GBK text is almost never valid
// UTF-8 with one (it would need a lead byte E0–EF followed by two bytes 80–BF).
func hasCJK(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= 0x2e80 && r <= 0x9fff || r >= 0xf900 && r <= 0xfaff {
			return true
		}
		b = b[n:]
	}
	return false
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
		var se *SyntaxError
		if errors.As(err, &se) { // a limit of the guard: the file ends here
			c.done = true
			return se.Row, nil, se
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return c.row, nil, &SyntaxError{Row: c.row, Reason: "CSV格式错误（引号不配对或字段中有多余的引号）"}
		}
		if err != nil {
			return 0, nil, fmt.Errorf("read csv row %d: %w", c.row, err)
		}
		line, _ := c.cr.FieldPos(0)
		mixed := c.guard.mixed[line]
		delete(c.guard.mixed, line)
		if isBlank(rec) {
			continue // a trailing empty line is not a row
		}
		if mixed {
			return c.row, nil, &SyntaxError{Row: c.row, Reason: reasonMixed}
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return c.row, nil, &SyntaxError{Row: c.row, Reason: "文件编码无法识别（请保存为 UTF-8 或 GBK 编码的 CSV）"}
			}
		}
		return c.row, rec, nil
	}
}

func (c *csvReader) Marks() Marks { return Marks{} }

func (c *csvReader) Close() error { return nil }

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
