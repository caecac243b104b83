package rules

import (
	"errors"
	"testing"
)

func TestParseDate(t *testing.T) {
	good := map[string]Date{
		"2025-01-01": {2025, 1, 1},
		"2024-02-29": {2024, 2, 29},
		"2000-02-29": {2000, 2, 29},
		"2025-12-31": {2025, 12, 31},
	}
	for s, want := range good {
		got, err := ParseDate(s)
		if err != nil || got != want || got.String() != s {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2025-1-01", "2025-02-29", "1900-02-29", "2025-13-01", "2025-00-10",
		"2025-04-31", "2025/01/01", "0000-01-01", "2025-01-01T00", " 2025-01-01", "+025-01-01", "2025-01-00"} {
		if _, err := ParseDate(s); !errors.Is(err, ErrDateFormat) {
			t.Errorf("ParseDate(%q) error = %v, want ErrDateFormat", s, err)
		}
	}
}

func TestParseMonth(t *testing.T) {
	m, err := ParseMonth("2025-03")
	if err != nil || m.Year() != 2025 || m.Number() != 3 || m.String() != "2025-03" {
		t.Fatalf("ParseMonth = %v %v", m, err)
	}
	if m.First() != (Date{2025, 3, 1}) || m.Last() != (Date{2025, 3, 31}) {
		t.Errorf("First/Last = %v %v", m.First(), m.Last())
	}
	if mo("2024-02").Last() != (Date{2024, 2, 29}) || mo("2025-02").Last() != (Date{2025, 2, 28}) {
		t.Errorf("February last day wrong")
	}
	if mo("2025-12").Add(1) != mo("2026-01") || mo("2025-01").Add(-1) != mo("2024-12") {
		t.Errorf("Add across years wrong")
	}
	for _, s := range []string{"", "2025-3", "2025-13", "2025-00", "2025/03", "0000-01", "2025-03-01", "２025-03"} {
		if _, err := ParseMonth(s); !errors.Is(err, ErrMonthFormat) {
			t.Errorf("ParseMonth(%q) error = %v", s, err)
		}
	}
}

func TestAddMonthsClamps(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"1965-01-31", 60*12 + 1, "2025-02-28"}, // no 31 February: last day, not 3 March
		{"1964-01-31", 61*12 + 1, "2025-02-28"},
		{"2008-02-29", 16 * 12, "2024-02-29"},
		{"2009-02-28", 16 * 12, "2025-02-28"},
		{"1980-02-29", 45 * 12, "2025-02-28"},
		{"1975-03-31", 50*12 + 1, "2025-04-30"},
		{"2025-03-15", -3, "2024-12-15"},
		{"2025-01-01", 0, "2025-01-01"},
	}
	for _, tt := range tests {
		if got := d(tt.from).AddMonths(tt.n); got != d(tt.want) {
			t.Errorf("%s + %d months = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if d("2025-03-01").PrevDay() != d("2025-02-28") || d("2025-01-01").PrevDay() != d("2024-12-31") ||
		d("2024-03-01").PrevDay() != d("2024-02-29") || d("2025-03-02").PrevDay() != d("2025-03-01") {
		t.Errorf("PrevDay wrong")
	}
	if d("2025-01-31").Compare(d("2025-02-01")) != -1 || d("2025-02-01").Compare(d("2025-01-31")) != 1 ||
		d("2025-02-01").Compare(d("2025-02-01")) != 0 {
		t.Errorf("Compare wrong")
	}
}

func TestParseYuan(t *testing.T) {
	good := map[string]Fen{
		"0": 0, "1780": 178000, "1780.5": 178050, "1780.50": 178050, "1780.05": 178005,
		"0.01": 1, "-0.5": -50, "007": 700, "10000000000": MaxFen, "10000000000.00": MaxFen,
	}
	for s, want := range good {
		if got, err := ParseYuan(s); err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-", ".5", "1.", "1.234", "1.2.3", "1e3", "+1", " 1", "1,000", "１", "0x10"} {
		if _, err := ParseYuan(s); !errors.Is(err, ErrYuanFormat) {
			t.Errorf("ParseYuan(%q) error = %v, want ErrYuanFormat", s, err)
		}
	}
	for _, s := range []string{"10000000000.01", "99999999999999999999999"} {
		if _, err := ParseYuan(s); !errors.Is(err, ErrYuanRange) {
			t.Errorf("ParseYuan(%q) error = %v, want ErrYuanRange", s, err)
		}
	}
	for f, want := range map[Fen]string{0: "0.00", 178000: "1780.00", 5: "0.05", -50: "-0.50", 123456789: "1234567.89"} {
		if got := f.String(); got != want {
			t.Errorf("Fen(%d) = %q, want %q", f, got, want)
		}
	}
}

func TestWeightMonths(t *testing.T) {
	for w, want := range map[WeightMonths]string{
		0: "0.00", 1: "0.08", 2: "0.17", 5: "0.42", 6: "0.50", 7: "0.58", 11: "0.92", 12: "1.00", 24: "2.00", 25: "2.08",
		12*1000 + 1: "1000.08",
	} {
		if got := w.String(); got != want {
			t.Errorf("WeightMonths(%d) = %s, want %s", w, got, want)
		}
	}
}
