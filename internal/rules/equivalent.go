package rules

// WeightMonths is a sum of month weights, the exact form of equivalent
// persons: persons = WeightMonths ÷ 12. Keeping the numerator as an integer
// lets an employer's total be summed exactly over its placements and
// rounded once, for display only (DOMAIN.md §3).
type WeightMonths int64

// Hundredths returns the equivalent persons in hundredths, rounded half-up
// (half away from zero): 1 weight-month = 0.0833… → 8. Display and export
// use it; never add rounded values together.
func (w WeightMonths) Hundredths() int64 {
	n := int64(w) * 100
	if n < 0 {
		return -((-n*2 + 12) / 24)
	}
	return (n*2 + 12) / 24
}

// String formats the equivalent persons with two decimals ("0.08",
// "12.00"), from integer hundredths so no float rounding intervenes.
func (w WeightMonths) String() string {
	var b [24]byte
	return string(w.AppendText(b[:0]))
}

// AppendText appends the String form to b.
func (w WeightMonths) AppendText(b []byte) []byte {
	return Fen(w.Hundredths()).AppendText(b)
}
