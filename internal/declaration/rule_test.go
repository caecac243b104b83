package declaration

import (
	"slices"
	"testing"

	"quotacert/internal/exchange"
	"quotacert/internal/placement"
	"quotacert/internal/rules"
)

// TestWithoutValidCertificate is the certificate-on-submission rule (DOMAIN.md §10): a person counts
// with a registry certificate in force or an approved manual certificate valid on the day.
func TestWithoutValidCertificate(t *testing.T) {
	d := func(s string) rules.Date {
		if s == "" {
			return rules.Date{}
		}
		v, err := rules.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	day := d("2026-04-01")
	reg := func(status, issued, until string) exchange.RegistryCertificate {
		return exchange.RegistryCertificate{Status: status, Issued: d(issued), ValidUntil: d(until)}
	}
	manual := func(review rules.ReviewStatus, until string) placement.ManualCertificate {
		return placement.ManualCertificate{Review: review, Issued: d("2020-01-01"), ValidUntil: d(until)}
	}
	cases := []struct {
		name     string
		registry []exchange.RegistryCertificate
		manual   []placement.ManualCertificate
		valid    bool
	}{
		{"registry, no expiry", []exchange.RegistryCertificate{reg(rules.CertificateValid, "2019-01-01", "")}, nil, true},
		{"registry, valid through the day", []exchange.RegistryCertificate{reg(rules.CertificateValid, "2019-01-01", "2026-04-01")}, nil, true},
		{"registry, expired the day before", []exchange.RegistryCertificate{reg(rules.CertificateValid, "2019-01-01", "2026-03-31")}, nil, false},
		{"registry, issued the day after", []exchange.RegistryCertificate{reg(rules.CertificateValid, "2026-04-02", "")}, nil, false},
		{"registry, cancelled", []exchange.RegistryCertificate{reg(rules.CertificateCancelled, "2019-01-01", "")}, nil, false},
		{"manual, approved", nil, []placement.ManualCertificate{manual(rules.ReviewApproved, "")}, true},
		{"manual, under review", nil, []placement.ManualCertificate{manual(rules.ReviewPending, "")}, false},
		{"manual, rejected", nil, []placement.ManualCertificate{manual(rules.ReviewRejected, "")}, false},
		{"expired registry, approved manual", []exchange.RegistryCertificate{reg(rules.CertificateValid, "2019-01-01", "2025-06-30")},
			[]placement.ManualCertificate{manual(rules.ReviewApproved, "2027-01-01")}, true},
		{"nothing", nil, nil, false},
	}
	var rows []placement.ListRow
	var holders []Holder
	registry := map[int64][]exchange.RegistryCertificate{}
	var want []int64
	for i, c := range cases {
		id := int64(i + 1)
		rows = append(rows, placement.ListRow{ID: id, Name: c.name})
		holders = append(holders, Holder{PlacementID: id, Certificates: c.manual})
		registry[id] = c.registry
		if !c.valid {
			want = append(want, id)
		}
	}
	var got []int64
	for _, r := range withoutValidCertificate(rows, holders, registry, day) {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		for _, id := range got {
			if !slices.Contains(want, id) {
				t.Errorf("%s: blocked, want counted", cases[id-1].name)
			}
		}
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: counted, want blocked", cases[id-1].name)
			}
		}
	}
}
