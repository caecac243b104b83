package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. They are written into every encoded hash, so they can
// be raised later without invalidating stored passwords.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is OWASP's minimum recommendation for argon2id (19 MiB, 2 passes, 1 lane): strong
// enough for passwords, cheap enough for a two-core server.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and verifies passwords with argon2id. Each hash needs MemoryKiB of memory, so the
// gate bounds how many run and wait at once: a burst of logins is refused early instead of
// allocating 300 × 19 MiB or queueing for a minute.
type Hasher struct {
	params Argon2Params
	gate   *Gate
}

// NewHasher returns a Hasher running at most concurrent hashes at a time (at least 1), with an
// unbounded queue.
func NewHasher(p Argon2Params, concurrent int) *Hasher {
	return &Hasher{params: p, gate: NewGate(GateConfig{Concurrent: concurrent})}
}

// Busy reports whether a hash for account and prefix would be refused at once.
func (h *Hasher) Busy(account, prefix string) bool { return h.gate.Full(account, prefix) }

// NewGatedHasher returns a Hasher admitted by the gate g.
func NewGatedHasher(p Argon2Params, g *Gate) *Hasher { return &Hasher{params: p, gate: g} }

// Hash returns the PHC-style encoding "$argon2id$v=19$m=…,t=…,p=…$salt$key" of password with a fresh
// random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	return h.HashAs(ctx, "", "", password)
}

// HashAs is Hash on behalf of an account and a client address prefix (the gate's per-client bounds).
func (h *Hasher) HashAs(ctx context.Context, account, prefix, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	release, err := h.gate.Enter(ctx, account, prefix)
	if err != nil {
		return "", fmt.Errorf("wait for a password hashing slot: %w", err)
	}
	defer release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, comparing in constant time. A malformed encoding
// is an error (a corrupt row), never a match.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	return h.VerifyAs(ctx, "", "", encoded, password)
}

// VerifyAs is Verify on behalf of an account and a client address prefix.
func (h *Hasher) VerifyAs(ctx context.Context, account, prefix, encoded, password string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	release, err := h.gate.Enter(ctx, account, prefix)
	if err != nil {
		return false, fmt.Errorf("wait for a password hashing slot: %w", err)
	}
	defer release()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// maxHashMemoryKiB refuses stored parameters that would let a tampered row exhaust memory.
const maxHashMemoryKiB = 256 * 1024

func decodeHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("password hash: not an argon2id encoding")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("password hash: parameters %q: %w", parts[3], err)
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > maxHashMemoryKiB || p.Time == 0 || p.Time > 10 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("password hash: parameters out of range %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("password hash: salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("password hash: key malformed")
	}
	return p, salt, key, nil
}

//go:embed passwords/top10000.txt
var top10000 string

//go:embed passwords/local.txt
var localPasswords string

// parseList adds the lines of a password list (lower case; # starts a comment line) to m.
func parseList(m map[string]bool, list string) {
	for _, line := range strings.Split(list, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
}

// Policy is the password rule set: length, character classes, and not guessable from public lists
// or from the account itself.
type Policy struct {
	common map[string]bool // built once by NewPolicy, never mutated
}

// NewPolicy loads the embedded lists: the top 10,000 of a breach corpus and local additions
// (passwords/README.md).
func NewPolicy() Policy {
	m := make(map[string]bool, 10100)
	parseList(m, top10000)
	parseList(m, localPasswords)
	return Policy{common: m}
}

// MinPasswordLen and MaxPasswordLen bound a password's length in characters.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// shifted reads the symbols of the digit row as their digits (1qaz@WSX → 1qaz2wsx), and leet undoes
// the usual letter substitutions (p@ssw0rd → password).
var (
	shifted = strings.NewReplacer("!", "1", "@", "2", "#", "3", "$", "4", "%", "5", "^", "6", "&", "7", "*", "8", "(", "9", ")", "0")
	leet    = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")
)

// variants are the simple transformations of a lower-case password that a guesser tries first.
func variants(p string) []string {
	isSym := func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
	trimmed := strings.TrimFunc(p, isSym)
	return []string{p, shifted.Replace(p), leet.Replace(p), trimmed, leet.Replace(trimmed),
		strings.TrimRightFunc(p, unicode.IsDigit), strings.TrimRightFunc(trimmed, unicode.IsDigit)}
}

// alnum keeps the letters and digits of s, lower case: "Reviewer.Li" and "reviewer-li" compare equal.
func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Check returns a Chinese reason why password is not acceptable, or "" when it is. personal holds
// what an attacker knows of the account: the login (credit code or user name) first, then names
// (the unit's, the contact's).
func (p Policy) Check(password string, personal ...string) string {
	n := len([]rune(password))
	if n < MinPasswordLen {
		return fmt.Sprintf("密码至少 %d 位", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return fmt.Sprintf("密码不能超过 %d 位", MaxPasswordLen)
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	pw := alnum(password)
	for i, s := range personal {
		s = alnum(s)
		if len([]rune(s)) < 2 || (i == 0 && len(s) < 4) {
			continue
		}
		if strings.Contains(pw, s) || (len(s) >= 8 && strings.Contains(pw, s[len(s)-6:])) {
			if i == 0 {
				return "密码不能包含账号（统一社会信用代码或用户名）"
			}
			return "密码不能包含单位名称或姓名"
		}
	}
	for _, v := range variants(strings.ToLower(password)) {
		if len(v) >= 4 && p.common[v] {
			return "该密码过于常见，容易被猜中，请换一个"
		}
	}
	return ""
}
