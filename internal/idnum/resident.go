package idnum

// ResidentID is a validated 18-character resident ID number with what it
// encodes. The verification needs the birth date (working age) and the sex
// (retirement age); both come from the number itself (DOMAIN.md §3).
type ResidentID struct {
	// Number is the normalised number: 18 characters, check character
	// upper case.
	Number string
	// Birth is the birth date encoded in characters 7–14.
	Birth Date
	// Female is true when the sequence number (characters 15–17) is even.
	Female bool
}

// idWeights are the GB 11643-1999 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps S = Σ dᵢwᵢ mod 11 to the check character.
const idCheckChars = "10X98765432"

// ParseResidentID validates s as a resident ID number and returns it
// normalised (a lower-case check character x becomes X). The birth date must
// be a real date no later than today, which the caller supplies because this
// package reads no clock. Surrounding spaces are not trimmed: callers decide
// how forgiving their input forms are.
func ParseResidentID(s string, today Date) (ResidentID, error) {
	if len(s) != 18 {
		return ResidentID{}, ErrIDLength
	}
	var b [18]byte
	copy(b[:], s)
	sum := 0
	for i := 0; i < 17; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return ResidentID{}, ErrIDFormat
		}
		sum += int(c-'0') * idWeights[i]
	}
	switch c := b[17]; {
	case c == 'x':
		b[17] = 'X'
	case c == 'X', c >= '0' && c <= '9':
	default:
		return ResidentID{}, ErrIDFormat
	}
	if b[17] != idCheckChars[sum%11] {
		return ResidentID{}, ErrIDChecksum
	}
	birth := Date{Year: digits(b[6:10]), Month: digits(b[10:12]), Day: digits(b[12:14])}
	if birth.Year < minBirthYear || birth.Month < 1 || birth.Month > 12 ||
		birth.Day < 1 || birth.Day > daysIn(birth.Year, birth.Month) {
		return ResidentID{}, ErrIDBirthInvalid
	}
	if birth.after(today) {
		return ResidentID{}, ErrIDBirthFuture
	}
	return ResidentID{
		Number: string(b[:]),
		Birth:  birth,
		Female: (b[16]-'0')%2 == 0,
	}, nil
}

// digits converts a run of ASCII digits (already checked) to an int.
func digits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
