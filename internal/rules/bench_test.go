package rules

import (
	"math/rand/v2"
	"testing"
)

// jilinTable is a realistic minimum-wage table: the province default, the
// city tiers and a few districts, each in two versions (DOMAIN.md §7).
func jilinTable() []MinimumWage {
	var t []MinimumWage
	add := func(region string, old, cur string) {
		t = append(t, MinimumWage{Region: region, From: mo("2021-12"), Amount: yuan(old)},
			MinimumWage{Region: region, From: mo("2024-10"), Amount: yuan(cur)})
	}
	add("22", "1540", "1780")
	for _, r := range []string{"2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208", "2224"} {
		add(r, "1640", "1780")
	}
	for _, r := range []string{"220102", "220103", "220104", "220105", "220106", "220112", "220113"} {
		add(r, "1880", "2120")
	}
	for _, r := range []string{"220202", "220203", "220204", "220211", "222401", "222404"} {
		add(r, "1760", "1920")
	}
	return t
}

// BenchmarkVerifyPersonYear verifies one typical placement-year: twelve
// wage and insurance records, one certificate, one contract, the Jilin table.
func BenchmarkVerifyPersonYear(b *testing.B) {
	c := passingCase()
	c.MinimumWages = jilinTable()
	b.ReportAllocs()
	for b.Loop() {
		_ = Verify(c)
	}
}

// BenchmarkVerifyEmployer1000 verifies an employer with 1,000 placements of
// varied data (reported per op = all 1,000, and per person-year).
func BenchmarkVerifyEmployer1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	table := jilinTable()
	cases := make([]Case, 1000)
	for i := range cases {
		if i%2 == 0 {
			cases[i] = passingCase()
		} else {
			cases[i] = randomCase(rng)
		}
		cases[i].MinimumWages = table
	}
	b.ReportAllocs()
	var total WeightMonths
	for b.Loop() {
		total = 0
		for i := range cases {
			r := Verify(cases[i])
			total += r.WeightMonths
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cases)), "ns/person-year")
	_ = total
}
