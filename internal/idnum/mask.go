package idnum

import (
	"regexp"
	"strings"
)

// MaskID masks a resident ID number for display, keeping the first 6
// characters (the district) and the last 4: "220102********0012". ID numbers
// reveal birth date and sex and, with a certificate, a disability, so they
// are masked everywhere except a person's full record opened by an
// authorised user (DOMAIN.md §2). A value too short to keep both ends is
// masked completely rather than shown.
func MaskID(s string) string { return mask(s, 6, 4) }

// MaskCertificate masks a certificate number the same way as an ID number
// (first 6 and last 4 kept), because its first 18 characters are the
// holder's ID number.
func MaskCertificate(s string) string { return mask(s, 6, 4) }

// MaskPhone masks a phone number as "138****5678": first 3 and last 4 kept.
func MaskPhone(s string) string { return mask(s, 3, 4) }

// mask keeps head and tail runes of s and replaces the rest with '*'. When s
// has no more than head+tail runes nothing could be hidden, so every rune is
// replaced.
func mask(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(string(r[:head]))
	b.WriteString(strings.Repeat("*", len(r)-head-tail))
	b.WriteString(string(r[len(r)-tail:]))
	return b.String()
}

// idLike matches what may be a resident ID number inside free text: 17 digits and a digit or X.
var idLike = regexp.MustCompile(`\d{17}[\dXx]`)

// ContainsIDLike reports whether free text holds something that looks like a resident ID number
// (a unit name or a log line must not carry one).
func ContainsIDLike(s string) bool { return idLike.MatchString(s) }

// MaskIDsIn masks everything in free text that looks like a resident ID number, as MaskID does;
// for log lines and audit names, where an ID number may appear by accident (a URL path, a login name
// typed into the wrong field).
func MaskIDsIn(s string) string {
	return idLike.ReplaceAllStringFunc(s, func(m string) string { return m[:6] + "********" + m[14:] })
}
