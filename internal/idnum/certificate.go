package idnum

// Category is the disability category encoded in a certificate number's 19th
// character.
type Category int

// The categories of DOMAIN.md §2, numbered as in the certificate number.
const (
	CategoryVision       Category = 1 // 视力
	CategoryHearing      Category = 2 // 听力
	CategorySpeech       Category = 3 // 言语
	CategoryPhysical     Category = 4 // 肢体
	CategoryIntellectual Category = 5 // 智力
	CategoryMental       Category = 6 // 精神
	CategoryMultiple     Category = 7 // 多重
)

// categoryNames holds the Chinese names, index = category.
var categoryNames = [...]string{"", "视力", "听力", "言语", "肢体", "智力", "精神", "多重"}

// String returns the Chinese name of the category shown on pages and letters,
// or "" for a value outside 1–7.
func (c Category) String() string {
	if c < 1 || int(c) >= len(categoryNames) {
		return ""
	}
	return categoryNames[c]
}

// Certificate is a parsed disability certificate number.
type Certificate struct {
	// Number is the normalised number (upper-case X and B).
	Number string
	// ResidentID is the first 18 characters: the holder's ID number. It is
	// not checked here; CheckOwner compares it with the person's ID.
	ResidentID string
	// Category is 1 (视力) … 7 (多重).
	Category Category
	// Level is 1 (most severe) … 4.
	Level int
	// Reissue holds the digits after "B" for a reissued certificate
	// ("1" for B1), "" for an original. Kept as text: it is an identifier
	// of any length, not a quantity.
	Reissue string
}

// ParseCertificateNumber validates s against ^\d{17}[\dX][1-7][1-4](B\d+)?$
// (DOMAIN.md §2) and returns its parts. Lower-case x and b are normalised to
// upper case, as for ID numbers, because clerks type them either way.
func ParseCertificateNumber(s string) (Certificate, error) {
	if len(s) < 20 {
		return Certificate{}, ErrCertFormat
	}
	b := []byte(s)
	for i := 0; i < 17; i++ {
		if b[i] < '0' || b[i] > '9' {
			return Certificate{}, ErrCertFormat
		}
	}
	switch c := b[17]; {
	case c == 'x':
		b[17] = 'X'
	case c == 'X', c >= '0' && c <= '9':
	default:
		return Certificate{}, ErrCertFormat
	}
	if b[18] < '1' || b[18] > '7' || b[19] < '1' || b[19] > '4' {
		return Certificate{}, ErrCertFormat
	}
	reissue := ""
	if len(b) > 20 {
		if b[20] == 'b' {
			b[20] = 'B'
		}
		if b[20] != 'B' || len(b) == 21 {
			return Certificate{}, ErrCertFormat
		}
		for _, c := range b[21:] {
			if c < '0' || c > '9' {
				return Certificate{}, ErrCertFormat
			}
		}
		reissue = string(b[21:])
	}
	n := string(b)
	return Certificate{
		Number:     n,
		ResidentID: n[:18],
		Category:   Category(b[18] - '0'),
		Level:      int(b[19] - '0'),
		Reissue:    reissue,
	}, nil
}

// CheckOwner reports ErrCertOwner unless the certificate belongs to the
// person with the (normalised) resident ID number id: a certificate number
// starts with its holder's ID number, so a mismatch means the certificate is
// someone else's or mistyped.
func (c Certificate) CheckOwner(id string) error {
	if c.ResidentID != id {
		return ErrCertOwner
	}
	return nil
}
