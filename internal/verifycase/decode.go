package verifycase

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// Years accepted as business years. The levy rules in force date from 2015
// (财税〔2015〕72号); anything outside this window is a typing error.
const (
	MinYear = 2000
	MaxYear = 2099
)

// Reasons shared by several fields.
const (
	reasonMissing   = "缺少此字段"
	reasonString    = "应为字符串"
	reasonInteger   = "应为整数"
	reasonNumber    = "应为数字"
	reasonBool      = "应为 true 或 false"
	reasonArray     = "应为数组"
	reasonObject    = "应为对象"
	reasonNegative  = "金额不能为负数"
	reasonDecimals  = "金额最多两位小数"
	reasonAmountMax = "金额超出范围"
)

// object is a decoded JSON object whose values are still raw. Keys match
// exactly (encoding/json's struct decoding would match case-insensitively);
// unknown keys are ignored, as CONTRACT.md allows adding fields.
type object map[string]json.RawMessage

// decoder carries "today" and the person's ID (certificates must match it).
type decoder struct {
	today rules.Date
	id    string
}

// Decode reads one verification case and validates every field. Absent and
// null mean the same for optional fields. It returns a *FieldError for the
// first invalid field, in document order of the contract's fields.
func Decode(r io.Reader, today rules.Date) (rules.Case, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCaseBytes+1))
	if err != nil {
		return rules.Case{}, &FieldError{Reason: "读取输入失败：" + err.Error()}
	}
	if len(data) > MaxCaseBytes {
		return rules.Case{}, &FieldError{Reason: "输入超过 4 MiB"}
	}
	// A UTF-8 byte-order mark, as some Windows editors write, is not part
	// of the JSON.
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !json.Valid(data) {
		return rules.Case{}, &FieldError{Reason: syntaxReason(data)}
	}
	d := decoder{today: today}
	root, ferr := asObject(bytes.TrimSpace(data), "")
	if ferr != nil {
		return rules.Case{}, ferr
	}
	c, ferr := d.decodeCase(root)
	if ferr != nil {
		return rules.Case{}, ferr
	}
	return c, nil
}

// syntaxReason describes why data is not JSON, with the byte offset.
func syntaxReason(data []byte) string {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "不是有效的 JSON（第 " + strconv.FormatInt(se.Offset, 10) + " 字节附近）"
	}
	return "不是有效的 JSON"
}

func (d *decoder) decodeCase(root object) (rules.Case, *FieldError) {
	var c rules.Case
	var err *FieldError

	year, err := intField(root, "year", "", true)
	if err != nil {
		return c, err
	}
	if year < MinYear || year > MaxYear {
		return c, &FieldError{"year", "年度应在 " + strconv.Itoa(MinYear) + " 至 " + strconv.Itoa(MaxYear) + " 之间"}
	}
	c.Year = year

	region, _, err := stringField(root, "region", "", true)
	if err != nil {
		return c, err
	}
	if !idnum.AllDigits(region) || len(region) != 6 {
		return c, &FieldError{"region", "行政区划代码应为6位数字"}
	}
	c.Region = region

	if err := eachObject(root, "minimumWages", func(o object, path string) *FieldError {
		mw, err := d.minimumWage(o, path)
		c.MinimumWages = append(c.MinimumWages, mw)
		return err
	}); err != nil {
		return c, err
	}

	if err := d.person(root, &c.Person); err != nil {
		return c, err
	}

	if c.Dispatched, err = boolField(root, "dispatched", ""); err != nil {
		return c, err
	}

	if err := eachObject(root, "certificates", func(o object, path string) *FieldError {
		ct, err := d.certificate(o, path)
		c.Certificates = append(c.Certificates, ct)
		return err
	}); err != nil {
		return c, err
	}
	if err := eachObject(root, "contracts", func(o object, path string) *FieldError {
		ct, err := d.contract(o, path)
		c.Contracts = append(c.Contracts, ct)
		return err
	}); err != nil {
		return c, err
	}
	if err := eachObject(root, "wages", func(o object, path string) *FieldError {
		w, err := d.wage(o, path)
		c.Wages = append(c.Wages, w)
		return err
	}); err != nil {
		return c, err
	}
	if c.SocialInsurance, err = monthList(root, "socialInsurance"); err != nil {
		return c, err
	}
	if c.MedicalInsurance, err = monthList(root, "medicalInsurance"); err != nil {
		return c, err
	}
	return c, nil
}

func (d *decoder) minimumWage(o object, path string) (rules.MinimumWage, *FieldError) {
	var mw rules.MinimumWage
	region, _, err := stringField(o, "region", path, true)
	if err != nil {
		return mw, err
	}
	if !idnum.AllDigits(region) || (len(region) != 2 && len(region) != 4 && len(region) != 6) {
		return mw, &FieldError{join(path, "region"), "地区代码应为2、4或6位数字"}
	}
	mw.Region = region
	if mw.From, err = monthField(o, "from", path); err != nil {
		return mw, err
	}
	mw.Amount, err = amountField(o, "amount", path)
	return mw, err
}

// person decodes person: birth date and sex come from the ID number, which
// must be valid and born no later than today.
func (d *decoder) person(root object, p *rules.Person) *FieldError {
	raw, ok := present(root, "person")
	if !ok {
		return &FieldError{"person", reasonMissing}
	}
	o, err := asObject(raw, "person")
	if err != nil {
		return err
	}
	s, _, err := stringField(o, "idNumber", "person", true)
	if err != nil {
		return err
	}
	id, perr := idnum.ParseResidentID(s, idnum.Date(d.today))
	if perr != nil {
		return &FieldError{"person.idNumber", perr.Error()}
	}
	d.id = id.Number
	p.IDNumber = id.Number
	p.BirthDate = rules.Date(id.Birth)
	p.Female = id.Female
	// DOMAIN.md §3 Decision: 50 or 55, default 50. Validated for men too
	// (a wrong value is a wrong value) though it only matters for women.
	p.FemaleRetirementAge = 50
	if _, ok := present(o, "femaleRetirementAge"); ok {
		age, err := intField(o, "femaleRetirementAge", "person", false)
		if err != nil {
			return err
		}
		if age != 50 && age != 55 {
			return &FieldError{"person.femaleRetirementAge", "应为 50 或 55"}
		}
		p.FemaleRetirementAge = age
	}
	return nil
}

func (d *decoder) certificate(o object, path string) (rules.Certificate, *FieldError) {
	var ct rules.Certificate
	kind, _, err := stringField(o, "kind", path, false)
	if err != nil {
		return ct, err
	}
	k, ok := rules.ParseCertificateKind(kind)
	if !ok {
		return ct, &FieldError{join(path, "kind"), "应为 disability（残疾人证）或 veteran（残疾军人证）"}
	}
	if k.Veteran() {
		ct.Kind = k
		if err := d.veteran(o, path, &ct); err != nil {
			return ct, err
		}
	} else if err := d.disability(o, path, &ct); err != nil {
		return ct, err
	}
	if ct.Issued, err = dateField(o, "issued", path, true); err != nil {
		return ct, err
	}
	if ct.ValidUntil, err = dateField(o, "validUntil", path, false); err != nil {
		return ct, err
	}
	if !ct.ValidUntil.IsZero() && ct.ValidUntil.Before(ct.Issued) {
		return ct, &FieldError{join(path, "validUntil"), "有效期截止日期早于发证日期"}
	}
	status, _, err := stringField(o, "status", path, true)
	if err != nil {
		return ct, err
	}
	switch status {
	case rules.CertificateValid:
		ct.Active = true
	case rules.CertificateCancelled:
	default:
		return ct, &FieldError{join(path, "status"), "应为“有效”或“注销”"}
	}
	source, hasSource, err := stringField(o, "source", path, false)
	if err != nil {
		return ct, err
	}
	switch {
	case !hasSource, source == "registry":
	case source == "manual":
		ct.Manual = true
	default:
		return ct, &FieldError{join(path, "source"), "应为 registry 或 manual"}
	}
	// approved matters for manual certificates only; registry ones count
	// as they are.
	if ct.Approved, err = boolField(o, "approved", path); err != nil {
		return ct, err
	}
	return ct, nil
}

// disability decodes the number and level of a 残疾人证: the number's first 18 characters are the
// person's ID number, and an explicit level wins over the number's (CONTRACT.md: the number is the
// fallback "when absent").
func (d *decoder) disability(o object, path string, ct *rules.Certificate) *FieldError {
	number, hasNumber, err := stringField(o, "number", path, false)
	if err != nil {
		return err
	}
	if hasNumber && number != "" {
		cn, perr := idnum.ParseCertificateNumber(number)
		if perr == nil {
			perr = cn.CheckOwner(d.id)
		}
		if perr != nil {
			return &FieldError{join(path, "number"), perr.Error()}
		}
		ct.Number = cn.Number
		ct.Level = cn.Level
	}
	if _, ok := present(o, "level"); ok {
		level, err := intField(o, "level", path, false)
		if err != nil {
			return err
		}
		if level < 1 || level > rules.MaxDisabilityLevel {
			return &FieldError{join(path, "level"), "残疾等级应为 1 至 4"}
		}
		ct.Level = level
	}
	return nil
}

// veteran decodes a 残疾军人证 (CONTRACT.md): its level is the grade 1–10 and required, its number
// free text that is not compared with the ID number.
func (d *decoder) veteran(o object, path string, ct *rules.Certificate) *FieldError {
	number, hasNumber, err := stringField(o, "number", path, false)
	if err != nil {
		return err
	}
	if hasNumber && number != "" {
		n, perr := idnum.ParseVeteranNumber(number)
		if perr != nil {
			return &FieldError{join(path, "number"), perr.Error()}
		}
		ct.Number = n
	}
	grade, err := intField(o, "level", path, true)
	if err != nil {
		if err.Reason == reasonMissing {
			err.Reason = "残疾军人证须填写伤残等级（1 至 10）"
		}
		return err
	}
	if grade < 1 || grade > rules.MaxVeteranGrade {
		return &FieldError{join(path, "level"), "伤残等级应为 1 至 10"}
	}
	ct.Grade = grade
	return nil
}

func (d *decoder) contract(o object, path string) (rules.Contract, *FieldError) {
	var ct rules.Contract
	var err *FieldError
	if ct.Start, err = dateField(o, "start", path, true); err != nil {
		return ct, err
	}
	if ct.End, err = dateField(o, "end", path, false); err != nil {
		return ct, err
	}
	if !ct.End.IsZero() && ct.End.Before(ct.Start) {
		return ct, &FieldError{join(path, "end"), "合同终止日期早于开始日期"}
	}
	return ct, nil
}

func (d *decoder) wage(o object, path string) (rules.Wage, *FieldError) {
	var w rules.Wage
	var err *FieldError
	if w.Month, err = monthField(o, "month", path); err != nil {
		return w, err
	}
	w.Amount, err = amountField(o, "amount", path)
	return w, err
}

// join builds a JSON path: join("wages[2]", "amount") = "wages[2].amount".
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// present returns the raw value of key unless it is absent or null.
func present(o object, key string) (json.RawMessage, bool) {
	raw, ok := o[key]
	if !ok || string(raw) == "null" {
		return nil, false
	}
	return raw, true
}

// asObject decodes raw as an object.
func asObject(raw json.RawMessage, path string) (object, *FieldError) {
	if len(raw) == 0 || raw[0] != '{' {
		if path == "" {
			return nil, &FieldError{"", "输入应为 JSON 对象"}
		}
		return nil, &FieldError{path, reasonObject}
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, &FieldError{path, reasonObject}
	}
	return o, nil
}

// eachObject calls fn for every element of the optional array key, each an
// object, with its path ("wages[2]").
func eachObject(o object, key string, fn func(object, string) *FieldError) *FieldError {
	raw, ok := present(o, key)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return &FieldError{key, reasonArray}
	}
	for i, item := range items {
		path := key + "[" + strconv.Itoa(i) + "]"
		elem, err := asObject(item, path)
		if err != nil {
			return err
		}
		if err := fn(elem, path); err != nil {
			return err
		}
	}
	return nil
}

// monthList decodes the optional array key of "YYYY-MM" strings.
func monthList(o object, key string) ([]rules.Month, *FieldError) {
	raw, ok := present(o, key)
	if !ok {
		return nil, nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, &FieldError{key, reasonArray}
	}
	months := make([]rules.Month, 0, len(items))
	for i, item := range items {
		path := key + "[" + strconv.Itoa(i) + "]"
		s, err := asString(item, path)
		if err != nil {
			return nil, err
		}
		m, perr := rules.ParseMonth(s)
		if perr != nil {
			return nil, &FieldError{path, perr.Error()}
		}
		months = append(months, m)
	}
	return months, nil
}

// asString decodes raw as a JSON string.
func asString(raw json.RawMessage, path string) (string, *FieldError) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", &FieldError{path, reasonString}
	}
	return s, nil
}

// stringField decodes the string key; ok reports presence (not null).
func stringField(o object, key, path string, required bool) (s string, ok bool, err *FieldError) {
	raw, ok := present(o, key)
	if !ok {
		if required {
			return "", false, &FieldError{join(path, key), reasonMissing}
		}
		return "", false, nil
	}
	s, err = asString(raw, join(path, key))
	return s, err == nil, err
}

// intField decodes an integer key written as plain digits (no fraction, no
// exponent: a year or a level is a count, not a measurement).
func intField(o object, key, path string, required bool) (int, *FieldError) {
	raw, ok := present(o, key)
	if !ok {
		if required {
			return 0, &FieldError{join(path, key), reasonMissing}
		}
		return 0, nil
	}
	s := string(raw)
	digits := strings.TrimPrefix(s, "-")
	if !idnum.AllDigits(digits) || len(digits) > 9 {
		return 0, &FieldError{join(path, key), reasonInteger}
	}
	n, _ := strconv.Atoi(s)
	return n, nil
}

// boolField decodes an optional boolean key, false when absent or null.
func boolField(o object, key, path string) (bool, *FieldError) {
	raw, ok := present(o, key)
	if !ok {
		return false, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, &FieldError{join(path, key), reasonBool}
}

// monthField decodes a required "YYYY-MM" key.
func monthField(o object, key, path string) (rules.Month, *FieldError) {
	s, _, err := stringField(o, key, path, true)
	if err != nil {
		return 0, err
	}
	m, perr := rules.ParseMonth(s)
	if perr != nil {
		return 0, &FieldError{join(path, key), perr.Error()}
	}
	return m, nil
}

// dateField decodes a "YYYY-MM-DD" key. An optional date may be absent,
// null or "" (the data-exchange files write "no expiry" as an empty cell),
// all giving the zero Date.
func dateField(o object, key, path string, required bool) (rules.Date, *FieldError) {
	s, ok, err := stringField(o, key, path, required)
	if err != nil || (!ok || s == "") && !required {
		return rules.Date{}, err
	}
	v, perr := rules.ParseDate(s)
	if perr != nil {
		return rules.Date{}, &FieldError{join(path, key), perr.Error()}
	}
	return v, nil
}

// amountField decodes a required amount in yuan into fen.
func amountField(o object, key, path string) (rules.Fen, *FieldError) {
	raw, ok := present(o, key)
	if !ok {
		return 0, &FieldError{join(path, key), reasonMissing}
	}
	f, reason := numberToFen(string(raw))
	if reason != "" {
		return 0, &FieldError{join(path, key), reason}
	}
	return f, nil
}

// numberToFen converts the text of a JSON number (already validated as JSON)
// to fen exactly. The value must be non-negative, a whole number of fen
// (1780, 1780.5, 1780.50, 1.78e3 and 1780.000 are fine; 1780.001 is not:
// "at most 2 decimals" is about the value, and JSON writers differ in how
// many zeros they print) and at most rules.MaxFen.
func numberToFen(s string) (rules.Fen, string) {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, reasonNumber
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e := strings.TrimPrefix(s[i+1:], "+")
		// An exponent beyond 6 digits is far outside any amount; clamp it
		// so the arithmetic below cannot overflow (the value is then either
		// too large, or a non-zero fraction of a fen).
		sign := 1
		if strings.HasPrefix(e, "-") {
			sign, e = -1, e[1:]
		}
		e = strings.TrimLeft(e, "0")
		if len(e) > 6 {
			e = "1000000"
		}
		n, _ := strconv.Atoi("0" + e)
		exp = sign * n
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, "" // zero, whatever its sign or exponent
	}
	if neg {
		return 0, reasonNegative
	}
	// value = digits × 10^(exp − len(frac)); fen = value × 100.
	shift := exp - len(frac) + 2
	if shift < 0 {
		cut := -shift
		if cut > len(digits) || strings.TrimLeft(digits[len(digits)-cut:], "0") != "" {
			return 0, reasonDecimals
		}
		digits, shift = digits[:len(digits)-cut], 0
	}
	if len(digits)+shift > 13 { // MaxFen = 10^12 has 13 digits
		return 0, reasonAmountMax
	}
	v, _ := strconv.ParseInt(digits+strings.Repeat("0", shift), 10, 64)
	if rules.Fen(v) > rules.MaxFen {
		return 0, reasonAmountMax
	}
	return rules.Fen(v), ""
}
