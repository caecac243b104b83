package rules

import (
	"math/rand/v2"
	"testing"
)

// randomCase builds a varied but plausible case around 2025 from rng, so
// that the properties below are checked on many shapes of data.
func randomCase(rng *rand.Rand) Case {
	date := func(fromYear, span int) Date {
		y := fromYear + rng.IntN(span)
		m := 1 + rng.IntN(12)
		return Date{y, m, 1 + rng.IntN(DaysIn(y, m))}
	}
	month := func() Month { return MonthOf(2024+rng.IntN(3), 1+rng.IntN(12)) }
	c := Case{Year: 2025, Region: []string{"220102", "220183", "220302", "110101"}[rng.IntN(4)]}
	for range rng.IntN(5) {
		c.MinimumWages = append(c.MinimumWages, MinimumWage{
			Region: []string{"22", "2201", "220102", "11"}[rng.IntN(4)],
			From:   month(), Amount: Fen(150000 + rng.IntN(80000)),
		})
	}
	c.Person = Person{BirthDate: date(1955, 60), Female: rng.IntN(2) == 0, FemaleRetirementAge: []int{0, 50, 55}[rng.IntN(3)]}
	c.Dispatched = rng.IntN(4) == 0
	for range rng.IntN(4) {
		ct := Certificate{Level: rng.IntN(5), Issued: date(2015, 12), Active: rng.IntN(5) > 0, Manual: rng.IntN(3) == 0, Approved: rng.IntN(2) == 0}
		if rng.IntN(3) == 0 { // a 残疾军人证: a grade 1–10 (or unknown), no level
			ct.Kind, ct.Level, ct.Grade = VeteranCertificate, 0, rng.IntN(11)
		}
		if rng.IntN(2) == 0 {
			ct.ValidUntil = date(2024, 4)
		}
		c.Certificates = append(c.Certificates, ct)
	}
	for range rng.IntN(3) {
		ct := Contract{Start: date(2022, 5)}
		if rng.IntN(2) == 0 {
			ct.End = ct.Start.AddMonths(rng.IntN(40))
		}
		c.Contracts = append(c.Contracts, ct)
	}
	for range rng.IntN(30) {
		c.Wages = append(c.Wages, Wage{Month: month(), Amount: Fen(rng.IntN(300000))})
	}
	for range rng.IntN(15) {
		c.SocialInsurance = append(c.SocialInsurance, month())
	}
	for range rng.IntN(15) {
		c.MedicalInsurance = append(c.MedicalInsurance, month())
	}
	return c
}

func TestPropertyMonthPassesOnlyWhenAllChecksPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		c := randomCase(rng)
		r := Verify(c)
		if r.Year != c.Year {
			t.Fatalf("year %d", r.Year)
		}
		passedCount, weights := 0, WeightMonths(0)
		for i, m := range r.Months {
			if m.Month != MonthOf(c.Year, i+1) {
				t.Fatalf("month %d is %v: want 12 months, January first", i, m.Month)
			}
			all := m.Wage && m.SocialInsurance && m.MedicalInsurance && m.Certificate && m.WorkingAge && m.Contract
			if m.Passed != all {
				t.Fatalf("%v passed=%v but checks all=%v: %+v", m.Month, m.Passed, all, m)
			}
			if m.Passed && m.PendingCertificate {
				t.Fatalf("%v both passed and pending", m.Month)
			}
			if (m.Weight == 0) == m.Passed || m.Weight > 2 {
				t.Fatalf("%v weight %d passed %v", m.Month, m.Weight, m.Passed)
			}
			if n := len(m.Reasons()); (n == 0) != m.Passed {
				t.Fatalf("%v passed=%v with %d reasons", m.Month, m.Passed, n)
			}
			if m.Passed {
				passedCount++
				weights += WeightMonths(m.Weight)
			}
		}
		if passedCount != r.PassedMonths || weights != r.WeightMonths {
			t.Fatalf("totals %d/%d, months say %d/%d", r.PassedMonths, r.WeightMonths, passedCount, weights)
		}
	}
}

func TestPropertyAddingARecordNeverFailsAPassedMonth(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		c := randomCase(rng)
		before := Verify(c)
		extra := randomCase(rng)
		// Add one record of one kind (a fresh slice: c's slices are shared).
		switch rng.IntN(5) {
		case 0:
			if len(extra.Wages) > 0 {
				c.Wages = append(c.Wages[:len(c.Wages):len(c.Wages)], extra.Wages[0])
			}
		case 1:
			if len(extra.SocialInsurance) > 0 {
				c.SocialInsurance = append(c.SocialInsurance[:len(c.SocialInsurance):len(c.SocialInsurance)], extra.SocialInsurance[0])
			}
		case 2:
			if len(extra.MedicalInsurance) > 0 {
				c.MedicalInsurance = append(c.MedicalInsurance[:len(c.MedicalInsurance):len(c.MedicalInsurance)], extra.MedicalInsurance[0])
			}
		case 3:
			if len(extra.Certificates) > 0 {
				c.Certificates = append(c.Certificates[:len(c.Certificates):len(c.Certificates)], extra.Certificates[0])
			}
		case 4:
			if len(extra.Contracts) > 0 {
				c.Contracts = append(c.Contracts[:len(c.Contracts):len(c.Contracts)], extra.Contracts[0])
			}
		}
		after := Verify(c)
		for i := range before.Months {
			b, a := before.Months[i], after.Months[i]
			if b.Passed && !a.Passed {
				t.Fatalf("%v passed before and failed after adding a record", b.Month)
			}
			if a.Weight < b.Weight {
				t.Fatalf("%v weight fell from %d to %d", b.Month, b.Weight, a.Weight)
			}
		}
	}
}

// TestPropertyWeightIsTheHeaviestCertificate: a passed month weighs 2 exactly when some counting
// certificate valid in it — a 残疾人证 of level 1–2 or a 残疾军人证 of grade 1–3 — is there, whatever
// mix of kinds the person holds (DOMAIN.md §3, written here independently of Verify).
func TestPropertyWeightIsTheHeaviestCertificate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	veterans := 0
	for range 5000 {
		c := randomCase(rng)
		r := Verify(c)
		for _, m := range r.Months {
			if !m.Passed {
				continue
			}
			want := 1
			for _, ct := range c.Certificates {
				valid := ct.Active && ct.Counts() && !m.Month.Last().Before(ct.Issued) &&
					(ct.ValidUntil.IsZero() || !ct.ValidUntil.Before(m.Month.First()))
				heavy := (ct.Kind == VeteranCertificate && ct.Grade >= 1 && ct.Grade <= 3) ||
					(ct.Kind != VeteranCertificate && (ct.Level == 1 || ct.Level == 2))
				if valid && heavy {
					want = 2
				}
				if valid && ct.Kind == VeteranCertificate {
					veterans++
				}
			}
			if m.Weight != want {
				t.Fatalf("%v weight %d, want %d: %+v", m.Month, m.Weight, want, c.Certificates)
			}
		}
	}
	if veterans == 0 {
		t.Fatal("no passed month with a valid veteran certificate was generated")
	}
}
