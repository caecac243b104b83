package oidc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"quotacert/internal/idnum"
)

// Kind is who signed in at the platform.
type Kind string

// The kinds. Only a LegalPerson may act as an employer; Staff maps to an existing staff account.
const (
	LegalPerson   Kind = "legal_person"
	NaturalPerson Kind = "natural_person"
	Staff         Kind = "staff"
)

// Identity is what a completed platform sign-in proves. Issuer and Subject identify the platform
// account for good (link accounts by them, not by claims that may change); RawIDToken is kept only to
// ask the platform to end its session at logout (id_token_hint).
type Identity struct {
	Kind          Kind
	CreditCode    string // LegalPerson: validated, upper case
	OrgName       string
	OperatorName  string
	OperatorPhone string
	StaffUsername string // Staff: the claimed staff account's user name, as sent
	Subject       string
	Issuer        string
	RawIDToken    string
}

// maxClaimRunes bounds every mapped value: a claim is a name or a code, never a document.
const maxClaimRunes = 200

// mapClaims turns the verified claims of one user into an Identity. It is pure, and total on any
// JSON (fuzzed): a malformed value is a ReasonClaims error, never a panic.
func mapClaims(claims map[string]any, m ClaimMap) (Identity, error) {
	var id Identity
	var err error
	text := func(name string) string {
		if err != nil || name == "" {
			return ""
		}
		var s string
		s, err = claimText(claims, name)
		return s
	}
	id.OrgName = text(m.OrgName)
	id.OperatorName = text(m.OperatorName)
	id.OperatorPhone = text(m.OperatorPhone)
	if err != nil {
		return Identity{}, err
	}

	legal := m.UserType == ""
	var types []string
	if m.UserType != "" {
		if types, err = claimValues(claims, m.UserType); err != nil {
			return Identity{}, err
		}
		legal = slices.ContainsFunc(types, func(t string) bool { return slices.Contains(m.LegalValues, t) })
	}
	switch {
	case legal:
		id.Kind = LegalPerson
		raw := text(m.CreditCode)
		if err != nil {
			return Identity{}, err
		}
		if raw == "" {
			return Identity{}, newError(ReasonClaims, fmt.Sprintf("legal person without claim %q", m.CreditCode), nil)
		}
		code, cerr := idnum.ParseCreditCode(raw)
		if cerr != nil {
			return Identity{}, newError(ReasonCreditCode, fmt.Sprintf("claim %q", m.CreditCode), cerr)
		}
		id.CreditCode = code
	default:
		id.Kind = NaturalPerson
		mayBeStaff := m.StaffUsername != "" && (len(m.StaffValues) == 0 ||
			slices.ContainsFunc(types, func(t string) bool { return slices.Contains(m.StaffValues, t) }))
		if mayBeStaff {
			if id.StaffUsername = text(m.StaffUsername); err != nil {
				return Identity{}, err
			}
			if id.StaffUsername != "" {
				id.Kind = Staff
			}
		}
	}
	return id, nil
}

// lookup finds a claim by its exact name, else by a dotted path into nested objects.
func lookup(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// claimText is a claim's value as text: a JSON string or number (phones and codes are sometimes sent
// as numbers). Absent or null is "". The value is trimmed and must be short, printable text.
func claimText(claims map[string]any, name string) (string, error) {
	v, ok := lookup(claims, name)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := scalar(v)
	if !ok {
		return "", newError(ReasonClaims, fmt.Sprintf("claim %q is a %T, not text", name, v), nil)
	}
	return cleanText(name, s)
}

// claimValues is a claim holding one value or an array of them, as texts.
func claimValues(claims map[string]any, name string) ([]string, error) {
	v, ok := lookup(claims, name)
	if !ok || v == nil {
		return nil, nil
	}
	items, isArray := v.([]any)
	if !isArray {
		items = []any{v}
	}
	if len(items) > 32 {
		return nil, newError(ReasonClaims, fmt.Sprintf("claim %q has %d values", name, len(items)), nil)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := scalar(it)
		if !ok {
			return nil, newError(ReasonClaims, fmt.Sprintf("claim %q holds a %T", name, it), nil)
		}
		s, err := cleanText(name, s)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number: // decodeClaims keeps numbers as written
		return x.String(), true
	}
	return "", false
}

func cleanText(name, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxClaimRunes ||
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return "", newError(ReasonClaims, fmt.Sprintf("claim %q is not short printable text", name), nil)
	}
	return s, nil
}
