package rules

import "testing"

func TestRetirementAge(t *testing.T) {
	tests := []struct {
		name  string
		g     RetirementGroup
		birth string // YYYY-MM
		want  Age
	}{
		// DOMAIN.md §3 examples.
		{"man 1965-03", Men, "1965-03", Age{60, 1}},
		{"man 1967-05", Men, "1967-05", Age{60, 8}},
		{"man 1983-02", Men, "1983-02", Age{63, 0}},
		{"woman55 1974-10", Women55, "1974-10", Age{56, 3}},
		{"woman55 1978-07", Women55, "1978-07", Age{57, 2}},
		// Before and at the first affected cohort.
		{"man 1964-12 unaffected", Men, "1964-12", Age{60, 0}},
		{"man 1965-01 first cohort", Men, "1965-01", Age{60, 1}},
		{"man 1965-04", Men, "1965-04", Age{60, 1}},
		{"man 1965-05", Men, "1965-05", Age{60, 2}},
		{"woman55 1969-12 unaffected", Women55, "1969-12", Age{55, 0}},
		{"woman55 1970-01 first cohort", Women55, "1970-01", Age{55, 1}},
		{"woman50 1974-12 unaffected", Women50, "1974-12", Age{50, 0}},
		{"woman50 1975-01 first cohort", Women50, "1975-01", Age{50, 1}},
		{"woman50 1975-02", Women50, "1975-02", Age{50, 1}},
		{"woman50 1975-03", Women50, "1975-03", Age{50, 2}},
		// Cohorts that reach the final age, and the one before.
		{"man 1976-08", Men, "1976-08", Age{62, 11}},
		{"man 1976-09 final", Men, "1976-09", Age{63, 0}},
		{"man 1990-01 capped", Men, "1990-01", Age{63, 0}},
		{"woman55 1981-08", Women55, "1981-08", Age{57, 11}},
		{"woman55 1981-09 final", Women55, "1981-09", Age{58, 0}},
		{"woman50 1984-10", Women50, "1984-10", Age{54, 11}},
		{"woman50 1984-11 final", Women50, "1984-11", Age{55, 0}},
		{"woman50 2000-06 capped", Women50, "2000-06", Age{55, 0}},
		{"man 1950-01 old", Men, "1950-01", Age{60, 0}},
	}
	for _, tt := range tests {
		m := mo(tt.birth)
		if got := RetirementAge(tt.g, m.Year(), m.Number()); got != tt.want {
			t.Errorf("%s: RetirementAge = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetirementDateAndGroup(t *testing.T) {
	// DOMAIN.md: woman-55 born 1974-10 retires 2031-01.
	p := Person{BirthDate: d("1974-10-15"), Female: true, FemaleRetirementAge: 55}
	if got := p.RetirementDate(); got != d("2031-01-15") {
		t.Errorf("woman55 1974-10-15 retires %v, want 2031-01-15", got)
	}
	// The women's group defaults to 50.
	if g := (Person{Female: true}).Group(); g != Women50 {
		t.Errorf("default group = %v, want Women50", g)
	}
	if g := (Person{Female: true, FemaleRetirementAge: 50}).Group(); g != Women50 {
		t.Errorf("group 50 = %v", g)
	}
	// For men the field is ignored.
	if g := (Person{FemaleRetirementAge: 55}).Group(); g != Men {
		t.Errorf("man with 55 = %v, want Men", g)
	}
	if s := (Age{60, 1}).String(); s != "60岁1个月" {
		t.Errorf("Age string = %q", s)
	}
	if s := (Age{63, 0}).String(); s != "63岁" {
		t.Errorf("Age string = %q", s)
	}
}

func TestWorkingAgeMonths(t *testing.T) {
	tests := []struct {
		name   string
		person Person
		want   string // workingAge per month of 2025
		reason string // reason of the first failing month, if any
	}{
		{"turns 16 on the first of March", Person{BirthDate: d("2009-03-01")}, "..PPPPPPPPPP", "2025-01 未满16周岁"},
		{"turns 16 on the second of March", Person{BirthDate: d("2009-03-02")}, "...PPPPPPPPP", "2025-01 未满16周岁"},
		{"turns 16 on the last day of February", Person{BirthDate: d("2009-02-28")}, "..PPPPPPPPPP", "2025-01 未满16周岁"},
		{"turns 16 in 2026", Person{BirthDate: d("2010-01-01")}, "............", "2025-01 未满16周岁"},
		{"man born 1965-02-01 reaches 60y1m on 2025-03-01", Person{BirthDate: d("1965-02-01")}, "PP..........", "2025-03 已达法定退休年龄（60岁1个月）"},
		{"man born 1965-02-02 reaches 60y1m on 2025-03-02", Person{BirthDate: d("1965-02-02")}, "PPP.........", "2025-04 已达法定退休年龄（60岁1个月）"},
		{"man born 1965-01-31: 60y1m falls on 2025-02-28 (clamped)", Person{BirthDate: d("1965-01-31")}, "PP..........", "2025-03 已达法定退休年龄（60岁1个月）"},
		{"man born 1964-06-15 retired in 2024", Person{BirthDate: d("1964-06-15")}, "............", "2025-01 已达法定退休年龄（60岁）"},
		{"man born 1965-03-20: 60y1m on 2025-04-20", Person{BirthDate: d("1965-03-20")}, "PPPP........", "2025-05 已达法定退休年龄（60岁1个月）"},
		{"woman50 born 1975-01-10 retires 2025-02-10", Person{BirthDate: d("1975-01-10"), Female: true}, "PP..........", "2025-03 已达法定退休年龄（50岁1个月）"},
		{"woman55 born 1975-01-10 works on", Person{BirthDate: d("1975-01-10"), Female: true, FemaleRetirementAge: 55}, "PPPPPPPPPPPP", ""},
		{"woman55 born 1970-01-01 retires 2025-02-01", Person{BirthDate: d("1970-01-01"), Female: true, FemaleRetirementAge: 55}, "P...........", "2025-02 已达法定退休年龄（55岁1个月）"},
		{"woman50 born 1974-12-31 retired 2024-12-31", Person{BirthDate: d("1974-12-31"), Female: true}, "............", "2025-01 已达法定退休年龄（50岁）"},
		{"woman50 born 1974-12-31 in the 55 group", Person{BirthDate: d("1974-12-31"), Female: true, FemaleRetirementAge: 55}, "PPPPPPPPPPPP", ""},
	}
	for _, tt := range tests {
		c := passingCase()
		c.Person = tt.person
		r := Verify(c)
		got := grid(r, func(m MonthResult) bool { return m.WorkingAge })
		if got != tt.want {
			t.Errorf("%s: workingAge = %s, want %s", tt.name, got, tt.want)
		}
		if p := grid(r, passed); p != tt.want {
			t.Errorf("%s: passed = %s, want %s", tt.name, p, tt.want)
		}
		for _, m := range r.Months {
			if !m.WorkingAge {
				if rs := m.Reasons(); len(rs) != 1 || rs[0] != tt.reason {
					t.Errorf("%s: reasons %q, want [%s]", tt.name, rs, tt.reason)
				}
				break
			}
		}
	}
}
