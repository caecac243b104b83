package rules

// Fen is an amount of money in fen (0.01 yuan). Money is integer fen end to
// end so that "1780.00 ≥ 1780" is exact and sums never drift, as floats do.
type Fen int64

// MaxFen bounds any single amount: 10,000,000,000 yuan. Nothing real comes
// near it, and the bound keeps sums and levy products far from overflow.
const MaxFen Fen = 1_000_000_000_000

// ParseYuan parses a yuan amount written as digits with an optional '-' and
// at most two decimals ("1780", "1780.5", "1780.50"), exactly: the text is
// read digit by digit, never through float64. Exponents, '+', spaces and a
// third decimal are errors, because the data-exchange files promise "yuan
// with at most 2 decimals" and anything else is a sign of a wrong column.
func ParseYuan(s string) (Fen, error) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			if frac == "" {
				return 0, ErrYuanFormat
			}
			break
		}
	}
	if intPart == "" || len(frac) > 2 {
		return 0, ErrYuanFormat
	}
	var v Fen
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, ErrYuanFormat
		}
		v = v*10 + Fen(c-'0')
		if v > MaxFen/100 {
			return 0, ErrYuanRange
		}
	}
	v *= 100
	scale := Fen(10)
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, ErrYuanFormat
		}
		v += Fen(c-'0') * scale
		scale /= 10
	}
	if v > MaxFen {
		return 0, ErrYuanRange
	}
	if neg {
		v = -v
	}
	return v, nil
}

// String formats f in yuan with exactly two decimals ("1780.00", "-0.50"),
// the form used in reasons, pages and exports.
func (f Fen) String() string {
	var b [24]byte
	return string(f.AppendText(b[:0]))
}

// AppendText appends the String form to b without allocating (beyond b's
// growth), for reasons and encoders.
func (f Fen) AppendText(b []byte) []byte {
	u := uint64(f)
	if f < 0 {
		b = append(b, '-')
		u = uint64(-f)
	}
	b = appendUint(b, u/100)
	r := u % 100
	return append(b, '.', byte('0'+r/10), byte('0'+r%10))
}

// appendUint appends u in decimal.
func appendUint(b []byte, u uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// addSat adds without overflowing: an absurd input saturates at MaxInt64
// instead of wrapping into a negative sum that would change a check.
func addSat(a, b Fen) Fen {
	s := a + b
	if b > 0 && s < a {
		return Fen(1<<63 - 1)
	}
	if b < 0 && s > a {
		return Fen(-1 << 63)
	}
	return s
}
