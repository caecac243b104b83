// Package pii protects personal identifiers at rest (PIPL): resident ID and certificate numbers are
// stored sealed with AES-256-GCM, looked up through a keyed hash (HMAC-SHA256), and shown masked.
// One master key yields both sub-keys so an operator has a single secret to keep and back up.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the master key's length in bytes.
const KeySize = 32

// version prefixes every sealed value so that a future key rotation can tell keys apart.
const version byte = 1

// Protector seals, opens and hashes identifiers. It is safe for concurrent use.
type Protector struct {
	aead    cipher.AEAD
	hashKey []byte
	check   string
}

// New derives the sub-keys from a 32-byte master key.
func New(master []byte) (*Protector, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(master))
	}
	block, err := aes.NewCipher(derive(master, "quotacert/pii/seal/v1"))
	if err != nil {
		return nil, fmt.Errorf("pii: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: gcm: %w", err)
	}
	return &Protector{aead: aead, hashKey: derive(master, "quotacert/pii/hash/v1"),
		check: hex.EncodeToString(derive(master, "quotacert/key-check/v1"))}, nil
}

// CheckValue is the key's check value: an HMAC of a fixed label under the key. The database keeps
// the check value of the key its data is sealed with, so that a missing, restored or mistyped key
// is refused at start instead of producing undecryptable rows and look-ups that find nothing. It
// reveals nothing of the key.
func (p *Protector) CheckValue() string { return p.check }

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Hash returns the keyed look-up hash of an identifier (hex). Equal inputs give equal hashes, and
// without the key the hash reveals nothing (ID numbers are too few for a plain hash to hide them).
func (p *Protector) Hash(s string) string {
	m := hmac.New(sha256.New, p.hashKey)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// Seal encrypts s with a fresh random nonce.
func (p *Protector) Seal(s string) []byte {
	nonce := make([]byte, p.aead.NonceSize(), 1+p.aead.NonceSize()+len(s)+p.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: system random source failed: " + err.Error()) // crypto/rand never fails on Linux
	}
	out := append([]byte{version}, nonce...)
	return p.aead.Seal(out, nonce, []byte(s), nil)
}

// Open decrypts a value made by Seal.
func (p *Protector) Open(b []byte) (string, error) {
	n := p.aead.NonceSize()
	if len(b) < 1+n+p.aead.Overhead() || b[0] != version {
		return "", errors.New("pii: sealed value malformed or of an unknown key version")
	}
	plain, err := p.aead.Open(nil, b[1:1+n], b[1+n:], nil)
	if err != nil {
		return "", fmt.Errorf("pii: open: %w", err)
	}
	return string(plain), nil
}
