package web

import (
	"testing"

	"quotacert/internal/rules"
)

// TestLevyPersons: 测算 shows the persons the estimate computes with (issue 17: N × R = 1.376 was
// shown as 1.38), and a twelfth without a finite decimal as "≈".
func TestLevyPersons(t *testing.T) {
	for units, want := range map[rules.PersonUnits]string{
		rules.PersonUnits(86 * 160 * 12):  "1.376", // 86 employees × 1.6%
		rules.PersonUnits(120 * 160 * 12): "1.92",
		rules.PersonUnits(24 * 10000):     "2",       // 24 weight-months
		rules.PersonUnits(22 * 10000):     "≈1.8333", // 22 / 12
		0:                                 "0",
	} {
		if got := persons(units); got != want {
			t.Errorf("persons(%d) = %q, want %q", units, got, want)
		}
	}
}
