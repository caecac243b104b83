package demo

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"quotacert/internal/idnum"
	"quotacert/internal/rules"
)

// TestDemoExpectations runs the rules engine over the demo registry and compares every month of every
// demo person with the expectations written by hand in data/expected.json (and data/README.md). The
// data and the engine were written independently, so agreement checks both.
func TestDemoExpectations(t *testing.T) {
	type month struct {
		Month                                                                      string
		Wage, SocialInsurance, MedicalInsurance, Certificate, WorkingAge, Contract bool
		Passed                                                                     bool
		Weight                                                                     int
	}
	var expected []struct {
		IDNumber            string
		Dispatched          bool
		FemaleRetirementAge int
		Contracts           []struct{ Start, End *string }
		Payers              []string
		Months              []month
	}
	raw, err := os.ReadFile("data/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	certs := readCSV(t, "data/certificates.csv")
	wages := readCSV(t, "data/wages.csv")
	social := readCSV(t, "data/social.csv")
	medical := readCSV(t, "data/medical.csv")
	minwages := readCSV(t, "../refdata/data/minwage.csv")
	var table []rules.MinimumWage
	for _, r := range minwages {
		table = append(table, rules.MinimumWage{Region: r["region"], From: mustMonth(t, r["from"]), Amount: mustYuan(t, r["amount"])})
	}
	if len(expected) < 14 {
		t.Fatalf("only %d demo persons", len(expected))
	}
	for _, e := range expected {
		id, err := idnum.ParseResidentID(e.IDNumber, idnum.Date{Year: 2026, Month: 11, Day: 26})
		if err != nil {
			t.Errorf("%s: %v", e.IDNumber, err)
			continue
		}
		c := rules.Case{Year: 2025, Region: "220102", MinimumWages: table, Dispatched: e.Dispatched,
			Person: rules.Person{BirthDate: rules.Date(id.Birth), Female: id.Female, FemaleRetirementAge: e.FemaleRetirementAge}}
		for _, ct := range e.Contracts {
			k := rules.Contract{Start: mustDate(t, *ct.Start)}
			if ct.End != nil {
				k.End = mustDate(t, *ct.End)
			}
			c.Contracts = append(c.Contracts, k)
		}
		for _, r := range certs {
			if r["idNumber"] != e.IDNumber {
				continue
			}
			cert, err := idnum.ParseCertificateNumber(r["certificateNumber"])
			if err != nil {
				t.Errorf("%s: certificate %v", e.IDNumber, err)
			}
			k := rules.Certificate{Number: r["certificateNumber"], Level: int(cert.Level), Issued: mustDate(t, r["issued"]), Active: r["status"] == "有效"}
			if r["validUntil"] != "" {
				k.ValidUntil = mustDate(t, r["validUntil"])
			}
			c.Certificates = append(c.Certificates, k)
		}
		for _, r := range wages {
			if r["idNumber"] == e.IDNumber && slices.Contains(e.Payers, r["creditCode"]) {
				c.Wages = append(c.Wages, rules.Wage{Month: mustMonth(t, r["month"]), Amount: mustYuan(t, r["amount"])})
			}
		}
		for _, r := range social {
			if r["idNumber"] == e.IDNumber && slices.Contains(e.Payers, r["creditCode"]) {
				c.SocialInsurance = append(c.SocialInsurance, mustMonth(t, r["month"]))
			}
		}
		for _, r := range medical {
			if r["idNumber"] == e.IDNumber && slices.Contains(e.Payers, r["creditCode"]) {
				c.MedicalInsurance = append(c.MedicalInsurance, mustMonth(t, r["month"]))
			}
		}
		res := rules.Verify(c)
		for i, want := range e.Months {
			got := res.Months[i]
			g := month{got.Month.String(), got.Wage, got.SocialInsurance, got.MedicalInsurance, got.Certificate,
				got.WorkingAge, got.Contract, got.Passed, got.Weight}
			if g != want {
				t.Errorf("%s %s:\n got  %+v\n want %+v\n reasons %v", e.IDNumber, want.Month, g, want, got.Reasons())
			}
		}
	}
}

func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func mustMonth(t *testing.T, s string) rules.Month {
	m, err := rules.ParseMonth(s)
	if err != nil {
		t.Fatalf("month %q: %v", s, err)
	}
	return m
}

func mustDate(t *testing.T, s string) rules.Date {
	d, err := rules.ParseDate(s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

func mustYuan(t *testing.T, s string) rules.Fen {
	f, err := rules.ParseYuan(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return f
}
