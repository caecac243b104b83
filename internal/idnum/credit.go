package idnum

// creditAlphabet is the GB 32100-2015 character set; a character's value is
// its index. I, O, Z, S and V are left out to avoid confusion with digits.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditValue returns the value of c (upper case) in the alphabet, or -1.
func creditValue(c byte) int {
	for i := 0; i < len(creditAlphabet); i++ {
		if creditAlphabet[i] == c {
			return i
		}
	}
	return -1
}

// ParseCreditCode validates s as a unified social credit code and returns it
// normalised to upper case, the form stored and used as the employer's login
// name, so that "91350100m000100y43" and "91350100M000100Y43" are one
// employer.
func ParseCreditCode(s string) (string, error) {
	if len(s) != 18 {
		return "", ErrCreditLength
	}
	var b [18]byte
	copy(b[:], s)
	sum := 0
	check := -1
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
			b[i] = c
		}
		v := creditValue(c)
		if v < 0 {
			return "", ErrCreditChar
		}
		if i < 17 {
			sum += v * creditWeights[i]
		} else {
			check = v
		}
	}
	if check != (31-sum%31)%31 {
		return "", ErrCreditChecksum
	}
	return string(b[:]), nil
}
