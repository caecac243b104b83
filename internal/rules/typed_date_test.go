package rules

import "testing"

// TestParseTypedDate: the ways clerks type a date are understood (issue 17), and what is not a
// real date is still refused.
func TestParseTypedDate(t *testing.T) {
	for in, want := range map[string]string{
		"2025-01-01": "2025-01-01", "2025/1/1": "2025-01-01", "2025/01/31": "2025-01-31", "2025.1.31": "2025-01-31",
		"2025-1-9": "2025-01-09", " 2025/12/1 ": "2025-12-01", "2025年1月1日": "2025-01-01", "2024年2月29日": "2024-02-29",
		"20250101": "2025-01-01",
	} {
		d, err := ParseTypedDate(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseTypedDate(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "2025/2/30", "2025/13/1", "25/1/1", "2025/1", "2025/1/1/1", "2025-1/1", "2025/001/1",
		"2025年1月1", "20250230", "2025 1 1", "1/1/2025", "2025/+1/1", "2023年2月29日"} {
		if d, err := ParseTypedDate(in); err == nil {
			t.Errorf("ParseTypedDate(%q) = %v, want an error", in, d)
		}
	}
}
