package exchange

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"quotacert/internal/exchange/tabular"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Header maps a kind's columns to their positions in a file. Extra columns are ignored and the
// order is free, as CONTRACT.md allows, because exports of different systems order them differently.
type Header struct {
	kind Kind
	pos  []int // pos[i] is the file column of kind.Columns()[i]
}

// ParseHeader reads the header row. Every missing or repeated column is reported (row 1); an
// optional column (Kind.OptionalColumns) may be absent, and reads as empty then.
// Names are matched without regard to case or surrounding spaces.
func ParseHeader(kind Kind, fields []string) (Header, []RowError) {
	required := kind.Columns()
	cols := append(required[:len(required):len(required)], kind.OptionalColumns()...)
	h := Header{kind: kind, pos: make([]int, len(cols))}
	var errs []RowError
	for i, want := range cols {
		h.pos[i] = -1
		for j, got := range fields {
			if !strings.EqualFold(normaliseHeader(got), want) {
				continue
			}
			if h.pos[i] >= 0 {
				errs = append(errs, RowError{Row: 1, Field: want, Reason: "表头中该列重复出现"})
				break
			}
			h.pos[i] = j
		}
		if h.pos[i] < 0 && i < len(required) {
			errs = append(errs, RowError{Row: 1, Field: want, Reason: "表头缺少该列"})
		}
	}
	return h, errs
}

// Row is one validated, normalised data row. Which fields are set depends on the kind.
type Row struct {
	Line       int
	IDNumber   string // normalised resident ID (certificates, wages, social, medical)
	Name       string
	Gender     string
	CertNumber string                // normalised
	Kind       rules.CertificateKind // certificates: disability or veteran
	Category   int                   // 残疾人证
	Level      int                   // 残疾人证
	Grade      int                   // 残疾军人证
	Issued     string
	ValidUntil string
	Status     string
	CreditCode string // normalised
	Month      string // YYYY-MM (payments)
	AmountFen  int64  // wages, minwage
	Region     string // minwage
	From       string // minwage, YYYY-MM
}

// Key is the row's natural key (CONTRACT.md), used to find duplicates inside a file.
func (r Row) Key(kind Kind) string {
	switch kind {
	case Certificates:
		if r.Kind.Veteran() { // free text: the same number may be another person's
			return "veteran|" + r.IDNumber + "|" + r.CertNumber
		}
		return r.CertNumber
	case MinWage:
		return r.Region + "|" + r.From
	}
	return r.IDNumber + "|" + r.CreditCode + "|" + r.Month
}

// Maximum lengths of free-text fields, so that a wrong column (a whole address in "name") is
// caught instead of stored.
const maxNameRunes = 50

// ParseRow validates one data row against the header and returns every bad field. today bounds
// birth dates (an ID number's birth date may not lie in the future). Values never appear in the
// errors: they may be ID numbers.
func ParseRow(h Header, line int, fields []string, today idnum.Date) (Row, []RowError) {
	p := rowParser{h: h, line: line, fields: fields, row: Row{Line: line}}
	switch h.kind {
	case Certificates:
		p.certificate(today)
	case Wages, Social, Medical:
		p.payment(today)
	case MinWage:
		p.minWage()
	}
	return p.row, p.errs
}

type rowParser struct {
	h      Header
	line   int
	fields []string
	row    Row
	errs   []RowError
}

// get returns the trimmed value of column i and whether the row has that column at all. An
// optional column the header lacks is empty. A value with a NUL or another control character (which
// PostgreSQL refuses in text, and no field of the formats has) or over the cell limit is refused
// here, whatever the column.
func (p *rowParser) get(i int) (string, bool) {
	j := p.h.pos[i]
	if j < 0 {
		return "", true
	}
	if j >= len(p.fields) {
		if i >= len(p.h.kind.Columns()) {
			return "", true // an optional column past the end of a short row is empty
		}
		p.fail(i, "缺少该字段（该行列数不足，可能被截断）")
		return "", false
	}
	v := strings.TrimSpace(p.fields[j])
	if !cleanCell(v) {
		p.fail(i, "含有非法字符")
		return "", false
	}
	if utf8.RuneCountInString(v) > tabular.MaxCellRunes {
		p.fail(i, fmt.Sprintf("内容过长（最多 %d 个字符）", tabular.MaxCellRunes))
		return "", false
	}
	return v, true
}

// cleanCell reports whether v is valid UTF-8 without control characters (C0, DEL, C1).
func cleanCell(v string) bool {
	for _, r := range v {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// FieldAt names the kind's column read from file column col; ok is false for a column the kind
// does not read.
func (h Header) FieldAt(col int) (string, bool) {
	for i, j := range h.pos {
		if j == col {
			return h.kind.Columns()[i], true
		}
	}
	return "", false
}

// formulaLead are the first characters with which a spreadsheet takes text for a formula.
const formulaLead = "=+-@"

func (p *rowParser) fail(i int, reason string) {
	p.errs = append(p.errs, RowError{Row: p.line, Field: p.h.column(i), Reason: reason})
}

// column is the name of the header's column i: a kind's columns, then its optional ones.
func (h Header) column(i int) string {
	cols := h.kind.Columns()
	if i < len(cols) {
		return cols[i]
	}
	return h.kind.OptionalColumns()[i-len(cols)]
}

// required returns a non-empty value or reports it missing.
func (p *rowParser) required(i int) (string, bool) {
	v, ok := p.get(i)
	if !ok {
		return "", false
	}
	if v == "" {
		p.fail(i, "不能为空")
		return "", false
	}
	return v, true
}

func (p *rowParser) idNumber(i int, today idnum.Date) (idnum.ResidentID, bool) {
	v, ok := p.required(i)
	if !ok {
		return idnum.ResidentID{}, false
	}
	id, err := idnum.ParseResidentID(v, today)
	if err != nil {
		p.fail(i, err.Error())
		return idnum.ResidentID{}, false
	}
	p.row.IDNumber = id.Number
	return id, true
}

func (p *rowParser) intIn(i, lo, hi int) (int, bool) {
	v, ok := p.required(i)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(i, "应为 "+strconv.Itoa(lo)+" 到 "+strconv.Itoa(hi)+" 的整数")
		return 0, false
	}
	return n, true
}

func (p *rowParser) date(i int, optional bool) (rules.Date, bool) {
	v, ok := p.get(i)
	if !ok {
		return rules.Date{}, false
	}
	if v == "" {
		if optional {
			return rules.Date{}, true
		}
		p.fail(i, "不能为空")
		return rules.Date{}, false
	}
	d, err := rules.ParseDate(v)
	if err != nil {
		p.fail(i, err.Error())
		return rules.Date{}, false
	}
	return d, true
}

func (p *rowParser) month(i int) (string, bool) {
	v, ok := p.required(i)
	if !ok {
		return "", false
	}
	m, err := rules.ParseMonth(v)
	if err != nil {
		p.fail(i, err.Error())
		return "", false
	}
	return m.String(), true
}

func (p *rowParser) amount(i int, positive bool) (int64, bool) {
	v, ok := p.required(i)
	if !ok {
		return 0, false
	}
	f, err := rules.ParseYuan(v)
	if err != nil {
		p.fail(i, err.Error())
		return 0, false
	}
	if f < 0 || (positive && f == 0) {
		if positive {
			p.fail(i, "金额应大于 0")
		} else {
			p.fail(i, "金额不能为负数")
		}
		return 0, false
	}
	return int64(f), true
}

// The optional columns of a certificates file, after its nine columns.
const (
	colKind  = 9
	colGrade = 10
)

// certificate columns: idNumber,name,gender,certificateNumber,category,level,issued,validUntil,status
// and optionally kind, grade. A 残疾人证 (kind empty or disability) has a number that begins with the
// holder's ID number and carries the category and level; a 残疾军人证 (kind veteran) has a free-text
// number, no category, and its grade 1–10 in level or grade (CONTRACT.md).
func (p *rowParser) certificate(today idnum.Date) {
	id, idOK := p.idNumber(0, today)
	if name, ok := p.required(1); ok {
		switch {
		case utf8.RuneCountInString(name) > maxNameRunes:
			p.fail(1, "姓名过长（最多 50 个字）")
		case strings.ContainsRune(formulaLead, rune(name[0])):
			// Stored, it would run as a formula in the spreadsheet of whoever exports it.
			p.fail(1, "不能以 =、+、-、@ 开头（表格软件会把它当作公式）")
		}
		p.row.Name = name
	}
	if g, ok := p.required(2); ok {
		switch {
		case g != "男" && g != "女":
			p.fail(2, "应为“男”或“女”")
		case idOK && (g == "女") != id.Female:
			p.fail(2, "与身份证号中的性别不一致")
		default:
			p.row.Gender = g
		}
	}
	kind := rules.DisabilityCertificate
	if v, ok := p.get(colKind); ok {
		k, valid := rules.ParseCertificateKind(v)
		if !valid {
			p.fail(colKind, "应为空、disability（残疾人证）或 veteran（残疾军人证）")
			return // the other columns cannot be read without knowing the kind
		}
		kind = k
	}
	p.row.Kind = kind
	if kind.Veteran() {
		p.veteran()
	} else {
		p.disability(id, idOK)
	}
	issued, issuedOK := p.date(6, false)
	until, untilOK := p.date(7, true)
	if issuedOK {
		p.row.Issued = issued.String()
	}
	if untilOK && !until.IsZero() {
		if issuedOK && until.Before(issued) {
			p.fail(7, "有效期至早于发证日期")
		}
		p.row.ValidUntil = until.String()
	}
	if s, ok := p.required(8); ok {
		if s != rules.CertificateValid && s != rules.CertificateCancelled {
			p.fail(8, "应为“有效”或“注销”")
		}
		p.row.Status = s
	}
}

// disability reads the number, category and level of a 残疾人证; no grade.
func (p *rowParser) disability(id idnum.ResidentID, idOK bool) {
	var cert idnum.Certificate
	certOK := false
	if v, ok := p.required(3); ok {
		c, err := idnum.ParseCertificateNumber(v)
		switch {
		case err != nil:
			p.fail(3, err.Error())
		case idOK && c.CheckOwner(id.Number) != nil:
			p.fail(3, c.CheckOwner(id.Number).Error())
		default:
			cert, certOK = c, true
			p.row.CertNumber = c.Number
		}
	}
	if n, ok := p.intIn(4, 1, 7); ok {
		if certOK && n != int(cert.Category) {
			p.fail(4, "与残疾证号中的类别不一致")
		}
		p.row.Category = n
	}
	if n, ok := p.intIn(5, 1, rules.MaxDisabilityLevel); ok {
		if certOK && n != cert.Level {
			p.fail(5, "与残疾证号中的等级不一致")
		}
		p.row.Level = n
	}
	if v, ok := p.get(colGrade); ok && v != "" {
		p.fail(colGrade, "残疾人证没有伤残等级，请留空（残疾等级填在 level 列）")
	}
}

// veteran reads a 残疾军人证: its own number, no category, the grade 1–10 in level or grade (both
// may be given when they agree).
func (p *rowParser) veteran() {
	if v, ok := p.required(3); ok {
		n, err := idnum.ParseVeteranNumber(v)
		if err != nil {
			p.fail(3, err.Error())
		}
		p.row.CertNumber = n
	}
	if v, ok := p.get(4); ok && v != "" {
		p.fail(4, "残疾军人证没有残疾类别，请留空")
	}
	grade := 0
	for _, i := range []int{5, colGrade} {
		v, ok := p.get(i)
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || n > rules.MaxVeteranGrade:
			p.fail(i, "伤残等级应为 1 到 10 的整数")
			return
		case grade != 0 && n != grade:
			p.fail(i, "与 level 列的伤残等级不一致")
			return
		}
		grade = n
	}
	if grade == 0 {
		p.fail(colGrade, "残疾军人证须填写伤残等级（level 或 grade 列，1 到 10）")
		return
	}
	p.row.Grade = grade
}

// payment columns: idNumber,creditCode,month[,amount]
func (p *rowParser) payment(today idnum.Date) {
	p.idNumber(0, today)
	if v, ok := p.required(1); ok {
		code, err := idnum.ParseCreditCode(v)
		if err != nil {
			p.fail(1, err.Error())
		}
		p.row.CreditCode = code
	}
	if m, ok := p.month(2); ok {
		p.row.Month = m
	}
	if p.h.kind == Wages {
		if f, ok := p.amount(3, false); ok {
			p.row.AmountFen = f
		}
	}
}

// minWage columns: region,from,amount
func (p *rowParser) minWage() {
	if v, ok := p.required(0); ok {
		if !idnum.AllDigits(v) || (len(v) != 2 && len(v) != 4 && len(v) != 6) {
			p.fail(0, "应为 2、4 或 6 位行政区划代码前缀")
		}
		p.row.Region = v
	}
	if m, ok := p.month(1); ok {
		p.row.From = m
	}
	if f, ok := p.amount(2, true); ok {
		p.row.AmountFen = f
	}
}
