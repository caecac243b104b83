package exchange_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"quotacert/internal/exchange"
	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// FuzzParseRow feeds arbitrary CSV lines to the row parser of every kind. It must never panic; a
// row it accepts must hold normalised, valid values; a row it rejects must say which column and
// never echo the value.
func FuzzParseRow(f *testing.F) {
	for _, kind := range exchange.Kinds() {
		lines := strings.Split(strings.TrimRight(goodFiles[kind], "\n"), "\n")
		for _, l := range lines[1:] {
			f.Add(string(kind), l)
		}
	}
	for _, l := range strings.Split(strings.TrimRight(certsWithKind, "\n"), "\n")[1:] {
		f.Add("certificates", l)
	}
	f.Add("wages", idMale+","+codeE+",2025-0")
	f.Add("certificates", `"`+idMale+`",,,`)
	today := idnum.Date{Year: 2026, Month: 3, Day: 2}
	f.Fuzz(func(t *testing.T, kindName, line string) {
		kind, err := exchange.ParseKind(kindName)
		if err != nil {
			kind = exchange.Wages
		}
		h, herrs := exchange.ParseHeader(kind, append(kind.Columns(), kind.OptionalColumns()...))
		if len(herrs) != 0 {
			t.Fatalf("own header rejected: %v", herrs)
		}
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = -1
		fields, err := r.Read()
		if err != nil {
			return // not a CSV row: tabular reports it, ParseRow never sees it
		}
		row, errs := exchange.ParseRow(h, 2, fields, today)
		for _, e := range errs {
			if e.Row != 2 || e.Field == "" || e.Reason == "" || !utf8.ValidString(e.Reason) {
				t.Fatalf("malformed error %+v", e)
			}
			for _, f := range fields {
				// An identifier-like value (6+ ASCII letters or digits, some of them digits) must
				// never appear; words of the messages themselves ("veteran") are not identifiers.
				if v := strings.TrimSpace(f); len(v) >= 6 && isAlnum(v) && strings.ContainsAny(v, "0123456789") && strings.Contains(e.Reason, v) {
					t.Fatalf("error %q echoes the value %q", e.Reason, f)
				}
			}
		}
		if len(errs) > 0 {
			return
		}
		switch kind {
		case exchange.MinWage:
			if _, err := rules.ParseMonth(row.From); err != nil || row.AmountFen <= 0 || (len(row.Region) != 2 && len(row.Region) != 4 && len(row.Region) != 6) {
				t.Fatalf("accepted bad minwage row %+v", row)
			}
		default:
			if _, err := idnum.ParseResidentID(row.IDNumber, today); err != nil {
				t.Fatalf("accepted bad ID: %v", err)
			}
		}
		switch kind {
		case exchange.Wages, exchange.Social, exchange.Medical:
			if _, err := idnum.ParseCreditCode(row.CreditCode); err != nil || row.AmountFen < 0 {
				t.Fatalf("accepted bad payment row %+v", row)
			}
			if m, err := rules.ParseMonth(row.Month); err != nil || m.String() != row.Month {
				t.Fatalf("month not normalised: %q", row.Month)
			}
		case exchange.Certificates:
			if (row.Status != "有效" && row.Status != "注销") || (row.Gender != "男" && row.Gender != "女") {
				t.Fatalf("accepted bad certificate row %+v", row)
			}
			if row.Kind.Veteran() {
				n, err := idnum.ParseVeteranNumber(row.CertNumber)
				if err != nil || n != row.CertNumber || row.Category != 0 || row.Level != 0 || row.Grade < 1 || row.Grade > 10 {
					t.Fatalf("accepted bad veteran row %+v", row)
				}
				break
			}
			c, err := idnum.ParseCertificateNumber(row.CertNumber)
			if row.Kind != rules.DisabilityCertificate || err != nil || c.CheckOwner(row.IDNumber) != nil ||
				int(c.Category) != row.Category || c.Level != row.Level || row.Grade != 0 {
				t.Fatalf("accepted bad certificate row %+v", row)
			}
		}
	})
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
