package idnum

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The length of a 残疾军人证 number, in characters after normalising (DOMAIN.md §2).
const (
	MinVeteranNumber = 2
	MaxVeteranNumber = 32
)

// ErrVeteranNumber is the failure of ParseVeteranNumber.
const ErrVeteranNumber Error = "残疾军人证号应为2至32个字符（可含汉字、数字和字母，不含换行等控制字符）"

// ParseVeteranNumber validates and normalises the number of a 残疾军人证 (《中华人民共和国残疾军人证》,
// e.g. "吉军残字第012345号"). Unlike a 残疾人证 number it does not contain the holder's ID number,
// so it is free text: 2–32 printable characters. It is normalised so that the same number typed
// twice gives the same look-up hash: surrounding spaces (also the ideographic space) are trimmed,
// full-width ASCII (０-９, Ａ-Ｚ…) becomes half-width and ASCII letters upper case.
func ParseVeteranNumber(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrVeteranNumber
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.TrimFunc(s, unicode.IsSpace) {
		switch {
		case r == '\u3000': // an ideographic space inside the number is a space
			r = ' '
		case r >= '\uFF01' && r <= '\uFF5E': // full-width ASCII
			r -= 0xFF01 - 0x21
		}
		if !unicode.IsGraphic(r) || (r != ' ' && unicode.IsSpace(r)) {
			return "", ErrVeteranNumber
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	n := b.String()
	if c := utf8.RuneCountInString(n); c < MinVeteranNumber || c > MaxVeteranNumber {
		return "", ErrVeteranNumber
	}
	return n, nil
}

// MaskVeteranNumber masks a 残疾军人证 number for lists: the first 2 and the last 2 characters
// kept ("吉军**********5号"); a number of 4 characters or fewer is masked completely.
func MaskVeteranNumber(s string) string { return mask(s, 2, 2) }
