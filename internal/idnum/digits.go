package idnum

// AllDigits reports whether s is non-empty and only ASCII digits 0-9. Codes of
// regions, offices and tax authorities and the numeric parts of identifiers are
// checked with it; full-width digits (０-９) and other Unicode digits are not
// digits here, because none of those codes is ever written with them.
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
