package rules

import (
	"slices"
	"testing"
)

// TestChecksList: the six checks in the seed's order with the keys of CONTRACT.md, each reading its
// own field of the month, each giving its own reason, and the reasons in the order of the list.
func TestChecksList(t *testing.T) {
	var keys []string
	for _, c := range Checks() {
		if c.Label == "" || c.Evidence == "" {
			t.Errorf("check %s lacks a label or an evidence kind", c.Key)
		}
		keys = append(keys, c.Key)
	}
	if want := []string{"wage", "socialInsurance", "medicalInsurance", "certificate", "workingAge", "contract"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	// A man of working age whose month fails exactly one check at a time: only that check fails,
	// with its reason, and FailedChecks counts one.
	base := passingCase()
	for _, c := range []struct {
		key    string
		spoil  func(*Case)
		reason string
	}{
		{"wage", func(c *Case) { c.Wages = nil }, "2025-03 工资 0.00 元低于最低工资标准 1780.00 元"},
		{"socialInsurance", func(c *Case) { c.SocialInsurance = nil }, "2025-03 无养老保险缴费记录"},
		{"medicalInsurance", func(c *Case) { c.MedicalInsurance = nil }, "2025-03 无医疗保险缴费记录"},
		{"certificate", func(c *Case) { c.Certificates = nil }, "2025-03 无有效残疾证"},
		{"workingAge", func(c *Case) { c.Person.BirthDate = d("1950-01-01") }, "2025-03 已达法定退休年龄（60岁）"},
		{"contract", func(c *Case) { c.Contracts = nil }, "2025-03 无有效劳动合同（合同期限需满一年）"},
	} {
		cs := base
		c.spoil(&cs)
		mr := Verify(cs).Months[2]
		if mr.FailedChecks() != 1 {
			t.Errorf("%s broken: %d failed checks", c.key, mr.FailedChecks())
		}
		for _, ch := range Checks() {
			if ch.Passed(mr) == (ch.Key == c.key) {
				t.Errorf("%s broken: check %s passed = %v", c.key, ch.Key, ch.Passed(mr))
			}
			if ch.Key == c.key && ch.Reason(mr) != c.reason {
				t.Errorf("%s reason %q, want %q", c.key, ch.Reason(mr), c.reason)
			}
			if ch.Key != c.key && ch.Reason(mr) != "" {
				t.Errorf("%s broken: passed check %s gives reason %q", c.key, ch.Key, ch.Reason(mr))
			}
		}
		if got := mr.Reasons(); len(got) != 1 || got[0] != c.reason {
			t.Errorf("%s broken: reasons %q", c.key, got)
		}
	}
	// Every check failing: the reasons follow the list.
	mr := Verify(Case{Year: 2025, Region: "220102", Person: Person{BirthDate: d("2015-06-01")}}).Months[2]
	var want []string
	for _, ch := range Checks() {
		want = append(want, ch.Reason(mr))
	}
	if got := mr.Reasons(); !slices.Equal(got, want) || mr.FailedChecks() != 6 {
		t.Errorf("reasons %q, want %q (failed %d)", got, want, mr.FailedChecks())
	}
}

func TestCertificateValidOn(t *testing.T) {
	for _, c := range []struct {
		name string
		cert Certificate
		day  string
		want bool
	}{
		{"valid, no expiry", Certificate{Issued: d("2019-05-10"), Active: true}, "2026-04-01", true},
		{"issued that day", Certificate{Issued: d("2026-04-01"), Active: true}, "2026-04-01", true},
		{"issued the day after", Certificate{Issued: d("2026-04-02"), Active: true}, "2026-04-01", false},
		{"last valid day", Certificate{Issued: d("2019-05-10"), ValidUntil: d("2026-04-01"), Active: true}, "2026-04-01", true},
		{"expired the day before", Certificate{Issued: d("2019-05-10"), ValidUntil: d("2026-03-31"), Active: true}, "2026-04-01", false},
		{"cancelled (注销)", Certificate{Issued: d("2019-05-10")}, "2026-04-01", false},
		{"manual, approved", Certificate{Issued: d("2019-05-10"), Active: true, Manual: true, Approved: true}, "2026-04-01", true},
		{"manual, under review", Certificate{Issued: d("2019-05-10"), Active: true, Manual: true}, "2026-04-01", false},
	} {
		if got := c.cert.ValidOn(d(c.day)); got != c.want {
			t.Errorf("%s: ValidOn(%s) = %v, want %v", c.name, c.day, got, c.want)
		}
	}
}
