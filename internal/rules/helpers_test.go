package rules

import "testing"

// d parses a date or fails the test run: test tables stay readable.
func d(s string) Date {
	if s == "" {
		return Date{}
	}
	v, err := ParseDate(s)
	if err != nil {
		panic("bad test date " + s)
	}
	return v
}

// mo parses a month.
func mo(s string) Month {
	v, err := ParseMonth(s)
	if err != nil {
		panic("bad test month " + s)
	}
	return v
}

// yuan parses an amount.
func yuan(s string) Fen {
	v, err := ParseYuan(s)
	if err != nil {
		panic("bad test amount " + s)
	}
	return v
}

// months2025 lists every month of 2025.
func months2025() []Month {
	m := make([]Month, 12)
	for i := range m {
		m[i] = MonthOf(2025, i+1)
	}
	return m
}

// passingCase is a man born 1980 in 长春市南关区 with everything in order for
// all of 2025; tests change one thing at a time.
func passingCase() Case {
	c := Case{
		Year:   2025,
		Region: "220102",
		MinimumWages: []MinimumWage{
			{Region: "22", From: mo("2021-12"), Amount: yuan("1540")},
			{Region: "22", From: mo("2024-10"), Amount: yuan("1780")},
		},
		Person:       Person{IDNumber: "220102198001010012", BirthDate: d("1980-01-01")},
		Certificates: []Certificate{{Level: 3, Issued: d("2019-05-10"), ValidUntil: d("2029-05-10"), Active: true}},
		Contracts:    []Contract{{Start: d("2024-07-01")}},
	}
	for _, m := range months2025() {
		c.Wages = append(c.Wages, Wage{Month: m, Amount: yuan("2100")})
	}
	c.SocialInsurance = months2025()
	c.MedicalInsurance = months2025()
	return c
}

// grid renders which months passed as a 12-char string ("PPPPPPFFFFFF") so
// that table rows state a whole year at a glance.
func grid(r Result, pick func(MonthResult) bool) string {
	b := make([]byte, 12)
	for i, m := range r.Months {
		if pick(m) {
			b[i] = 'P'
		} else {
			b[i] = '.'
		}
	}
	return string(b)
}

func passed(m MonthResult) bool { return m.Passed }

// checkGrid fails when the passed months differ from want.
func checkGrid(t *testing.T, r Result, want string) {
	t.Helper()
	if got := grid(r, passed); got != want {
		t.Errorf("passed months = %s, want %s", got, want)
		for _, m := range r.Months {
			if !m.Passed {
				t.Logf("%v", m.Reasons())
			}
		}
	}
}
