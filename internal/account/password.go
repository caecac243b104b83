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

// Hasher hashes and verifies passwords with argon2id. Each hash needs MemoryKiB of memory, so a
// semaphore bounds how many run at once: a burst of 200 logins then queues instead of allocating
// 200 × 19 MiB.
type Hasher struct {
	params Argon2Params
	slots  chan struct{}
}

// NewHasher returns a Hasher running at most concurrent hashes at a time (at least 1).
func NewHasher(p Argon2Params, concurrent int) *Hasher {
	if concurrent < 1 {
		concurrent = 1
	}
	return &Hasher{params: p, slots: make(chan struct{}, concurrent)}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a password hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC-style encoding "$argon2id$v=19$m=…,t=…,p=…$salt$key" of password with a fresh
// random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, comparing in constant time. A malformed encoding
// is an error (a corrupt row), never a match.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
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

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords is parsed from the embedded list; built once per Policy, never mutated.
func parseCommon(list string) map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(list, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}

// Policy is the password rule set of issue #4.
type Policy struct {
	common map[string]bool
}

// NewPolicy loads the embedded list of common passwords.
func NewPolicy() Policy { return Policy{common: parseCommon(commonPasswordList)} }

// MinPasswordLen and MaxPasswordLen bound a password's length in characters.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
)

// Check returns a Chinese reason why password is not acceptable for the account named login (credit
// code or user name), or "" when it is.
func (p Policy) Check(password, login string) string {
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
	if login != "" && strings.EqualFold(password, login) {
		return "密码不能与账号（统一社会信用代码或用户名）相同"
	}
	if p.common[strings.ToLower(password)] {
		return "该密码过于常见，容易被猜中，请换一个"
	}
	return ""
}
