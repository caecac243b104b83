package rules

import "testing"

func TestBusinessYearWindow(t *testing.T) {
	open, close := DefaultWindow(2025)
	if open != d("2026-03-01") || close != d("2026-10-31") {
		t.Fatalf("default window %s–%s", open, close)
	}
	y := BusinessYear{Year: 2025, WindowOpen: open, WindowClose: close}
	for _, c := range []struct {
		day  string
		want bool
	}{{"2026-02-28", false}, {"2026-03-01", true}, {"2026-06-15", true}, {"2026-10-31", true}, {"2026-11-01", false}} {
		if got := y.InWindow(d(c.day)); got != c.want {
			t.Errorf("InWindow(%s) = %v, want %v", c.day, got, c.want)
		}
	}
}

func TestCurrentYear(t *testing.T) {
	years := []BusinessYear{
		{Year: 2026, WindowOpen: d("2027-03-01"), WindowClose: d("2027-10-31")},
		{Year: 2025, WindowOpen: d("2026-03-01"), WindowClose: d("2026-10-31")},
		{Year: 2024, WindowOpen: d("2025-03-01"), WindowClose: d("2025-10-31")},
	}
	for _, c := range []struct {
		today string
		want  int
	}{
		{"2026-03-01", 2025}, {"2026-10-31", 2025}, {"2026-11-01", 2025}, {"2026-02-28", 2024},
		{"2025-10-31", 2024}, {"2027-05-01", 2026}, {"2020-01-01", 2024},
	} {
		if got := CurrentYear(years, d(c.today)); got != c.want {
			t.Errorf("CurrentYear on %s = %d, want %d", c.today, got, c.want)
		}
	}
	if CurrentYear(nil, d("2026-01-01")) != 0 {
		t.Error("no years")
	}
}

func TestDeclarationLifecycle(t *testing.T) {
	for _, c := range []struct {
		s      DeclarationStatus
		locked bool
		label  string
	}{
		{DeclarationOpen, false, "未申报"},
		{DeclarationSubmitted, true, "已完成申报"},
		{DeclarationReopenRequested, true, "年审认证反馈待审核"},
	} {
		if c.s.Locked() != c.locked || c.s.Label() != c.label {
			t.Errorf("%s: locked %v label %q", c.s, c.s.Locked(), c.s.Label())
		}
	}
	if len(DeclarationStatuses()) != 3 {
		t.Error("statuses")
	}
	for s, label := range map[ReviewStatus]string{ReviewPending: "待审核", ReviewApproved: "审核通过", ReviewRejected: "审核不通过"} {
		if s.Label() != label {
			t.Errorf("%s: %q", s, s.Label())
		}
	}
}
